/**
 * The installed commands as a user runs them: `node bin/czmodel.js …`,
 * `node bin/savedmodel2czmodel.js …`, `node bin/savedmodel2czann.js …` in real processes —
 * exit statuses, stdout/stderr, files, and no stack trace on errors. Kept few: each process
 * costs about a second.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot, testdata } from "../helpers/paths.js";
import { expectOneLineError, listTree, parseJson, readZip, runBin, text, zipEntry, scratchDir } from "./helpers.js";

let work: string;
beforeAll(async () => {
  work = await scratchDir("cli-bins-");
});

describe("node bin/czmodel.js", () => {
  it("packs the README example from the repo root and the file reads back", async () => {
    const out = join(work, "blobs.czann");
    const r = await runBin("czmodel", [
      "pack",
      "examples/data/blob-segmenter.onnx",
      "--type",
      "SingleClassSemanticSegmentation",
      "--classes",
      "Background,Cell",
      "--min-overlap",
      "16,16",
      "--name",
      "Blobs",
      "--out",
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^wrote .*blobs\.czann \(czann: SingleClassSemanticSegmentation, tile 256x256x1, id [0-9a-f-]{36}\)$/m);
    const zip = await readZip(out);
    expect(zip.map((e) => e.name)).toEqual(["model.json", "model.model"]);
    const meta = JSON.parse(text(zip[0]!.bytes)) as Record<string, unknown>;
    expect(meta).toMatchObject({
      Type: "SingleClassSemanticSegmentation",
      InputShape: [256, 256, 1],
      OutputShape: [256, 256, 2],
      MinOverlap: [16, 16],
      Classes: ["Background", "Cell"],
      ModelName: "Blobs",
    });
    const onnx = await readFile(join(repoRoot, "examples", "data", "blob-segmenter.onnx"));
    expect(Buffer.from(zip[1]!.bytes).equals(onnx)).toBe(true);
  });

  it("inspect --json prints one JSON document and exits 0", async () => {
    const r = await runBin("czmodel", ["inspect", testdata("models", "simple_nuclei_segmodel_legacy.czseg"), "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const d = parseJson<{ format: string; metadata: { Id: string } }>(r);
    expect(d.format).toBe("czmodel");
    expect(d.metadata.Id).toBe("27eaeeab-7e9a-4f9c-88bb-6e5b477d2241");
  });

  it("a broken file: exit 2, one line on stderr, no stack trace", async () => {
    const bad = join(work, "broken.czann");
    await writeFile(bad, "not a zip");
    const r = await runBin("czmodel", ["validate", bad]);
    expectOneLineError(r, [bad, "not a ZIP archive"]);
    expect(r.stdout).toBe("");
  });

  it("a usage error: exit 2, one line on stderr", async () => {
    const r = await runBin("czmodel", ["inspect", "--frobnicate", "x.czann"]);
    expectOneLineError(r, ["unknown option '--frobnicate'", "--help"]);
  });
});

describe("node bin/savedmodel2czmodel.js and bin/savedmodel2czann.js", () => {
  it("savedmodel2czmodel SPEC OUTDIR NAME writes the .czmodel (run from another folder)", async () => {
    const specDir = join(work, "spec");
    await mkdir(specDir);
    const guid = "27eaeeab-7e9a-4f9c-88bb-6e5b477d2241";
    const legacy = testdata("models", "simple_nuclei_segmodel_legacy.czseg");
    await writeFile(join(specDir, "Simple_Nuclei_SegmentationModel_Legacy"), await zipEntry(legacy, `${guid}.model`));
    await writeFile(
      join(specDir, "spec.json"),
      JSON.stringify({
        BorderSize: 8,
        ColorHandling: "SplitRgb",
        PixelType: "Gray16",
        Classes: ["Background", "Nucleus"],
        ModelPath: "Simple_Nuclei_SegmentationModel_Legacy",
        Id: guid,
      }),
    );
    const r = await runBin("savedmodel2czmodel", ["spec/spec.json", "out", "nuclei"], work);
    expect(r.status, r.stderr).toBe(0);
    expect(await listTree(join(work, "out"))).toEqual(["nuclei.czmodel"]);
    expect(text(await zipEntry(join(work, "out", "nuclei.czmodel"), `${guid}.xml`))).toBe(text(await zipEntry(legacy, `${guid}.xml`)));
  });

  it("savedmodel2czann with a missing spec: exit 2, one line naming the tool and the file", async () => {
    const r = await runBin("savedmodel2czann", [join(work, "missing.json"), join(work, "never")]);
    expectOneLineError(r, ["missing.json"], { tool: "savedmodel2czann" });
    expect(await listTree(join(work, "never"))).toBeNull();
  });
});
