/**
 * Issue 12 point 4: a huge but legitimate image (an OME-Zarr of 8192² whose chunks are all
 * missing, so every pixel is the fill value) streams through predict and stops on Ctrl-C: exit
 * 130 and no `.partial` output left, like a TIFF input. Sizes past the documented limits are
 * refused before the run (declared-sizes.test.ts).
 */
import { spawn } from "node:child_process";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scratchDir } from "../cli/helpers.js";
import { repoRoot, testdata } from "../helpers/paths.js";
import { writeZarr } from "./zarr.js";

describe("predict on a large sparse OME-Zarr", () => {
  it("SIGINT ends it with exit 130 and leaves no output or temp file", async () => {
    const dir = await scratchDir("hostile-interrupt-");
    const input = join(dir, "sparse.ome.zarr");
    await writeZarr(input, { shape: [8192, 8192], chunks: [1024, 1024], compressor: null }, allChunks(8));
    const outDir = join(dir, "out");
    await mkdir(outDir);
    const model = testdata("models", "simple_nuclei_segmodel.czann");
    const child = spawn(
      process.execPath,
      [join(repoRoot, "bin", "czmodel.js"), "predict", model, input, "-o", join(outDir, "labels.ome.tif")],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while ((await readdir(outDir)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await readdir(outDir)).toHaveLength(1);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toBe("czmodel: error: prediction cancelled\n");
    expect(await readdir(outDir)).toEqual([]);
  }, 60_000);
});

/** Every chunk key of an `n` × `n` chunk grid (all skipped: the store holds only metadata). */
function allChunks(n: number): string[] {
  return Array.from({ length: n * n }, (_, i) => `${Math.floor(i / n)}.${i % n}`);
}
