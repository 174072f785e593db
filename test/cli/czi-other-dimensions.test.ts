/**
 * `--czi-other-dimensions error|first` on `image-info` and `predict`: none of the real sample
 * CZIs has a dimension other than S/T/C/Z/M with several indices, so the real
 * S3_1Pos_2Mosaic_T1_Z1_CH1.czi (dims C,H,M,S,T,X,Y,Z; all 28 subblocks at H=0) is written to a
 * temp file with subblock 3 moved to H=1 (directory entry and its copy in the subblock segment,
 * as in test/czi/errors.test.ts). Without the flag both commands refuse it in one line that
 * names the flag; with `first` they read H=0 only (27 subblocks, scene 0 loses one of its 10).
 */
import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { testdata } from "../helpers/paths.js";
import { dimensionFieldOffset, entryCopies, reference, sampleBytes, samplePath, writeI32 } from "../czi/czi-helpers.js";
import { czmodel, expectOneLineError, listTree, parseJson, scratchDir } from "./helpers.js";

const S3 = "S3_1Pos_2Mosaic_T1_Z1_CH1.czi";
const NUCLEI = testdata("models", "simple_nuclei_segmodel.czann");
const REFUSED = ["unsupported dimension H with size 2 (indices 0..1)", "use --czi-other-dimensions first"];
let work: string;
let twoH: string;

interface InfoJson {
  details: {
    subblocks: number;
    dimensions: Record<string, number>;
    scenes: { subblocks: number }[];
    pyramidLevels: { subblocks: number }[];
  };
}

beforeAll(async () => {
  work = await scratchDir("cli-czi-other-dims-");
  const bytes = sampleBytes(S3);
  for (const p of entryCopies(bytes, reference[S3]!, 3)) writeI32(bytes, dimensionFieldOffset(bytes, p, "H", 4), 1);
  twoH = join(work, "two-h.czi");
  await writeFile(twoH, bytes);
});

describe("czmodel image-info --czi-other-dimensions", () => {
  it("without the flag (or with error) a second H index is refused in one line that names the flag", async () => {
    for (const extra of [[], ["--czi-other-dimensions", "error"]]) {
      const r = await czmodel("image-info", twoH, ...extra);
      expectOneLineError(r, [`czmodel: error: ${twoH}: `, ...REFUSED]);
      expect(r.stdout).toBe("");
    }
  });

  it("with first the file opens and only H=0 is read", async () => {
    const original = parseJson<InfoJson>(await czmodel("image-info", samplePath(S3), "--json"));
    const r = await czmodel("image-info", twoH, "--czi-other-dimensions", "first", "--json");
    expect(r.status, r.stderr).toBe(0);
    const info = parseJson<InfoJson>(r);
    expect(JSON.stringify(info)).toContain("dimension H has size 2: only H=0 is read");
    expect(info.details.subblocks).toBe(28); // every subblock of the file is listed …
    expect(info.details.pyramidLevels[0]!.subblocks).toBe(original.details.pyramidLevels[0]!.subblocks - 1); // … one is not used
    expect(original.details.scenes[0]!.subblocks).toBe(10);
    expect(info.details.scenes[0]!.subblocks).toBe(9);
    expect(info.details.dimensions.H).toBe(1);
    // the unmodified file needs no flag, and the flag changes nothing there
    const same = parseJson<InfoJson>(await czmodel("image-info", samplePath(S3), "--json", "--czi-other-dimensions", "first"));
    expect(same).toEqual(original);
  });

  it("refuses a mode it does not know", async () => {
    const r = await czmodel("image-info", twoH, "--czi-other-dimensions", "all");
    expectOneLineError(r, ["--czi-other-dimensions", "'all' is invalid", "error, first"]);
  });

  it("is in --help", async () => {
    const r = await czmodel("image-info", "--help");
    expect(r.stdout).toMatch(/--czi-other-dimensions <mode>\s+CZI whose subblocks have several indices/);
  });
});

describe("czmodel predict --czi-other-dimensions", () => {
  it("without the flag: one line naming the flag, exit 2, no output", async () => {
    const dir = await scratchDir("cli-czi-other-dims-predict-");
    const r = await czmodel("predict", NUCLEI, twoH, "-o", join(dir, "labels.ome.tif"), "--plane", "scene=0", "--quiet");
    expectOneLineError(r, REFUSED);
    expect(await listTree(dir)).toEqual([]);
  });

  it("with first: predicts scene 0 at H=0", async () => {
    const dir = await scratchDir("cli-czi-other-dims-predict-");
    const out = join(dir, "labels.ome.tif");
    const r = await czmodel(
      "predict",
      NUCLEI,
      twoH,
      "-o",
      out,
      "--plane",
      "scene=0",
      "--czi-other-dimensions",
      "first",
      "--quiet",
      "--json",
    );
    expect(r.status, r.stderr).toBe(0);
    const d = parseJson<{ ok: boolean; files: string[]; outputs: { width: number; height: number; kind: string }[] }>(r);
    expect(d.files).toEqual([out]);
    expect(d.outputs.map((o) => [o.kind, o.width, o.height])).toEqual([["labels", 295, 122]]);
    expect((await stat(out)).size).toBeGreaterThan(0);
  });

  it("is in --help", async () => {
    const r = await czmodel("predict", "--help");
    expect(r.stdout).toContain("--czi-other-dimensions <mode>");
  });
});
