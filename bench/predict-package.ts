/**
 * `npm run bench:package [-- --sizes 2048,4096,8192] [--package DIR] [--tile H,W] [--keep] [--json]`
 *
 * Peak memory and time of `czmodel predict PACKAGE` (whole-image statistics pass + tiled
 * prediction) as the image grows: for each size, a uint16 BigTIFF is mirror-tiled from the real
 * nuclei image (deflate), and the CLI runs in its own process
 * (`node --import bench/peak-rss.mjs bin/czmodel.js predict PACKAGE IMAGE -o OUT.ome.tif --json`),
 * which reports its peak RSS (worker threads included) on exit. Default package: the real
 * unet2d_nuclei_broad (zero_mean_unit_variance over the whole image, 512² tiles, halo 32).
 * Printed per size: megapixels, tiles, wall seconds, seconds of the statistics pass, MP/s and
 * peak RSS; if nothing holds the whole image, the RSS column stays flat while the area grows
 * 16×. Per-size lines go to stderr, the table (and `--json` rows) to stdout.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { makeBigTiffFromImage } from "../src/io/tiff/node/make-big-tiff.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const shared = join(root, "..", "shared", "testdata");

function usage(message: string): never {
  console.error(`bench/predict-package.ts: ${message}`);
  console.error("usage: bench/predict-package.ts [--sizes 2048,4096,8192] [--package DIR] [--tile H,W] [--keep] [--json]");
  process.exit(2);
}

/** The parsed flags; a bad command line ends in usage(). */
function parseOptions() {
  try {
    return parseArgs({
      options: {
        sizes: { type: "string", default: "2048,4096,8192" },
        package: { type: "string", default: join(shared, "bioimageio", "unet2d_nuclei_broad") },
        tile: { type: "string" },
        keep: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
      },
    }).values;
  } catch (e) {
    usage((e as Error).message);
  }
}
const parsed = parseOptions();
const sizes = parsed.sizes.split(",").map((s) => {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 1) usage(`--sizes: "${s}" is not a positive whole number`);
  return n;
});

interface PackageRun {
  megapixels: number;
  tiles: number;
  wallS: number;
  statisticsS: number;
  peakRssMb: number;
}

/** One CLI run in its own process: its JSON result and peak RSS. */
async function measurePackageRun(pkg: string, image: string, out: string, extra: string[] = []): Promise<PackageRun> {
  const t0 = performance.now();
  const { stdout, stderr } = await run(
    process.execPath,
    ["--import", "./bench/peak-rss.mjs", "bin/czmodel.js", "predict", pkg, image, "-o", out, "--overwrite", "--json", ...extra],
    {
      cwd: root,
      maxBuffer: 16 << 20,
      env: { ...process.env, CI: "1" },
    },
  );
  const wallS = (performance.now() - t0) / 1000;
  const j = JSON.parse(stdout) as { megapixels: number; tiles: number; package: { statisticsMs: number } };
  const rss = /peak-rss-kb (\d+)/.exec(stderr);
  if (!rss) throw new Error(`no peak-rss line in: ${stderr}`);
  return { megapixels: j.megapixels, tiles: j.tiles, wallS, statisticsS: j.package.statisticsMs / 1000, peakRssMb: Number(rss[1]) / 1024 };
}

const dir = await mkdtemp(join(tmpdir(), "czmodel-bench-package-"));
console.log(`package ${parsed.package}; tile ${parsed.tile ?? "the package's"}; temp ${dir}`);
const rows: (PackageRun & { size: number })[] = [];
try {
  for (const size of sizes) {
    const image = join(dir, `nuclei_${size}.ome.tif`);
    const out = join(dir, `out_${size}.ome.tif`);
    await makeBigTiffFromImage(join(shared, "images", "nuclei_0000.png"), image, { width: size, height: size, overwrite: true });
    const r = await measurePackageRun(parsed.package, image, out, parsed.tile ? ["--tile", parsed.tile] : []);
    console.error(`${size}²: ${r.wallS.toFixed(1)} s (statistics ${r.statisticsS.toFixed(2)} s), peak RSS ${r.peakRssMb.toFixed(0)} MB`);
    rows.push({ size, ...r });
    if (!parsed.keep) await Promise.all([image, out].map((f) => rm(f, { force: true })));
  }
} finally {
  if (!parsed.keep) await rm(dir, { recursive: true, force: true });
}
const header = ["size", "MP", "tiles", "wall s", "stats s", "MP/s", "peak RSS MB"];
console.log(header.join("\t"));
for (const r of rows) {
  console.log(
    [
      `${r.size}²`,
      r.megapixels.toFixed(1),
      r.tiles,
      r.wallS.toFixed(1),
      r.statisticsS.toFixed(2),
      (r.megapixels / r.wallS).toFixed(2),
      r.peakRssMb.toFixed(0),
    ].join("\t"),
  );
}
if (parsed.json) console.log(JSON.stringify(rows));
