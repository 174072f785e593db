/**
 * Predict flow in headless Chromium: the page's labels for nuclei_0000.png with the real
 * nuclei model equal the Node engine's (onnxruntime-node) pixel for pixel, in the PNG and the
 * OME-TIFF it downloads; Cancel stops a run with the engine's message; without cross-origin
 * isolation the page says so and runs on one thread; a bad image shows the reader's error.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decode } from "fast-png";
import { readModelFile } from "../../src/container/node/index.js";
import { predictNode } from "../../src/engine/node/index.js";
import { engineModelFromFile } from "../../src/engine/from-model-file.js";
import { MemoryImageSink } from "../../src/io/memory/index.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import { testdata } from "../helpers/paths.js";
import { downloadFrom, openPage, packFcn3, screenshot, unexpectedErrors, waitForPrediction, type PageSession } from "./helpers.js";

const MODEL = testdata("models", "simple_nuclei_segmodel.czann");
const IMAGE = testdata("images", "nuclei_0000.png");

/** The Node engine's labels for the nuclei image. */
async function nodeLabels(modelPath = MODEL): Promise<Uint8Array> {
  const model = engineModelFromFile(await readModelFile(modelPath)).model;
  const source = await openImageFile(IMAGE);
  const sink = new MemoryImageSink();
  try {
    await predictNode(model, source, sink);
  } finally {
    await source.close();
  }
  return sink.plane() as Uint8Array;
}

function countDifferences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe("predict in the page", () => {
  let s: PageSession;
  let expected: Uint8Array;

  before(async () => {
    [s, expected] = await Promise.all([openPage("#predict"), nodeLabels()]);
  });
  after(async () => {
    await s?.close();
  });

  it("labels of nuclei_0000.png equal the Node engine's, as PNG and as OME-TIFF", async () => {
    const { page } = s;
    assert.match((await page.locator("#runtime-note").textContent()) ?? "", /with \d threads?/);
    await page.setInputFiles("#predict-model", MODEL);
    await page.setInputFiles("#predict-image", IMAGE);
    await page.locator("#predict-image-info").getByText("1960 × 1416 px").waitFor();
    await page.locator("#predict-run:not([disabled])").waitFor();
    await page.click("#predict-run");
    const status = await waitForPrediction(page);
    assert.match(status, /^Done: 4 tiles/);
    assert.match((await page.locator("#predict-summary").textContent()) ?? "", /labels: 1960 × 1416, 1 × uint8/);
    await screenshot(page, "predict-nuclei");

    const png = await downloadFrom(page, "#predict-download-png", s.dir);
    assert.equal(png.name, "nuclei_0000_labels.png");
    const decoded = decode(await readFile(png.path));
    assert.equal(decoded.width, 1960);
    assert.equal(decoded.height, 1416);
    assert.equal(decoded.channels, 1);
    assert.equal(countDifferences(decoded.data, expected), 0, "PNG labels differ from the Node engine's");

    const tiff = await downloadFrom(page, "#predict-download-tiff", s.dir);
    assert.equal(tiff.name, "nuclei_0000_labels.ome.tiff");
    const source = await openImageFile(tiff.path);
    try {
      assert.equal(source.info.format, "ome-tiff");
      const labels = await source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: 1960, height: 1416 });
      assert.equal(countDifferences(labels, expected), 0, "OME-TIFF labels differ from the Node engine's");
    } finally {
      await source.close();
    }
    assert.deepEqual(unexpectedErrors(s.errors), []);
  });

  it("a legacy .czseg gives the Node engine's labels too", async () => {
    const { page } = s;
    const czseg = testdata("models", "simple_nuclei_segmodel_legacy.czseg");
    await page.setInputFiles("#predict-model", czseg);
    await page.locator("#predict-model-info").getByText("(czmodel)").waitFor();
    await page.click("#predict-run");
    assert.match(await waitForPrediction(page), /^Done: 4 tiles/);
    const png = await downloadFrom(page, "#predict-download-png", s.dir);
    assert.equal(countDifferences(decode(await readFile(png.path)).data, await nodeLabels(czseg)), 0);
  });

  it("a regression model's float32 output downloads as OME-TIFF equal to the Node engine's", async () => {
    const { page } = s;
    const model = testdata("models", "simple_kidney_regmodel.czann");
    const image = testdata("images", "kidney_dapi_lowsnr.png");
    await page.setInputFiles("#predict-model", model);
    await page.setInputFiles("#predict-image", image);
    await page.locator("#predict-model-info").getByText("Simple_Kidney_RegressionModel (czann)").waitFor();
    await page.locator('#viewer-canvas[data-image="1024x1024"]').waitFor();
    await page.locator("#predict-run:not([disabled])").waitFor();
    await page.click("#predict-run");
    assert.match(await waitForPrediction(page), /^Done: 1 tiles/);
    assert.match((await page.locator("#predict-summary").textContent()) ?? "", /regression: 1024 × 1024, 1 × float32/);
    assert.equal(await page.locator("#predict-download-png").isDisabled(), true, "PNG cannot hold float32");
    await screenshot(page, "predict-regression");
    const tiff = await downloadFrom(page, "#predict-download-tiff", s.dir);
    assert.equal(tiff.name, "kidney_dapi_lowsnr_prediction.ome.tiff");
    const got = await openImageFile(tiff.path);
    const source = await openImageFile(image);
    const sink = new MemoryImageSink();
    try {
      await predictNode(engineModelFromFile(await readModelFile(model)).model, source, sink);
      const values = (await got.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: 1024, height: 1024 })) as Float32Array;
      const reference = sink.plane() as Float32Array;
      let max = 0;
      for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]! - reference[i]!));
      assert.ok(max < 1e-4, `page and Node differ by up to ${max}`);
    } finally {
      await got.close();
      await source.close();
    }
    // back to the nuclei model and image for the tests below
    await page.setInputFiles("#predict-model", MODEL);
    await page.locator("#predict-model-info").getByText("Simple_Nuclei_SegmentationModel (czann)").waitFor();
    await page.setInputFiles("#predict-image", IMAGE);
    await page.locator('#viewer-canvas[data-image="1960x1416"]').waitFor();
    await page.locator("#predict-run:not([disabled])").waitFor();
    await page.click("#predict-run");
    await waitForPrediction(page);
  });

  it("the overlay can be zoomed and panned with the keyboard, and the legend toggles classes", async () => {
    const { page } = s;
    const canvas = page.locator("#viewer-canvas");
    await canvas.focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press("+");
    await page.keyboard.press("ArrowRight");
    await page.locator("#viewer-opacity").fill("50");
    const colouredFraction = () =>
      page.evaluate(() => {
        const c = document.getElementById("viewer-canvas") as HTMLCanvasElement;
        const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        let coloured = 0;
        for (let i = 0; i < d.length; i += 4)
          if (Math.max(d[i]!, d[i + 1]!, d[i + 2]!) - Math.min(d[i]!, d[i + 1]!, d[i + 2]!) > 40) coloured++;
        return coloured / (d.length / 4);
      });
    await page.waitForTimeout(600); // the detail view is fetched 200 ms after the last move
    await screenshot(page, "predict-zoomed");
    const nucleiOnly = await colouredFraction();
    await page.check("#predict-class-1"); // Background starts hidden
    await page.waitForTimeout(600);
    const withBackground = await colouredFraction();
    assert.ok(nucleiOnly > 0.05 && nucleiOnly < 0.6, `nuclei cover ${nucleiOnly} of the zoomed view`);
    assert.ok(withBackground > 0.95, `with the background class shown the overlay covers ${withBackground}`);
    await page.uncheck("#predict-class-1");
  });

  it("a fixed-size model refuses another tile with the engine's message", async () => {
    const { page } = s;
    await page.click("details.options > summary");
    await page.fill("#predict-tile", "256, 256");
    await page.click("#predict-run");
    await page.locator("#predict-error .error-message").waitFor();
    assert.equal(
      await page.locator("#predict-error .error-message").textContent(),
      "--tile: the model has a fixed input of 1024x1024; a different tile is not possible (allowed: 1024,1024)",
    );
    await page.fill("#predict-tile", "");
  });

  it("Cancel stops a running prediction with the engine's message", async () => {
    const { page } = s;
    // a small fast model in 64² tiles: about 900 tiles, a few seconds
    await page.setInputFiles("#predict-model", await packFcn3(64, s.dir));
    await page.locator("#predict-model-info").getByText("fcn3 64").waitFor();
    await page.click("#predict-run");
    await page.locator("#predict-status", { hasText: /\d+ \/ \d+ tiles/ }).waitFor();
    await page.click("#predict-cancel");
    await page.locator("#predict-error .error-message").waitFor({ timeout: 60_000 });
    assert.match((await page.locator("#predict-error .error-message").textContent()) ?? "", /cancel/i);
    assert.equal(await page.locator("#predict-download-png").isDisabled(), true);
    assert.equal(await page.locator("#predict-cancel").isDisabled(), true);
    await screenshot(page, "predict-cancelled");
  });

  it("a file that is not an image shows the reader's message", async () => {
    const { page } = s;
    const bad = join(s.dir, "notes.tif");
    await writeFile(bad, "this is not a TIFF file at all");
    const cli = await openImageFile(bad).then(
      () => assert.fail("the Node reader accepted a text file"),
      (e: Error) => e.message.replace(bad, "notes.tif"),
    );
    await page.setInputFiles("#predict-image", bad);
    await page.locator("#predict-error .error-message").waitFor();
    assert.equal(await page.locator("#predict-error .error-message").textContent(), cli);
    assert.equal(await page.locator("#predict-run").isDisabled(), true);
  });
});

describe("predict without cross-origin isolation", () => {
  it("says it runs on one thread, and still predicts", async () => {
    const s = await openPage("#predict", { isolate: false });
    try {
      const { page } = s;
      assert.match(
        (await page.locator("#runtime-note").textContent()) ?? "",
        /Not cross-origin isolated: onnxruntime-web runs on 1 thread/,
      );
      await page.setInputFiles("#predict-model", MODEL);
      await page.setInputFiles("#predict-image", IMAGE);
      await page.locator("#predict-run:not([disabled])").waitFor();
      await page.click("#predict-run");
      assert.match(await waitForPrediction(page), /^Done: 4 tiles/);
      assert.match((await page.locator("#predict-summary").textContent()) ?? "", /1 thread\(s\)/);
      await screenshot(page, "predict-one-thread");
    } finally {
      await s.close();
    }
  });
});
