/**
 * The page on WebGPU (docs/gpu.md, "In the browser"): in Chromium with its software WebGPU
 * adapter (SwiftShader, `WEBGPU_ARGS`), device `webgpu` runs the nuclei model on
 * nuclei_0000.png through onnxruntime-web's WebGPU provider and gives the labels of device
 * `wasm`; the result table says which device ran; `auto` takes WebGPU there, and the service
 * worker then keeps the WebGPU files. Without an adapter (Chromium headless without those flags)
 * `auto` runs on wasm and says why, the WebGPU files are not in the offline cache, and `webgpu`
 * is one clear error. The nuclei run on the software adapter takes 5 to 9 minutes.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decode, encode } from "fast-png";
import type { Page } from "playwright-core";
import { testdata } from "../helpers/paths.js";
import {
  downloadFrom,
  openPage,
  packFcn3,
  screenshot,
  unexpectedErrors,
  waitForPrediction,
  WEBGPU_ARGS,
  type PageSession,
} from "./helpers.js";

const MODEL = testdata("models", "simple_nuclei_segmodel.czann");
const IMAGE = testdata("images", "nuclei_0000.png");

async function loadInputs(s: PageSession): Promise<void> {
  const { page } = s;
  await page.setInputFiles("#predict-model", MODEL);
  await page.setInputFiles("#predict-image", IMAGE);
  await page.locator("#predict-image-info").getByText("1960 × 1416 px").waitFor();
  await page.locator("#predict-run:not([disabled])").waitFor();
  await page.click("details.options > summary");
}

/** Run on `device`; the labels (from the PNG download), the device the page reports, its time and table row. */
async function runOn(s: PageSession, device: string, tiles = /^Done: 4 tiles/) {
  const { page } = s;
  await page.selectOption("#predict-device", device);
  await page.click("#predict-run");
  // the software adapter is slow: 288 to 512 s for the nuclei image on 2 busy cores
  const status = await waitForPrediction(page, 1_200_000);
  assert.match(status, tiles);
  const summary = page.locator("#predict-summary");
  const ran = (await summary.getAttribute("data-device")) ?? "";
  const elapsedMs = Number(await summary.getAttribute("data-elapsed-ms"));
  const row = (await page.locator("#predict-summary tr", { hasText: "Device" }).locator("td").textContent()) ?? "";
  const png = await downloadFrom(page, "#predict-download-png", s.dir);
  const decoded = decode(await readFile(png.path));
  return { labels: decoded.data, size: decoded.width * decoded.height, ran, elapsedMs, row };
}

/** The WebGPU-only files in the page's offline cache (paths, chunk hash dropped). */
async function cachedWebgpuFiles(page: Page): Promise<string[]> {
  const paths = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    while (!navigator.serviceWorker.controller) await new Promise((r) => setTimeout(r, 100));
    const names = await caches.keys();
    const cache = await caches.open(names.find((n) => n.startsWith("czmodel-"))!);
    return (await cache.keys()).map((r) => new URL(r.url).pathname).filter((p) => /asyncify|ort\.webgpu/.test(p));
  });
  return paths.map((p) => p.replace(/-[\w-]+\.js$/, ".js")).sort();
}

function countDifferences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe("predict on WebGPU (software adapter)", () => {
  let s: PageSession;
  before(async () => {
    s = await openPage("#predict", { args: WEBGPU_ARGS });
    await loadInputs(s);
  });
  after(async () => {
    await s?.close();
  });

  it("device webgpu gives the labels of device wasm on the nuclei image, and the table says which ran", async () => {
    const gpu = await runOn(s, "webgpu");
    assert.equal(gpu.ran, "webgpu");
    assert.equal(gpu.row, "webgpu");
    assert.equal(gpu.size, 1960 * 1416);
    await screenshot(s.page, "predict-webgpu");
    const cpu = await runOn(s, "wasm");
    assert.equal(cpu.ran, "wasm");
    assert.equal(cpu.row, "wasm");
    const differing = countDifferences(gpu.labels, cpu.labels);
    console.log(`webgpu ${gpu.elapsedMs.toFixed(0)} ms, wasm ${cpu.elapsedMs.toFixed(0)} ms, ${differing} labels differ`);
    assert.equal(differing, 0, `${differing} of ${gpu.labels.length} labels differ between webgpu and wasm`);
    assert.ok(new Set(gpu.labels).size > 1, "the labels hold nuclei");
  });

  it("auto runs on WebGPU when there is an adapter (a small model and image, to keep it quick)", async () => {
    const { page } = s;
    const small = join(s.dir, "ramp_128.png");
    const data = Uint8Array.from({ length: 128 * 128 }, (_, i) => i % 251);
    await writeFile(small, encode({ width: 128, height: 128, data, channels: 1, depth: 8 }));
    await page.setInputFiles("#predict-model", await packFcn3(128, s.dir));
    await page.locator("#predict-model-info").getByText("fcn3 128").waitFor();
    await page.setInputFiles("#predict-image", small);
    await page.locator("#predict-image-info").getByText("128 × 128 px").waitFor();
    await page.locator("#predict-run:not([disabled])").waitFor();
    const auto = await runOn(s, "auto", /^Done: \d+ tiles/);
    assert.equal(auto.ran, "webgpu");
    assert.equal(auto.row, "webgpu");
    assert.deepEqual(unexpectedErrors(s.errors), []);
  });

  it("the service worker keeps the WebGPU files once a WebGPU run fetched them", async () => {
    assert.deepEqual(await cachedWebgpuFiles(s.page), [
      "/assets/ort.webgpu.min.js",
      "/ort/ort-wasm-simd-threaded.asyncify.mjs",
      "/ort/ort-wasm-simd-threaded.asyncify.wasm",
    ]);
  });
});

describe("predict without a WebGPU adapter", () => {
  let s: PageSession;
  before(async () => {
    s = await openPage("#predict");
    await loadInputs(s);
  });
  after(async () => {
    await s?.close();
  });

  it("auto runs on wasm and says why", async () => {
    const auto = await runOn(s, "auto");
    assert.equal(auto.ran, "wasm");
    assert.match(auto.row, /^wasm \(WebGPU not used: navigator\.gpu\.requestAdapter\(\) found no WebGPU adapter\)$/);
    assert.deepEqual(await cachedWebgpuFiles(s.page), [], "the WebGPU files are not precached");
  });

  it("device webgpu is one clear error", async () => {
    const { page } = s;
    await page.selectOption("#predict-device", "webgpu");
    await page.click("#predict-run");
    await page.locator("#predict-error .error-message").waitFor();
    assert.equal(
      await page.locator("#predict-error .error-message").textContent(),
      "device webgpu: navigator.gpu.requestAdapter() found no WebGPU adapter (allowed: auto or wasm)",
    );
    assert.deepEqual(unexpectedErrors(s.errors), []);
  });
});
