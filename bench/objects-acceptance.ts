/**
 * `npm run acceptance:objects [-- --size 16384] [--keep]`
 *
 * The objects acceptance run at scale, with real processes: the nuclei image (uint16) mirror-
 * tiled into a size² tiled BigTIFF, so that nuclei cross every tile seam of the prediction and
 * every mirror seam; `czmodel predict` with the real nuclei model and `--objects` (the objects
 * measured in the prediction's own streaming pass), its peak RSS taken by bench/peak-rss.mjs;
 * then scipy.ndimage.label + skimage.measure.regionprops (Debian python3-scipy /
 * python3-skimage, `make.py --big-table`) on the whole label image it wrote, with the same
 * intensity image. It checks that the two tables have the same objects in the same order with
 * equal ids, areas, bounding boxes and min / max intensity, that every other column agrees
 * within 1e-9 (relative), and that the peak RSS stays within 1 GB. Exits 1 on any difference.
 * Slow (about a minute for the prediction and two for scipy at 16384² on two cores; scipy needs
 * a few GB), so it is a script and not part of `npm test`; the same checks run on the nuclei
 * image itself and on a 4100 × 3000 label BigTIFF in test/cli/objects.test.ts.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { makeBigTiffFromImage } from "../src/io/tiff/node/make-big-tiff.js";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const testdata = join(root, "..", "shared", "testdata");
const MODEL = join(testdata, "models", "simple_nuclei_segmodel.czann");
const SOURCE = join(testdata, "images", "nuclei_0000.png");
const NUCLEUS = 2;
const PEAK_RSS_LIMIT_MB = 1024;
const EXACT = ["class", "id", "area_px", "bbox_y", "bbox_x", "bbox_height", "bbox_width", "min_intensity", "max_intensity"];
const CLOSE = [
  "centroid_y",
  "centroid_x",
  "mean_intensity",
  "std_intensity",
  "perimeter",
  "equivalent_diameter",
  "eccentricity",
  "solidity",
];

const { values } = parseArgs({ options: { size: { type: "string", default: "16384" }, keep: { type: "boolean", default: false } } });
const size = Number(values.size);

function parseCsv(text: string): Record<string, number>[] {
  const [head, ...rows] = text.trim().split("\n");
  const cols = head!.split(",");
  return rows.map((r) => Object.fromEntries(r.split(",").map((v, i) => [cols[i]!, Number(v)])));
}

/** The differences between our table and scipy's (at most `limit` listed). */
function differences(ours: Record<string, number>[], want: Record<string, number>[], limit = 10): string[] {
  const out: string[] = [];
  if (ours.length !== want.length) out.push(`${ours.length} objects, scipy has ${want.length}`);
  for (let i = 0; i < Math.min(ours.length, want.length) && out.length < limit; i++) {
    const [o, w] = [ours[i]!, want[i]!];
    for (const k of EXACT) if (o[k] !== w[k]) out.push(`object ${i + 1} ${k}: ${o[k]} != ${w[k]}`);
    for (const k of CLOSE)
      if (!(Math.abs(o[k]! - w[k]!) <= 1e-9 * Math.max(1, Math.abs(w[k]!)))) out.push(`object ${i + 1} ${k}: ${o[k]} != ${w[k]}`);
  }
  return out.slice(0, limit);
}

async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await f();
  console.log(`${what}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

const dir = await mkdtemp(join(tmpdir(), "czmodel-objects-acceptance-"));
try {
  const image = join(dir, `nuclei_${size}.ome.tif`);
  const labels = join(dir, "labels.ome.tif");
  const ours = join(dir, "objects.csv");
  const theirs = join(dir, "scipy.csv");
  await timed(`${size}² uint16 BigTIFF made`, () => makeBigTiffFromImage(SOURCE, image, { width: size, height: size }));
  const predicted = await timed("czmodel predict --objects", () =>
    exec(
      process.execPath,
      [
        "--import",
        join(root, "bench", "peak-rss.mjs"),
        join(root, "bin", "czmodel.js"),
        "predict",
        MODEL,
        image,
        "-o",
        labels,
        "--objects",
        ours,
        "--quiet",
      ],
      { env: { ...process.env, CI: "1" }, maxBuffer: 64 << 20 },
    ),
  );
  const peakMb = Number(/peak-rss-kb (\d+)/.exec(predicted.stderr)?.[1]) / 1024;
  const script = join(root, "test", "fixtures", "objects", "make.py");
  await timed("scipy + skimage on the whole label image", () =>
    exec("/usr/bin/python3", [script, "--big-table", labels, image, String(NUCLEUS), theirs], { maxBuffer: 64 << 20 }),
  );
  const table = parseCsv(await readFile(ours, "utf8"));
  const found = differences(table, parseCsv(await readFile(theirs, "utf8")));
  console.log(`objects: ${table.length}; peak RSS of predict: ${peakMb.toFixed(0)} MB (limit ${PEAK_RSS_LIMIT_MB} MB)`);
  for (const d of found) console.log(`  ${d}`);
  const ok = found.length === 0 && peakMb <= PEAK_RSS_LIMIT_MB;
  console.log(ok ? "PASS: the table equals scipy's and skimage's" : "FAIL");
  if (values.keep) console.log(`kept ${dir}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  if (!values.keep) await rm(dir, { recursive: true, force: true });
}
