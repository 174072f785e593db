/**
 * JPEG-XR in the page: the worker decodes a CZI whose subblocks are JPEG-XR (the 1028 × 524
 * mosaic of test/helpers/jxr-czi.ts) with the wasm decoder, predicts it with the real kidney
 * regression model, and the OME-TIFF it downloads equals the Node engine's prediction on the
 * twin CZI that stores the same pixels uncompressed (within onnxruntime-web vs -node rounding,
 * as in predict.spec.ts; a decoding error would differ by far more).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readModelFile } from "../../src/container/node/index.js";
import { engineModelFromFile } from "../../src/engine/from-model-file.js";
import { predictNode } from "../../src/engine/node/index.js";
import { MemoryImageSink } from "../../src/io/memory/index.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import { JXR_MOSAIC, writeJxrCziPair } from "../helpers/jxr-czi.js";
import { testdata } from "../helpers/paths.js";
import { downloadFrom, openPage, screenshot, unexpectedErrors, waitForPrediction, type PageSession } from "./helpers.js";

const MODEL = testdata("models", "simple_kidney_regmodel.czann");
const P0 = { scene: 0, t: 0, c: 0, z: 0 };

describe("a JPEG-XR CZI in the page", () => {
  let s: PageSession;
  before(async () => {
    s = await openPage("#predict");
  });
  after(async () => {
    await s?.close();
  });

  it("is decoded in the worker and predicts like its uncompressed twin in Node", async () => {
    const { page } = s;
    const files = await writeJxrCziPair(s.dir);
    await page.setInputFiles("#predict-model", MODEL);
    await page.setInputFiles("#predict-image", files.jxr);
    await page.locator(`#viewer-canvas[data-image="${JXR_MOSAIC.width}x${JXR_MOSAIC.height}"]`).waitFor();
    await page.locator("#predict-run:not([disabled])").waitFor();
    await page.click("#predict-run");
    assert.match(await waitForPrediction(page), /^Done: /);
    await screenshot(page, "predict-jxr-czi");
    const tiff = await downloadFrom(page, "#predict-download-tiff", s.dir);
    const got = await openImageFile(tiff.path);
    const twin = await openImageFile(files.raw);
    const sink = new MemoryImageSink();
    try {
      await predictNode(engineModelFromFile(await readModelFile(MODEL)).model, twin, sink);
      const values = (await got.readRegion(P0, { x: 0, y: 0, ...JXR_MOSAIC })) as Float32Array;
      const reference = sink.plane() as Float32Array;
      assert.equal(values.length, reference.length);
      let max = 0;
      for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]! - reference[i]!));
      assert.ok(max < 1e-4, `page and Node differ by up to ${max}`);
    } finally {
      await got.close();
      await twin.close();
    }
    assert.deepEqual(unexpectedErrors(s.errors), []);
  });
});
