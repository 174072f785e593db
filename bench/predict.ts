/**
 * `npm run bench:predict [-- --sizes 4096,16384,32768] [--threads N] [--keep]`
 *
 * Builds large tiled uint16 BigTIFFs from the real nuclei image (mirror-tiled), predicts each
 * with the real nuclei model (../shared/testdata) to a tiled OME-TIFF, and prints per size:
 * end-to-end MP/s, the runtime-only MP/s on the same number of tiles from ready tensors (no
 * IO, no conversion), their ratio (target >= 0.9) and the peak RSS of the prediction process
 * (target <= 1 GB, flat across sizes). Each measurement runs in its own process.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { makeBigTiffFromImage } from "../src/io/tiff/node/make-big-tiff.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const shared = join(root, "..", "shared", "testdata");
const model = join(shared, "models", "simple_nuclei_segmodel.czann");
const source = join(shared, "images", "nuclei_0000.png");

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const sizes = (option("--sizes") ?? "4096,16384,32768").split(",").map(Number);
const threads = option("--threads");
const keep = process.argv.includes("--keep");

async function child(args: string[]): Promise<Record<string, number>> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", join(root, "bench", "predict-one.ts"), ...args], {
    cwd: root,
    maxBuffer: 1 << 20,
    env: { ...process.env, CI: "1" },
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, number>;
}

const dir = await mkdtemp(join(tmpdir(), "czmodel-bench-"));
console.log(`model ${model}\nthreads ${threads ?? "all cores"}; temp ${dir}\n`);
console.log("size        MP    tiles  e2e MP/s  runtime MP/s  ratio  peak RSS (MB)  e2e s");
try {
  for (const size of sizes) {
    const image = join(dir, `nuclei_${size}.ome.tif`);
    await makeBigTiffFromImage(source, image, { width: size, height: size, compress: true, overwrite: true });
    const e2e = await child(["e2e", model, image, join(dir, `labels_${size}.ome.tif`), ...(threads ? [threads] : [])]);
    const rt = await child(["runtime", model, String(e2e.tiles), String(e2e.batch), ...(threads ? [threads] : [])]);
    const mp = e2e.megapixels!;
    const e2eRate = mp / (e2e.ms! / 1000);
    const rtRate = mp / (rt.ms! / 1000);
    const line = [
      `${size}²`.padEnd(10),
      mp.toFixed(0).padStart(5),
      String(e2e.tiles).padStart(7),
      e2eRate.toFixed(2).padStart(9),
      rtRate.toFixed(2).padStart(13),
      (e2eRate / rtRate).toFixed(2).padStart(6),
      e2e.peakRssMb!.toFixed(0).padStart(14),
      (e2e.ms! / 1000).toFixed(1).padStart(6),
    ];
    console.log(line.join(" "));
    if (!keep) await rm(image, { force: true });
    const out = await stat(join(dir, `labels_${size}.ome.tif`));
    if (!keep) await rm(join(dir, `labels_${size}.ome.tif`), { force: true });
    void out;
  }
} finally {
  if (!keep) await rm(dir, { recursive: true, force: true });
}
console.log("\ntargets: ratio >= 0.9; peak RSS <= 1024 MB and flat across sizes");
