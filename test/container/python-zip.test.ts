import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildCzann, buildLegacy, readModelFileBytes } from "../../src/container/index.js";
import { LegacyModelMetadata, ModelMetadata, parsePythonJson } from "../../src/metadata/index.js";
import { fixture } from "../helpers/paths.js";

// Archives written by scripts/fixtures/czmodel_zip.py: Python zipfile + json + ElementTree,
// exactly the calls czmodel makes, with time pinned.
const info = JSON.parse(readFileSync(fixture("container", "czmodel_made.json"), "utf8")) as {
  czann: { entries: { name: string; date_time: number[]; external_attr: number; create_system: number }[] };
  legacy: {
    params: {
      id: string;
      name: string;
      color_handling: "ConvertToMonochrome";
      pixel_types: ("Gray16" | "Bgr24")[];
      classes: string[];
      border_size: number;
    };
    entries: { name: string; date_time: number[] }[];
  };
  license_mode: number;
};
const metaObj = (
  parsePythonJson(readFileSync(fixture("container", "czmodel_made.json"), "utf8"), "czmodel_made.json") as { czann: { metadata: unknown } }
).czann.metadata;
const payload = new Uint8Array(readFileSync(fixture("container", "payload.bin")));
const licenseBytes = new Uint8Array(readFileSync(fixture("container", "LICENSE.txt")));
const localDate = (t: number[]) => new Date(t[0] as number, (t[1] as number) - 1, t[2], t[3], t[4], t[5]);

describe("builder output equals Python zipfile output as czmodel writes it", () => {
  it(".czann with a license (LICENSE.txt gets its mtime and mode 0644 attributes)", async () => {
    const expected = new Uint8Array(readFileSync(fixture("container", "czmodel_made.czann")));
    const [json, , lic] = info.czann.entries;
    if (!json || !lic) throw new Error("fixture");
    const metadata = ModelMetadata.fromJson(metaObj);
    const built = buildCzann(
      {
        metadata,
        model: payload,
        license: { name: "some/folder/LICENSE.txt", bytes: licenseBytes, timestamp: localDate(lic.date_time), mode: info.license_mode },
      },
      { hostByte: json.create_system as 3, date: localDate(json.date_time) },
    );
    expect(lic.external_attr).toBe(0x81a40000);
    expect(Buffer.from(built).equals(Buffer.from(expected))).toBe(true);

    const back = await readModelFileBytes(expected, "czmodel_made.czann");
    expect(back.license?.name).toBe("LICENSE.txt");
    expect(Buffer.from(back.license?.bytes ?? []).toString()).toBe("Fixture license text.\nNo rights reserved.\n");
    if (back.format !== "czann") throw new Error("format");
    expect(back.metadata.toJsonText()).toBe(Buffer.from(back.metadataBytes).toString("utf8"));
    expect(back.entries.map((e) => e.externalAttributes)).toEqual([0x01800000, 0x01800000, 0x81a40000]);
  });

  it("legacy .czmodel with a non-ASCII license name (UTF-8 flag): xml, model, license, empty modelid= last", async () => {
    const expected = new Uint8Array(readFileSync(fixture("container", "czmodel_made.czmodel")));
    const p = info.legacy.params;
    const [xml, , lic] = info.legacy.entries;
    if (!xml || !lic) throw new Error("fixture");
    const metadata = LegacyModelMetadata.fromParams({
      id: p.id,
      modelName: p.name,
      colorHandling: p.color_handling,
      pixelTypes: p.pixel_types,
      classes: p.classes,
      borderSize: p.border_size,
    });
    const built = buildLegacy(
      {
        metadata,
        model: payload,
        license: { name: "C:\\licenses\\Lizenz_\u00fc.txt", bytes: licenseBytes, timestamp: localDate(lic.date_time) },
      },
      { hostByte: 3, date: localDate(xml.date_time) },
    );
    expect(Buffer.from(built).equals(Buffer.from(expected))).toBe(true);
    const back = await readModelFileBytes(expected, "czmodel_made.czmodel");
    expect(back.entries.map((e) => e.name)).toEqual([`${p.id}.xml`, `${p.id}.model`, "Lizenz_\u00fc.txt", `modelid=${p.id}`]);
    expect(back.entries.map((e) => e.utf8Flag)).toEqual([false, false, true, false]);
    expect(back.warnings).toEqual([]);
  });
});
