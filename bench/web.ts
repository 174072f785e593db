/**
 * Benchmark of the page's prediction against onnxruntime-web in Node on the same model,
 * image and tiles (`npm run bench:web`, which builds the page first):
 *
 *   node --import tsx bench/web.ts [--model FILE] [--image FILE | --size N] [--runs 5]
 *
 * Defaults: the real nuclei model on nuclei_0000.png mirror-tiled to 4096 × 4096 (a tiled
 * uncompressed OME-TIFF in the temp folder; about 20 tiles of 1024²). The page runs in
 * headless Chromium with COOP/COEP (wasm threads = min(4, cores)); Node runs the same engine
 * with onnxruntime-web (wasm) and the same thread count. The two sides take turns, `--runs`
 * times each (so a change in machine load hits both); the verdict uses the median of the
 * page / Node ratios of neighbouring runs (target >= 0.7), the best of each side is shown too.
 */
import { rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import * as ortWeb from "onnxruntime-web";
import { chromium } from "playwright-core";
import { readModelFile } from "../src/container/node/index.js";
import { engineModelFromFile } from "../src/engine/from-model-file.js";
import { predict, type OrtRuntime } from "../src/engine/index.js";
import { MemoryImageSink } from "../src/io/memory/index.js";
import { openImageFile } from "../src/io/node/open-file.js";
import { makeBigTiffFromImage } from "../src/io/tiff/node/make-big-tiff.js";
import { LAUNCH_ARGS, CHROMIUM, DIST } from "../test/browser/helpers.js";
import { startServer } from "../web/serve.js";

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const testdata = (...p: string[]) => new URL(`../../shared/testdata/${p.join("/")}`, import.meta.url).pathname;
const modelPath = option("--model") ?? testdata("models", "simple_nuclei_segmodel.czann");
const runs = Number(option("--runs") ?? 5);
let imagePath = option("--image");
if (!imagePath) {
  const size = Number(option("--size") ?? 4096);
  imagePath = join(tmpdir(), `czmodel-bench-nuclei-${size}.ome.tif`);
  await makeBigTiffFromImage(testdata("images", "nuclei_0000.png"), imagePath, {
    width: size,
    height: size,
    compress: false,
    overwrite: true,
  });
}
const threads = Math.max(1, Math.min(4, cpus().length));

interface Run {
  mps: number;
  seconds: number;
  tiles: number;
}
const best = (rs: Run[]) => rs.reduce((a, b) => (b.mps > a.mps ? b : a));
const line = (label: string, rs: Run[]) =>
  `${label.padEnd(28)} best ${best(rs).mps.toFixed(2).padStart(6)} MP/s   runs: ${rs.map((r) => `${r.mps.toFixed(2)} (${r.seconds.toFixed(2)} s)`).join(", ")}`;

/** The page, opened once, with model and image loaded; `run()` predicts once. */
async function openBenchPage(): Promise<{ run(): Promise<Run>; close(): Promise<void> }> {
  const server = await startServer({ root: DIST });
  const profile = join(tmpdir(), `czmodel-bench-profile-${process.pid}`);
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${server.url}#predict`);
  await page.setInputFiles("#predict-model", modelPath);
  await page.setInputFiles("#predict-image", imagePath!);
  await page.locator("#viewer-canvas[data-image]").waitFor({ timeout: 120_000 });
  return {
    async run() {
      await page.locator("#predict-run:not([disabled])").waitFor();
      await page.evaluate(() => delete document.getElementById("predict-summary")!.dataset.elapsedMs);
      await page.click("#predict-run");
      await page.waitForFunction(
        () =>
          document.getElementById("predict-summary")?.dataset.elapsedMs !== undefined ||
          document.getElementById("predict-error")?.textContent,
        null,
        { timeout: 600_000 },
      );
      const error = await page.locator("#predict-error").textContent();
      if (error) throw new Error(`the page failed: ${error}`);
      const d = await page.evaluate(() => ({ ...document.getElementById("predict-summary")!.dataset }));
      const seconds = Number(d.elapsedMs) / 1000;
      return { mps: Number(d.megapixels) / seconds, seconds, tiles: Number(d.tiles) };
    },
    async close() {
      await context.close();
      await server.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

const nodeModel = engineModelFromFile(await readModelFile(modelPath)).model;
ortWeb.env.wasm.numThreads = threads;

async function nodeRun(): Promise<Run> {
  const source = await openImageFile(imagePath!);
  try {
    const r = await predict(nodeModel, source, new MemoryImageSink(), { runtime: ortWeb as unknown as OrtRuntime, threads });
    return { mps: r.megapixelsPerSecond, seconds: r.elapsedMs / 1000, tiles: r.tiles };
  } finally {
    await source.close();
  }
}

// Alternate page and Node runs so a change in machine load hits both sides alike.
const bench = await openBenchPage();
const page: Run[] = [];
const node: Run[] = [];
try {
  for (let i = 0; i < runs; i++) {
    page.push(await bench.run());
    node.push(await nodeRun());
  }
} finally {
  await bench.close();
}
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};
const paired = median(page.map((p, i) => p.mps / node[i]!.mps));
const ratio = best(page).mps / best(node).mps;
console.log(`model ${modelPath}\nimage ${imagePath}: ${best(page).tiles} tiles, ${threads} wasm thread(s) on both sides`);
console.log(line("page (Chromium, worker)", page));
console.log(line("onnxruntime-web in Node", node));
console.log(
  `ratio page / Node: best ${ratio.toFixed(2)}, median of paired runs ${paired.toFixed(2)} (target >= 0.7) ${paired >= 0.7 ? "OK" : "BELOW TARGET"}`,
);
