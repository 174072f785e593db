/**
 * Acceptance: a 10000 × 10000 image predicts in the page without the tab going over 2 GB.
 * The image is a tiled uint16 BigTIFF OME-TIFF made on the fly (mirror-tiled nuclei_0000.png,
 * 200 MB, uncompressed so the run is fast); the model is the real nuclei segmentation model
 * (1024² tiles, about 100 of them).
 * The tab's memory is the renderer process's peak resident size (`VmHWM`, which includes the
 * page, its worker and onnxruntime-web's wasm threads), read from /proc; the JS heap of the
 * page comes from CDP `Performance.getMetrics`. The labels are downloaded as OME-TIFF and read
 * back in Node: all 100 million labels equal the Node engine's.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openImageFile } from "../../src/io/node/open-file.js";
import { makeBigTiffFromImage } from "../../src/io/tiff/node/make-big-tiff.js";
import { readModelFile } from "../../src/container/node/index.js";
import { engineModelFromFile } from "../../src/engine/from-model-file.js";
import { predictNode } from "../../src/engine/node/index.js";
import { MemoryImageSink } from "../../src/io/memory/index.js";
import { testdata } from "../helpers/paths.js";
import { downloadFrom, openPage, screenshot, waitForPrediction, type PageSession } from "./helpers.js";

const SIZE = 10_000;
const LIMIT = 2 * 1024 ** 3;

interface ProcInfo {
  pid: number;
  ppid: number;
  cmd: string;
}

async function processes(): Promise<ProcInfo[]> {
  const out: ProcInfo[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmd = (await readFile(`/proc/${name}/cmdline`, "utf8")).replace(/\0/g, " ");
      out.push({ pid: Number(name), ppid, cmd });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Renderer processes of the Chromium this test started (descendants of this process). */
async function rendererPids(): Promise<number[]> {
  const all = await processes();
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter((p) => mine.has(p.pid) && p.cmd.includes("--type=renderer")).map((p) => p.pid);
}

/** A `/proc/<pid>/status` field in bytes (e.g. VmRSS, VmHWM). */
async function statusBytes(pid: number, field: string): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const m = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  return m ? Number(m[1]) * 1024 : 0;
}

const mb = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MB`;

describe("a 10000 × 10000 image", () => {
  let s: PageSession;
  let imagePath: string;
  let modelPath: string;

  before(async () => {
    s = await openPage("#predict");
    imagePath = join(s.dir, "nuclei_10k.ome.tif");
    await makeBigTiffFromImage(testdata("images", "nuclei_0000.png"), imagePath, {
      width: SIZE,
      height: SIZE,
      compress: false,
      overwrite: true,
    });
    modelPath = testdata("models", "simple_nuclei_segmodel.czann");
  });
  after(async () => {
    await s?.close();
  });

  it("predicts in the page with the tab under 2 GB, and the labels download as OME-TIFF", async () => {
    const { page } = s;
    const cdp = await s.context.newCDPSession(page);
    await cdp.send("Performance.enable");
    await page.setInputFiles("#predict-model", modelPath);
    await page.setInputFiles("#predict-image", imagePath);
    await page.locator("#predict-image-info").getByText("10000 × 10000 px").waitFor({ timeout: 120_000 });
    await page.locator("#predict-run:not([disabled])").waitFor();
    let t = Date.now();
    await page.locator(`#viewer-canvas[data-image="${SIZE}x${SIZE}"]`).waitFor({ timeout: 120_000 }); // overview drawn
    console.log(`overview of the 10000² image drawn in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    let peakRss = 0;
    let peakHeap = 0;
    const sample = async () => {
      for (const pid of await rendererPids()) peakRss = Math.max(peakRss, await statusBytes(pid, "VmRSS"));
      const { metrics } = await cdp.send("Performance.getMetrics");
      peakHeap = Math.max(peakHeap, metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0);
    };
    const timer = setInterval(() => void sample(), 500);
    const started = Date.now();
    try {
      await page.click("#predict-run");
      const status = await waitForPrediction(page, 600_000);
      assert.match(status, /^Done: \d+ tiles/);
    } finally {
      clearInterval(timer);
    }
    const seconds = (Date.now() - started) / 1000;
    assert.match((await page.locator("#predict-summary").textContent()) ?? "", /labels: 10000 × 10000, 1 × uint8/);
    t = Date.now();
    await page.locator(`#viewer-canvas[data-result="shown"]`).waitFor({ timeout: 120_000 });
    console.log(`result overview drawn in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    await screenshot(page, "predict-10000x10000");

    const tiff = await downloadFrom(page, "#predict-download-tiff", s.dir, 300_000);
    await sample();
    const pids = await rendererPids();
    let hwm = 0;
    for (const pid of pids) hwm = Math.max(hwm, await statusBytes(pid, "VmHWM"));
    console.log(
      `10000² in the page: ${seconds.toFixed(1)} s; renderer peak RSS ${mb(hwm)} (sampled ${mb(peakRss)}), page JS heap peak ${mb(peakHeap)}, renderers ${pids.join(",")}`,
    );
    assert.ok(pids.length > 0, "found the tab's renderer process");
    assert.ok(hwm < LIMIT, `the tab peaked at ${mb(hwm)}`);

    // The page's 100 million labels equal the Node engine's (onnxruntime-node) on the same file.
    const model = engineModelFromFile(await readModelFile(modelPath)).model;
    const image = await openImageFile(imagePath);
    const sink = new MemoryImageSink();
    try {
      await predictNode(model, image, sink);
    } finally {
      await image.close();
    }
    const expected = sink.plane() as Uint8Array;
    const labels = await openImageFile(tiff.path);
    try {
      assert.equal(labels.info.width, SIZE);
      assert.equal(labels.info.height, SIZE);
      assert.equal(labels.info.sampleType, "uint8");
      let differ = 0;
      const band = 1000;
      for (let y = 0; y < SIZE; y += band) {
        const got = await labels.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y, width: SIZE, height: band });
        const offset = y * SIZE;
        for (let i = 0; i < got.length; i++) if (got[i] !== expected[offset + i]) differ++;
      }
      assert.equal(differ, 0, `${differ} of the page's labels differ from the Node engine's`);
    } finally {
      await labels.close();
    }
  });
});
