/**
 * `czmodel objects` and the class record of a label image: a record that names a value the
 * labels cannot hold does not describe them, so the image is measured as one without a record
 * (every value but 0), not refused.
 */
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decode, encode } from "fast-png";
import { describe, expect, it } from "vitest";
import { testdata } from "../helpers/paths.js";
import { czmodel, parseJson, scratchDir } from "./helpers.js";

const LABELS = testdata("images", "nuclei_0000_labels.png");

describe("czmodel objects with a class record", () => {
  it("ignores a record naming a value 8-bit labels cannot hold", async () => {
    const dir = await scratchDir();
    const png = decode(readFileSync(LABELS));
    const grey = new Uint8Array(png.width * png.height);
    for (let i = 0; i < grey.length; i++) grey[i] = png.data[i * png.channels]!;
    const record = {
      kind: "labels",
      classes: [
        { value: 1, name: "Background", color: [0, 0, 0] },
        { value: 300, name: "X", color: [1, 2, 3] },
      ],
    };
    const recorded = join(dir, "recorded.png");
    await writeFile(
      recorded,
      encode({ width: png.width, height: png.height, data: grey, channels: 1, depth: 8, text: { czmodel: JSON.stringify(record) } }),
    );
    const plain = join(dir, "plain.png");
    await writeFile(plain, encode({ width: png.width, height: png.height, data: grey, channels: 1, depth: 8 }));
    const runs = [];
    for (const [labels, csv] of [
      [recorded, join(dir, "a.csv")],
      [plain, join(dir, "b.csv")],
    ] as const) {
      const r = await czmodel("objects", labels, "--objects", csv, "--json");
      expect(r.status, r.stderr).toBe(0);
      runs.push({ perClass: parseJson<{ perClass: Record<string, number> }>(r).perClass, table: await readFile(csv, "utf8") });
    }
    expect(Object.keys(runs[0]!.perClass)).toEqual(["128"]);
    expect(runs[0]).toEqual(runs[1]);
  });
});
