/**
 * `npm run bench:convert [-- --sizes 4096,16384,32768] [--to ome-zarr,ome-zarr-single,ome-tiff] [--keep] [--json]`
 *
 * Builds large tiled uint16 BigTIFFs from the real nuclei image (mirror-tiled, deflate level 1,
 * `makeBigTiffFromImage`), then converts each with `czmodel image-convert` in its own process
 * (preloaded with `bench/peak-rss.mjs`) to each output format. Printed per size and format:
 * seconds of the conversion (as the command reports it) and of the whole process, megapixels
 * per second of the conversion, CPU seconds and the process's peak RSS (target <= 1 GB,
 * flat across sizes). Per-run lines go to stderr, the table (and with `--json` the rows) to
 * stdout. `--keep` keeps the images and outputs.
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
const source = join(root, "..", "shared", "testdata", "images", "nuclei_0000.png");
/** Output name and extra flags per format; `ome-zarr` gets its default pyramid (on over 4096²), `ome-zarr-single` none. */
const FORMATS = {
  "ome-zarr": { ext: ".ome.zarr", args: [] },
  "ome-zarr-single": { ext: ".ome.zarr", args: ["--no-pyramid"] },
  "ome-tiff": { ext: ".ome.tif", args: [] },
} as const;
type Format = keyof typeof FORMATS;

function usage(message: string): never {
  console.error(`bench/convert.ts: ${message}`);
  console.error("usage: bench/convert.ts [--sizes 4096,16384,32768] [--to ome-zarr,ome-zarr-single,ome-tiff] [--keep] [--json]");
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "4096,16384,32768" },
    to: { type: "string", default: "ome-zarr,ome-zarr-single,ome-tiff" },
    keep: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const sizes = values.sizes.split(",").map((s) => {
  const n = Number(s);
  if (!/^\d+$/.test(s.trim()) || n < 1) usage(`--sizes: "${s}" is not a positive whole number`);
  return n;
});
const formats = values.to.split(",").map((f) => {
  if (!(f in FORMATS)) usage(`--to: "${f}" is not one of ${Object.keys(FORMATS).join(", ")}`);
  return f as Format;
});

interface Row {
  size: number;
  format: Format;
  /** Wall time of the process, start-up included. */
  seconds: number;
  /** The conversion alone, as the command reports it. */
  convertSeconds: number;
  megapixelsPerSecond: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** Convert `input` to `output` in a fresh process; wall time, CPU and peak RSS from the preload's last lines. */
async function convertOnce(
  input: string,
  output: string,
  args: readonly string[],
): Promise<{ seconds: number; convertSeconds: number; cpuSeconds: number; peakRssMb: number }> {
  const started = performance.now();
  const { stdout, stderr } = await run(
    process.execPath,
    [
      "--import",
      join(root, "bench", "peak-rss.mjs"),
      join(root, "bin", "czmodel.js"),
      "image-convert",
      input,
      output,
      "--json",
      "--overwrite",
      ...args,
    ],
    { maxBuffer: 16 << 20 },
  );
  const seconds = (performance.now() - started) / 1000;
  const rss = /peak-rss-kb (\d+)/.exec(stderr);
  const cpu = /cpu-ms (\d+)/.exec(stderr);
  if (!rss || !cpu) throw new Error(`no peak-rss/cpu lines from the preload:\n${stderr}`);
  const convertSeconds = (JSON.parse(stdout) as { seconds: number }).seconds;
  return { seconds, convertSeconds, cpuSeconds: Number(cpu[1]) / 1000, peakRssMb: Number(rss[1]) / 1024 };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "czmodel-bench-convert-"));
  const rows: Row[] = [];
  try {
    for (const size of sizes) {
      const image = join(dir, `nuclei_${size}.ome.tif`);
      const made = performance.now();
      await makeBigTiffFromImage(source, image, { width: size, height: size, overwrite: true });
      console.error(`${size}²: input made in ${((performance.now() - made) / 1000).toFixed(1)} s`);
      for (const format of formats) {
        const output = join(dir, `out_${size}${FORMATS[format].ext}`);
        const r = await convertOnce(image, output, FORMATS[format].args);
        const row = { size, format, ...r, megapixelsPerSecond: (size * size) / 1e6 / r.convertSeconds };
        rows.push(row);
        console.error(
          `${size}² → ${format}: ${r.seconds.toFixed(2)} s, ${row.megapixelsPerSecond.toFixed(1)} MP/s, RSS ${r.peakRssMb.toFixed(0)} MB`,
        );
        if (!values.keep) await rm(output, { recursive: true, force: true });
      }
      if (!values.keep) await rm(image, { force: true });
    }
  } finally {
    if (!values.keep) await rm(dir, { recursive: true, force: true });
    else console.error(`kept ${dir}`);
  }
  console.log("size      format          convert s  process s   MP/s   CPU s  peak RSS MB");
  for (const r of rows)
    console.log(
      `${`${r.size}²`.padEnd(9)} ${r.format.padEnd(15)} ${r.convertSeconds.toFixed(2).padStart(9)} ${r.seconds.toFixed(2).padStart(10)} ${r.megapixelsPerSecond.toFixed(1).padStart(6)} ${r.cpuSeconds.toFixed(1).padStart(7)} ${r.peakRssMb.toFixed(0).padStart(12)}`,
    );
  console.log("\ntarget: peak RSS <= 1024 MB and flat across sizes");
  if (values.json) console.log(JSON.stringify(rows, null, 2));
}

await main();
