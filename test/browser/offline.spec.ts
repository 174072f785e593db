/**
 * "Offline once loaded": after the page has been opened once, its service worker holds every
 * file of the build, so with the server gone the page still loads (cross-origin isolated, as
 * the cached responses keep their headers) and predicts with onnxruntime-web.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { testdata } from "../helpers/paths.js";
import { openPage, screenshot, waitForPrediction, type PageSession } from "./helpers.js";

describe("the page offline", () => {
  let s: PageSession;
  before(async () => {
    s = await openPage("#predict");
  });
  after(async () => {
    await s?.close();
  });

  it("loads and predicts from its cache when the server is gone", async () => {
    const { page } = s;
    const cached = await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      while (!navigator.serviceWorker.controller) await new Promise((r) => setTimeout(r, 100));
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith("czmodel-"))!);
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    assert.ok(cached.includes("/ort/ort-wasm-simd-threaded.wasm"), `the cache holds the wasm: ${cached.join(", ")}`);
    assert.ok(
      cached.some((p) => /\/assets\/worker-.*\.js$/.test(p)),
      "the cache holds the worker",
    );

    await s.server.close();
    await page.reload();
    await page.waitForFunction(() => document.getElementById("runtime-note")?.textContent !== "");
    assert.match((await page.locator("#runtime-note").textContent()) ?? "", /onnxruntime-web \(wasm\) with \d threads?\./);
    await page.setInputFiles("#predict-model", testdata("models", "simple_nuclei_segmodel.czann"));
    await page.setInputFiles("#predict-image", testdata("images", "nuclei_0000.png"));
    await page.locator("#predict-run:not([disabled])").waitFor();
    await page.click("#predict-run");
    assert.match(await waitForPrediction(page), /^Done: 4 tiles/);
    await screenshot(page, "offline-predict");
  });
});
