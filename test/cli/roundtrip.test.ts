/**
 * Issue 2 acceptance, byte identity: the ONNX extracted (with `czmodel unpack`) from each
 * czmodel-made sample, packed again with the same metadata and Id, gives a model.json
 * (CZANN) or <guid>.xml (legacy) byte-identical to the original, with the same entry names,
 * order and methods and the model bytes untouched — through the CLI (`czmodel pack`) and
 * through the API (`convertFromModelSpec`, where the timestamp and host byte can be fixed, so
 * the whole archive is byte-identical).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { convertFromModelSpec } from "../../src/convert/node/index.js";
import { LegacyModelMetadata, ModelMetadata, type ModelType, type PixelType, type ColorHandling } from "../../src/metadata/index.js";
import { fixture, testdata } from "../helpers/paths.js";
import { czmodel, listTree, parseJson, readZip, text, scratchDir } from "./helpers.js";

interface RefEntry {
  name: string;
  method: string;
  dosDate: number;
  dosTime: number;
  createSystem: number;
}
interface RefFile {
  format: "czann" | "czmodel";
  entries: RefEntry[];
  metadataEntry: string;
  modelEntry: string;
  metadata?: {
    Id: string;
    Type: ModelType;
    InputShape: number[];
    OutputShape: number[];
    MinOverlap?: number[];
    Classes?: string[];
    ModelName?: string;
    Scaling?: [number, number];
  };
  legacy?: {
    Id: string;
    ModelName: string;
    ColorHandling: ColorHandling;
    PixelTypes: PixelType[];
    TrainingClasses: { Name: string }[];
    BorderSize: string;
  };
}
const reference = JSON.parse(await readFile(fixture("cli", "models_reference.json"), "utf8")) as { files: Record<string, RefFile> };
const names = Object.keys(reference.files);
const METHOD: Record<string, number> = { stored: 0, deflate: 8 };

/** `czmodel pack` options that restate a file's metadata. */
function packArgs(ref: RefFile): string[] {
  if (ref.format === "czann") {
    const m = ref.metadata!;
    return [
      "--type",
      m.Type,
      "--id",
      m.Id,
      ...(m.MinOverlap ? ["--min-overlap", m.MinOverlap.join(",")] : []),
      ...(m.Classes ? ["--classes", m.Classes.join(",")] : []),
      ...(m.ModelName ? ["--name", m.ModelName] : []),
      ...(m.Scaling ? ["--scaling", m.Scaling.join(",")] : []),
    ];
  }
  const l = ref.legacy!;
  return [
    "--format",
    "czmodel",
    "--id",
    l.Id,
    "--name",
    l.ModelName,
    "--pixel-type",
    l.PixelTypes.join(","),
    "--color-handling",
    l.ColorHandling,
    "--border",
    l.BorderSize,
    "--classes",
    l.TrainingClasses.map((c) => c.Name).join(","),
  ];
}

function metadataFor(ref: RefFile): ModelMetadata | LegacyModelMetadata {
  if (ref.format === "czann") {
    const m = ref.metadata!;
    return ModelMetadata.fromParams({
      id: m.Id,
      type: m.Type,
      inputShape: m.InputShape,
      outputShape: m.OutputShape,
      ...(m.MinOverlap ? { minOverlap: m.MinOverlap } : {}),
      ...(m.Classes ? { classes: m.Classes } : {}),
      ...(m.ModelName ? { modelName: m.ModelName } : {}),
      ...(m.Scaling ? { scaling: m.Scaling } : {}),
    });
  }
  const l = ref.legacy!;
  return LegacyModelMetadata.fromParams({
    id: l.Id,
    modelName: l.ModelName,
    colorHandling: l.ColorHandling,
    pixelTypes: l.PixelTypes,
    classes: l.TrainingClasses.map((c) => c.Name),
    borderSize: Number(l.BorderSize),
  });
}

describe.each(names)("re-packing %s", (name) => {
  const ref = reference.files[name]!;
  const original = testdata("models", name);
  const ext = ref.format === "czann" ? ".czann" : ".czseg";
  let work: string;
  let extracted: string;

  beforeAll(async () => {
    work = await scratchDir("cli-roundtrip-");
    const r = await czmodel("unpack", original, join(work, "unpacked"));
    expect(r.status, r.stderr).toBe(0);
    extracted = join(work, "unpacked", ref.modelEntry);
  });

  it("czmodel pack gives the same metadata bytes, entries, order, methods and model bytes", async () => {
    const out = join(work, `cli${ext}`);
    const r = await czmodel("pack", extracted, ...packArgs(ref), "--out", out, "--json");
    expect(r.status, r.stderr).toBe(0);
    const result = parseJson<{ ok: boolean; path: string; format: string; steps: string[] }>(r);
    expect(result).toMatchObject({ ok: true, path: out, format: ref.format, steps: [] });
    const [before, after] = [await readZip(original), await readZip(out)];
    expect(after.map((e) => e.name)).toEqual(before.map((e) => e.name));
    expect(after.map((e) => e.method)).toEqual(ref.entries.map((e) => METHOD[e.method]));
    const meta = (zip: typeof before) => zip.find((e) => e.name === ref.metadataEntry)!.bytes;
    expect(text(meta(after))).toBe(text(meta(before)));
    expect(Buffer.compare(Buffer.from(meta(after)), Buffer.from(meta(before)))).toBe(0);
    for (const e of before)
      expect(Buffer.from(after.find((a) => a.name === e.name)!.bytes).equals(Buffer.from(e.bytes)), e.name).toBe(true);
    expect(await listTree(work)).toEqual([`cli${ext}`, "unpacked/", ...ref.entries.map((e) => `unpacked/${e.name}`)].sort());
  });

  it("convertFromModelSpec with the original timestamp and host byte gives the whole archive byte for byte", async () => {
    const [first] = ref.entries;
    const dir = join(work, "api");
    const result = await convertFromModelSpec({ model: extracted, metadata: metadataFor(ref) }, dir, `api${ext}`, {
      date: { date: first!.dosDate, time: first!.dosTime },
      hostByte: first!.createSystem === 0 ? 0x00 : 0x03,
    });
    expect(result.path).toBe(join(dir, `api${ext}`));
    expect(result.format).toBe(ref.format);
    const [a, b] = await Promise.all([readFile(result.path), readFile(original)]);
    expect(a.length).toBe(b.length);
    expect(a.equals(b)).toBe(true);
  });
});
