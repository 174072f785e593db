/**
 * Objects in the page, in headless Chromium: after predicting nuclei_0000.png with the real
 * nuclei model, the result table's object count per class equals what `czmodel predict
 * --objects` (its `objectsAfterPredict`) finds on the labels the page wrote; pointing at a known
 * object (found in the CLI's instance image) shows its id and area; and the downloaded CSV and
 * GeoJSON are byte for byte the CLI's files for those labels and that image.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkObjectsBeforePredict, objectsAfterPredict, type ObjectCliOptions } from "../../src/cli/commands/objects.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import { testdata } from "../helpers/paths.js";
import { downloadFrom, openPage, screenshot, unexpectedErrors, waitForPrediction, type PageSession } from "./helpers.js";

const MODEL = testdata("models", "simple_nuclei_segmodel.czann");
const IMAGE = testdata("images", "nuclei_0000.png");
const WIDTH = 1960;
const HEIGHT = 1416;

/** A pixel of object `id` whose (2r+1)² neighbourhood is all that object (so a pointer hits it). */
function interiorPixel(ids: ArrayLike<number>, id: number, r = 4): { x: number; y: number } | undefined {
  for (let y = r; y < HEIGHT - r; y++) {
    for (let x = r; x < WIDTH - r; x++) {
      if (ids[y * WIDTH + x] !== id) continue;
      let all = true;
      for (let dy = -r; dy <= r && all; dy++) for (let dx = -r; dx <= r && all; dx++) all = ids[(y + dy) * WIDTH + x + dx] === id;
      if (all) return { x, y };
    }
  }
  return undefined;
}

/** Move the mouse over image pixel (x, y) of the fitted viewer. */
async function pointAt(s: PageSession, x: number, y: number): Promise<void> {
  const canvas = s.page.locator("#viewer-canvas");
  await canvas.focus();
  await s.page.keyboard.press("0");
  const at = await s.page.evaluate(
    ([x, y, w, hh]) => {
      const c = document.getElementById("viewer-canvas") as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      const ratio = c.width / c.clientWidth;
      const scale = Math.min(c.width / w, c.height / hh);
      const ox = (w - c.width / scale) / 2;
      const oy = (hh - c.height / scale) / 2;
      return { cx: r.left + ((x + 0.5 - ox) * scale) / ratio, cy: r.top + ((y + 0.5 - oy) * scale) / ratio };
    },
    [x, y, WIDTH, HEIGHT] as const,
  );
  await s.page.mouse.move(at.cx, at.cy);
}

describe("objects in the page", () => {
  let s: PageSession;

  before(async () => {
    s = await openPage("#predict");
  });
  after(async () => {
    await s?.close();
  });

  it("counts, hover and downloads equal czmodel's objects for the labels the page predicted", async () => {
    const { page } = s;
    await page.setInputFiles("#predict-model", MODEL);
    await page.setInputFiles("#predict-image", IMAGE);
    await page.locator(`#viewer-canvas[data-image="${WIDTH}x${HEIGHT}"]`).waitFor();
    await page.locator("#predict-run:not([disabled])").waitFor();
    await page.click("#predict-run");
    assert.match(await waitForPrediction(page), /^Done/);

    // what czmodel predict --objects --outlines --instances writes for the labels the page produced
    const labels = await downloadFrom(page, "#predict-download-png", s.dir);
    const opts: ObjectCliOptions = {
      connectivity: "8",
      objects: join(s.dir, "node.csv"),
      outlines: join(s.dir, "node.geojson"),
      instances: join(s.dir, "node-ids.ome.tif"),
    };
    const classes = await checkObjectsBeforePredict(MODEL, IMAGE, { ...opts, out: labels.path, output: "labels" });
    assert.ok(classes);
    const node = await objectsAfterPredict([labels.path], IMAGE, opts, classes);
    assert.ok(node.objects > 10, `the nuclei image has many objects, got ${node.objects}`);

    const shown = classes.classes.map((v) => `${classes.styles[v]!.name}: ${node.perClass[v] ?? 0}`).join(", ");
    const row = page.locator("#predict-summary tr", { has: page.locator("th", { hasText: /^Objects$/ }) });
    assert.equal(await row.locator("td").textContent(), shown);

    // hover over the largest object: the page names it by the id the CLI's instance image holds
    const csv = await readFile(opts.objects!, "utf8");
    const rows = csv
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(",").map(Number));
    const largest = rows.reduce((a, b) => (b[2]! > a[2]! ? b : a));
    const [, id, area] = largest as [number, number, number];
    const ids = await openImageFile(opts.instances!);
    let idImage: ArrayLike<number>;
    try {
      idImage = await ids.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: WIDTH, height: HEIGHT });
    } finally {
      await ids.close();
    }
    const pixel = interiorPixel(idImage, id);
    assert.ok(pixel, `object ${id} has an interior pixel`);
    await pointAt(s, pixel.x, pixel.y);
    const panel = page.locator("#predict-object");
    await panel.locator("caption", { hasText: `Object ${id}` }).waitFor({ timeout: 10_000 });
    const facts = Object.fromEntries(
      await panel
        .locator("tr")
        .evaluateAll((trs) => trs.map((tr) => [tr.querySelector("th")?.textContent, tr.querySelector("td")?.textContent])),
    );
    assert.equal(facts.id, String(id));
    assert.equal(facts.area_px, String(area));
    await screenshot(page, "objects-hover");
    await pointAt(s, 0, 0);
    if (idImage[0] === 0) await panel.getByText("No object at x 0, y 0.").waitFor({ timeout: 10_000 });

    // the downloads are the CLI's bytes
    const pageCsv = await downloadFrom(page, "#predict-download-objects", s.dir);
    assert.equal(pageCsv.name, "nuclei_0000_objects.csv");
    assert.deepEqual(await readFile(pageCsv.path), await readFile(opts.objects!));
    const pageGeo = await downloadFrom(page, "#predict-download-outlines", s.dir);
    assert.equal(pageGeo.name, "nuclei_0000_outlines.geojson");
    assert.deepEqual(await readFile(pageGeo.path), await readFile(opts.outlines!));
    assert.equal(JSON.parse(await readFile(pageGeo.path, "utf8")).features.length, node.objects);
    assert.deepEqual(unexpectedErrors(s.errors), []);
  });
});
