/**
 * `npm run bench:predict [-- --sizes 4096,16384,32768] [--repeat N] [--output labels|probabilities|both]
 *                        [--input deflate|none] [--threads N] [--pyramid | --objects] [--keep] [--json]`
 *
 * Builds large tiled uint16 BigTIFFs from the real nuclei image (mirror-tiled), predicts each
 * with the real nuclei model (../shared/testdata) to a tiled OME-TIFF, and compares that with
 * the runtime alone (`bench/predict-one.ts`: the same number of tiles from ready tensors, no
 * IO, no conversion; each tensor holds the image's centre tile, because the model runs noise
 * at about half the speed of real pixels). Every measurement runs in its own process.
 *
 * One run of either side varies by up to ±25 % on a small shared machine, so each size is
 * measured `--repeat` times (default 3) per side, interleaved (e2e, runtime, e2e, runtime, …)
 * so that a drift in machine load hits both sides. Printed per size:
 * - wall seconds of each side: median and min–max over the runs; MP/s from the medians;
 * - ratio = median runtime-only time / median e2e time (target >= 0.9);
 * - CPU seconds (user + sys of the child over the measured work) of each side, median, and
 *   the overhead CPU seconds per tile = (e2e CPU − runtime CPU) / tiles: what reading,
 *   converting, stitching and writing cost; far less noisy than wall time, as it does not
 *   count waiting for a core;
 * - peak RSS of the prediction process, max over the e2e runs (target <= 1 GB, flat across
 *   sizes).
 * Both sides run with the same onnxruntime thread count, printed in the header: `--threads`,
 * or every core (`os.availableParallelism()`, the CLI default).
 * `--input none` writes the test images uncompressed (default deflate, zlib level 1): the
 * difference shows what inflating the input costs, apart from the pipeline itself.
 * `--output` is predictFile's `output` (default labels; probabilities writes float32 per class,
 * 8 bytes per pixel for the two-class nuclei model, so 32768² needs ~9 GB of free disk).
 * The e2e side writes full resolution only (`pyramid: false`). `--pyramid` compares instead
 * predict with a pyramid (OME-TIFF SubIFDs, `pyramid: true`) against the same predict without
 * one, interleaved (with, without, with, …), and prints per size the median wall and CPU
 * seconds of each side, ratio = median with / median without (target <= 1.15), the median of
 * the per-pair ratios (each with-run over the without-run right after it; steadier when the
 * machine's load drifts during the benchmark), and peak RSS.
 * `--objects` compares the same way predict with the objects table measured in the same pass
 * (`czmodel predict --objects T.csv`, 8-connectivity, every class but the background) against
 * the plain predict (target <= 1.10), and also prints the extra CPU ms per megapixel, of the
 * whole process and of the main thread alone (Linux; where the objects run, without
 * onnxruntime's threads and their busy waits: the steadier figure of what a variant costs).
 * `--json` also prints the result rows as JSON at the end; `--keep` keeps the images and the
 * outputs of the last run. Per-run lines go to stderr, the table and JSON to stdout.
 * Arguments are parsed with node:util's parseArgs.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { makeBigTiffFromImage } from "../src/io/tiff/node/make-big-tiff.js";
import type { OneResult } from "./predict-one.js";

const OUTPUTS = ["labels", "probabilities", "both"] as const;
type Output = (typeof OUTPUTS)[number];

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const shared = join(root, "..", "shared", "testdata");
const model = join(shared, "models", "simple_nuclei_segmodel.czann");
const source = join(shared, "images", "nuclei_0000.png");

function usage(message: string): never {
  console.error(`bench/predict.ts: ${message}`);
  console.error(
    "usage: bench/predict.ts [--sizes 4096,16384,32768] [--repeat 3] [--output labels|probabilities|both] [--input deflate|none] [--threads N] [--pyramid | --objects] [--keep] [--json]",
  );
  process.exit(2);
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) usage(`${name}: "${text}" is not a positive whole number`);
  return n;
}

/** The parsed flags; a bad command line ends in usage(). */
function parseOptions() {
  try {
    return parseArgs({
      options: {
        sizes: { type: "string", default: "4096,16384,32768" },
        repeat: { type: "string", default: "3" },
        output: { type: "string", default: "labels" },
        input: { type: "string", default: "deflate" },
        threads: { type: "string" },
        pyramid: { type: "boolean", default: false },
        objects: { type: "boolean", default: false },
        keep: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
      },
    }).values;
  } catch (e) {
    usage((e as Error).message);
  }
}
const parsed = parseOptions();
const sizes = parsed.sizes.split(",").map((s) => positiveInt("--sizes", s));
const repeat = positiveInt("--repeat", parsed.repeat);
// both sides get the same explicit count: the CLI default (every core) unless --threads says otherwise
const threads = String(parsed.threads === undefined ? availableParallelism() : positiveInt("--threads", parsed.threads));
if (!(OUTPUTS as readonly string[]).includes(parsed.output)) usage(`--output must be one of ${OUTPUTS.join(", ")}, got "${parsed.output}"`);
const output = parsed.output as Output;
if (parsed.input !== "deflate" && parsed.input !== "none") usage(`--input must be deflate or none, got "${parsed.input}"`);
const compressInput = parsed.input === "deflate";
const { keep, json } = parsed;
if (parsed.pyramid && parsed.objects) usage("--pyramid and --objects are two separate comparisons; give one");

async function child(args: string[]): Promise<OneResult> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", join(root, "bench", "predict-one.ts"), ...args, threads], {
    cwd: root,
    maxBuffer: 1 << 20,
    env: { ...process.env, CI: "1" },
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as OneResult;
}

interface Spread {
  median: number;
  min: number;
  max: number;
}
function spread(values: number[]): Spread {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return { median: v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2, min: v[0]!, max: v[v.length - 1]! };
}
const cpuS = (r: OneResult) => (r.cpuUserMs + r.cpuSysMs) / 1000;
const mainCpuS = (r: OneResult) => (r.mainCpuMs ?? Number.NaN) / 1000;

/** One row of the result (also the `--json` output). Times in seconds. */
interface Row {
  size: number;
  megapixels: number;
  tiles: number;
  batch: number;
  output: Output;
  runs: number;
  e2eS: Spread;
  runtimeS: Spread;
  e2eMPps: number;
  runtimeMPps: number;
  /** median runtime-only time / median e2e time */
  ratio: number;
  e2eCpuS: Spread;
  runtimeCpuS: Spread;
  /** (median e2e CPU − median runtime CPU) / tiles */
  overheadCpuSPerTile: number;
  /** max over the e2e runs */
  peakRssMb: number;
  runtimePeakRssMb: number;
}

/** Build the mirror-tiled `size²` input image; returns its path. */
async function makeImage(size: number, dir: string): Promise<string> {
  const image = join(dir, `nuclei_${size}.ome.tif`);
  const made = performance.now();
  await makeBigTiffFromImage(source, image, { width: size, height: size, compress: compressInput, overwrite: true });
  console.error(`${size}²: image made in ${((performance.now() - made) / 1000).toFixed(1)} s`);
  return image;
}

async function measure(size: number, dir: string): Promise<Row> {
  const image = await makeImage(size, dir);
  const e2e: OneResult[] = [];
  const rt: OneResult[] = [];
  let files: string[] = [];
  try {
    for (let i = 0; i < repeat; i++) {
      const e = await child(["e2e", model, image, join(dir, `${output}_${size}.ome.tif`), output, "off", "-"]);
      e2e.push(e);
      files = e.files ?? [];
      const r = await child(["runtime", model, String(e.tiles), String(e.batch), image]);
      rt.push(r);
      console.error(
        `${size}² run ${i + 1}/${repeat}: e2e ${(e.ms / 1000).toFixed(2)} s, CPU ${cpuS(e).toFixed(2)} s, RSS ${e.peakRssMb.toFixed(0)} MB` +
          ` | runtime ${(r.ms / 1000).toFixed(2)} s, CPU ${cpuS(r).toFixed(2)} s`,
      );
    }
  } finally {
    if (!keep) await Promise.all([image, ...files].map((f) => rm(f, { force: true })));
  }
  const first = e2e[0]!;
  const mp = first.megapixels!;
  const e2eS = spread(e2e.map((r) => r.ms / 1000));
  const runtimeS = spread(rt.map((r) => r.ms / 1000));
  const e2eCpuS = spread(e2e.map(cpuS));
  const runtimeCpuS = spread(rt.map(cpuS));
  return {
    size,
    megapixels: mp,
    tiles: first.tiles,
    batch: first.batch!,
    output,
    runs: repeat,
    e2eS,
    runtimeS,
    e2eMPps: mp / e2eS.median,
    runtimeMPps: mp / runtimeS.median,
    ratio: runtimeS.median / e2eS.median,
    e2eCpuS,
    runtimeCpuS,
    overheadCpuSPerTile: (e2eCpuS.median - runtimeCpuS.median) / first.tiles,
    peakRssMb: Math.max(...e2e.map((r) => r.peakRssMb)),
    runtimePeakRssMb: Math.max(...rt.map((r) => r.peakRssMb)),
  };
}

const s = (v: number, digits = 2) => v.toFixed(digits);
const timeCell = (t: Spread) => `${s(t.median)} (${s(t.min)}–${s(t.max)})`;
const columns: [string, number, (r: Row) => string][] = [
  ["size", 7, (r) => `${r.size}²`],
  ["MP", 6, (r) => s(r.megapixels, 0)],
  ["tiles", 6, (r) => String(r.tiles)],
  ["e2e s (min–max)", 22, (r) => timeCell(r.e2eS)],
  ["runtime s (min–max)", 22, (r) => timeCell(r.runtimeS)],
  ["e2e MP/s", 9, (r) => s(r.e2eMPps)],
  ["rt MP/s", 8, (r) => s(r.runtimeMPps)],
  ["ratio", 6, (r) => s(r.ratio)],
  ["e2e CPU s", 10, (r) => s(r.e2eCpuS.median)],
  ["rt CPU s", 9, (r) => s(r.runtimeCpuS.median)],
  ["ovh CPU s/tile", 15, (r) => s(r.overheadCpuSPerTile, 3)],
  ["peak RSS MB", 12, (r) => s(r.peakRssMb, 0)],
];
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(columns[i]![1]) : c.padStart(columns[i]![1]))).join(" ");

/**
 * A "with vs without" comparison of predict end to end: `--pyramid` (OME-TIFF SubIFDs against
 * full resolution only) or `--objects` (the objects table measured in the same pass, written
 * as CSV, against the plain prediction; both without a pyramid).
 */
interface Variant {
  name: string;
  /** predict-one's PYRAMID and OBJECTS arguments for the side with (`on`) and without (`off`) it. */
  args: (side: "on" | "off", dir: string, size: number) => [string, string];
  target: number;
}
const VARIANTS: Record<"pyramid" | "objects", Variant> = {
  pyramid: { name: "pyramid", args: (side) => [side, "-"], target: 1.15 },
  objects: { name: "objects", args: (side, dir, size) => ["off", side === "on" ? join(dir, `objects_${size}.csv`) : "-"], target: 1.1 },
};

/** One row of `--pyramid` / `--objects`: predict with it against without. Times in seconds. */
interface PairRow {
  variant: string;
  size: number;
  megapixels: number;
  tiles: number;
  output: Output;
  runs: number;
  withS: Spread;
  withoutS: Spread;
  /** median with / median without */
  ratio: number;
  /** with / without of each interleaved pair (run i of both sides, under about the same load): median, min, max */
  pairRatio: Spread;
  withCpuS: Spread;
  withoutCpuS: Spread;
  /** (median CPU with − median CPU without) / megapixels: the extra CPU per MP */
  extraCpuMsPerMP: number;
  /** The main thread's own CPU (Linux; NaN elsewhere), medians: with, without, and the extra per MP. */
  withMainCpuS: number;
  withoutMainCpuS: number;
  extraMainCpuMsPerMP: number;
  withPeakRssMb: number;
  withoutPeakRssMb: number;
}

async function measurePair(variant: Variant, size: number, dir: string): Promise<PairRow> {
  const image = await makeImage(size, dir);
  const sides = { on: [] as OneResult[], off: [] as OneResult[] };
  let files: string[] = [];
  try {
    for (let i = 0; i < repeat; i++) {
      for (const side of ["on", "off"] as const) {
        const out = join(dir, `${output}_${size}_${side}.ome.tif`);
        const r = await child(["e2e", model, image, out, output, ...variant.args(side, dir, size)]);
        sides[side].push(r);
        files = [...new Set([...files, ...(r.files ?? []), ...variant.args(side, dir, size).filter((a) => a.endsWith(".csv"))])];
      }
      const [on, off] = [sides.on[i]!, sides.off[i]!];
      console.error(
        `${size}² run ${i + 1}/${repeat}: ${variant.name} ${(on.ms / 1000).toFixed(2)} s, CPU ${cpuS(on).toFixed(2)} s (main ${mainCpuS(on).toFixed(2)} s), RSS ${on.peakRssMb.toFixed(0)} MB` +
          ` | without ${(off.ms / 1000).toFixed(2)} s, CPU ${cpuS(off).toFixed(2)} s (main ${mainCpuS(off).toFixed(2)} s), RSS ${off.peakRssMb.toFixed(0)} MB`,
      );
    }
  } finally {
    if (!keep) await Promise.all([image, ...files].map((f) => rm(f, { force: true })));
  }
  const withS = spread(sides.on.map((r) => r.ms / 1000));
  const withoutS = spread(sides.off.map((r) => r.ms / 1000));
  const withCpuS = spread(sides.on.map(cpuS));
  const withoutCpuS = spread(sides.off.map(cpuS));
  const withMainCpuS = spread(sides.on.map(mainCpuS)).median;
  const withoutMainCpuS = spread(sides.off.map(mainCpuS)).median;
  const megapixels = sides.on[0]!.megapixels!;
  return {
    variant: variant.name,
    size,
    megapixels,
    tiles: sides.on[0]!.tiles,
    output,
    runs: repeat,
    withS,
    withoutS,
    ratio: withS.median / withoutS.median,
    pairRatio: spread(sides.on.map((r, i) => r.ms / sides.off[i]!.ms)),
    withCpuS,
    withoutCpuS,
    extraCpuMsPerMP: ((withCpuS.median - withoutCpuS.median) * 1000) / megapixels,
    withMainCpuS,
    withoutMainCpuS,
    extraMainCpuMsPerMP: ((withMainCpuS - withoutMainCpuS) * 1000) / megapixels,
    withPeakRssMb: Math.max(...sides.on.map((r) => r.peakRssMb)),
    withoutPeakRssMb: Math.max(...sides.off.map((r) => r.peakRssMb)),
  };
}

function printPairRows(variant: Variant, rows: PairRow[]): void {
  const pairColumns: [string, number, (r: PairRow) => string][] = [
    ["size", 7, (r) => `${r.size}²`],
    ["MP", 6, (r) => s(r.megapixels, 0)],
    ["tiles", 6, (r) => String(r.tiles)],
    [`with s (min–max)`, 22, (r) => timeCell(r.withS)],
    ["without s (min–max)", 22, (r) => timeCell(r.withoutS)],
    ["ratio", 6, (r) => s(r.ratio)],
    ["pair ratio (min–max)", 21, (r) => `${s(r.pairRatio.median)} (${s(r.pairRatio.min)}–${s(r.pairRatio.max)})`],
    ["with CPU s", 11, (r) => s(r.withCpuS.median)],
    ["w/o CPU s", 10, (r) => s(r.withoutCpuS.median)],
    ["+CPU ms/MP", 11, (r) => s(r.extraCpuMsPerMP, 1)],
    ["main CPU s w / w/o", 19, (r) => `${s(r.withMainCpuS)} / ${s(r.withoutMainCpuS)}`],
    ["+main ms/MP", 12, (r) => s(r.extraMainCpuMsPerMP, 1)],
    ["with RSS MB", 12, (r) => s(r.withPeakRssMb, 0)],
    ["w/o RSS MB", 11, (r) => s(r.withoutPeakRssMb, 0)],
  ];
  const cells = (values: string[]) =>
    values.map((c, i) => (i === 0 ? c.padEnd(pairColumns[i]![1]) : c.padStart(pairColumns[i]![1]))).join(" ");
  console.log(
    `
medians over ${repeat} run(s) per side, interleaved; (min–max) = spread of the wall times;` +
      `
ratio = median s with ${variant.name} / median s without; pair ratio = median of with / without per interleaved pair` +
      `
(run i of both sides ran back to back, so a change in machine load hits both: steadier on a shared machine);` +
      `
CPU s = user + sys of the child, median (it counts onnxruntime's threads waiting busily, so it moves with load too);` +
      `
+CPU ms/MP = extra CPU per megapixel; main CPU = the main thread's own CPU (Linux), median: the
reading, stitching, writing and what the variant adds, without onnxruntime's threads; RSS = max
`,
  );
  console.log(cells(pairColumns.map(([h]) => h)));
  for (const r of rows) console.log(cells(pairColumns.map(([, , cell]) => cell(r))));
  console.log(`
target: ratio <= ${variant.target}`);
}

const variant = parsed.pyramid ? VARIANTS.pyramid : parsed.objects ? VARIANTS.objects : undefined;
const rounded = (_key: string, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toFixed(3)) : v);
const dir = await mkdtemp(join(tmpdir(), "czmodel-bench-"));
console.log(
  `model ${model}\nthreads ${threads} on both sides${parsed.threads === undefined ? " (every core, the default)" : ""}; input ${compressInput ? "deflate" : "uncompressed"}; output ${output}; ` +
    `${variant ? `with vs without ${variant.name}` : "e2e (no pyramid) vs runtime"}; ${repeat} run(s) per side per size, interleaved; temp ${dir}`,
);
if (variant) {
  const rows: PairRow[] = [];
  try {
    for (const size of sizes) rows.push(await measurePair(variant, size, dir));
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
  printPairRows(variant, rows);
  if (json) console.log(JSON.stringify(rows, rounded, 2));
} else {
  const rows: Row[] = [];
  try {
    for (const size of sizes) rows.push(await measure(size, dir));
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
  console.log(
    `\nmedians over ${repeat} run(s) per side; (min–max) = spread of the wall times; MP/s from the median times;` +
      `\nratio = median runtime s / median e2e s; CPU s = user + sys of the child, median;` +
      `\novh CPU s/tile = (e2e CPU − rt CPU) / tiles; peak RSS = max over the e2e runs\n`,
  );
  console.log(line(columns.map(([h]) => h)));
  for (const r of rows) console.log(line(columns.map(([, , cell]) => cell(r))));
  console.log("\ntargets: ratio >= 0.9; peak RSS <= 1024 MB and flat across sizes");
  if (json) console.log(JSON.stringify(rows, rounded, 2));
}
