/**
 * Inspect & validate flow in headless Chromium on the real model files: metadata, class
 * colours, ONNX inputs/outputs and ZIP entries are shown; the structural report is the one
 * `validateStructure` gives in Node (also for a broken model); the numeric check passes on a
 * synthetic tile and on a tile of nuclei_0000.png; a bad file shows the CLI's message.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildCzann } from "../../src/container/index.js";
import { readModelFile } from "../../src/container/node/index.js";
import { ModelMetadata } from "../../src/metadata/index.js";
import { validateStructure } from "../../src/validate/structural.js";
import { readPayloadFacts } from "../../src/inspect/payload.js";
import { subjectFor } from "../../src/validate/subject.js";
import { testdata } from "../helpers/paths.js";
import { openPage, screenshot, unexpectedErrors, type PageSession } from "./helpers.js";

const CZANN = testdata("models", "simple_nuclei_segmodel.czann");
const CZSEG = testdata("models", "simple_nuclei_segmodel_legacy.czseg");

describe("inspect and validate in the page", () => {
  let s: PageSession;
  before(async () => {
    s = await openPage("#inspect");
  });
  after(async () => {
    await s?.close();
  });

  it("shows a .czann's metadata, classes, ONNX inputs/outputs, entries and a clean report", async () => {
    const { page } = s;
    assert.equal(await page.locator("#inspect-empty").isVisible(), true);
    await page.setInputFiles("#inspect-model", CZANN);
    await page.locator("#inspect-verdict").waitFor();
    const body = (await page.locator("#inspect-body").textContent()) ?? "";
    for (const text of [
      "34c8660b-2db4-425d-a16d-d6e803171c9a",
      "SingleClassSemanticSegmentation",
      "Simple_Nuclei_SegmentationModel",
      "[1024, 1024, 1]",
      "[1024, 1024, 2]",
      "[8, 8]",
      "model.json",
      "model.model",
      "input:0",
      "Identity:0",
    ]) {
      assert.ok(body.includes(text), `the page shows ${text}`);
    }
    const classes = page.locator("table.classes tbody tr");
    assert.equal(await classes.count(), 2);
    assert.match((await classes.nth(0).textContent()) ?? "", /1.*#ff0000.*Background/);
    assert.match((await classes.nth(1).textContent()) ?? "", /2.*#00ff00.*Nucleus/);
    assert.equal(await page.locator("#inspect-verdict").textContent(), "Valid for zen-3.13: 0 warning(s).");
    assert.equal(await page.locator("#inspect-findings li").textContent(), "No findings.");
  });

  it("runs the numeric check on a synthetic tile and on a tile of a test image", async () => {
    const { page } = s;
    await page.click("#inspect-run");
    await page.locator("#inspect-numeric-verdict").waitFor({ timeout: 60_000 });
    assert.equal(await page.locator("#inspect-numeric-verdict").textContent(), "Numeric check passed.");
    let numeric = (await page.locator("#inspect-numeric").textContent()) ?? "";
    assert.match(numeric, /synthetic 1024×1024×1 tile/);
    assert.match(numeric, /Output dims\[1, 1024, 1024, 2\]/);

    await page.setInputFiles("#inspect-image", testdata("images", "nuclei_0000.png"));
    await page.click("#inspect-run");
    await page.locator("#inspect-numeric-verdict").waitFor({ timeout: 60_000 });
    numeric = (await page.locator("#inspect-numeric").textContent()) ?? "";
    assert.match(numeric, /centre 1024×1024 tile of nuclei_0000\.png; gray; divide by 65535 \(uint16 range\)/);
    assert.equal(await page.locator("#inspect-numeric-verdict").textContent(), "Numeric check passed.");
    await screenshot(page, "inspect-czann");
  });

  it("shows a legacy .czseg with its own class colours", async () => {
    const { page } = s;
    await page.setInputFiles("#inspect-model", CZSEG);
    await page.locator("#inspect-body", { hasText: "legacy (XML)" }).waitFor();
    const body = (await page.locator("#inspect-body").textContent()) ?? "";
    assert.match(body, /Colour handling/);
    assert.match((await page.locator("table.classes tbody tr").nth(1).textContent()) ?? "", /2.*#00ff00.*Nucleus/);
    assert.match((await page.locator("#inspect-verdict").textContent()) ?? "", /^Valid for zen-3\.13/);
    await screenshot(page, "inspect-czseg");
  });

  it("reports what Node's validateStructure reports for a model ZEN would reject", async () => {
    const { page } = s;
    const real = await readModelFile(CZANN);
    const metadata = ModelMetadata.fromParams({
      type: "MultiClassSemanticSegmentation",
      inputShape: [512, 512, 1],
      outputShape: [512, 512, 3],
      classes: ["a", "b", "c"],
      modelName: "mismatch",
    });
    const path = join(s.dir, "mismatch.czann");
    await writeFile(path, buildCzann({ metadata, model: real.modelBytes }));
    const expected = validateStructure(subjectFor(metadata, readPayloadFacts(real.modelBytes, "onnx"), []));
    assert.equal(expected.ok, false);
    await page.setInputFiles("#inspect-model", path);
    await page.locator("#inspect-verdict", { hasText: "reject" }).waitFor();
    assert.equal(
      await page.locator("#inspect-verdict").textContent(),
      `ZEN would reject this model: ${expected.errors} error(s), ${expected.warnings} warning(s).`,
    );
    const shown = await page.locator("#inspect-findings li").allTextContents();
    assert.deepEqual(
      shown,
      expected.findings.map((f) => `${f.severity}: ${f.where ? `${f.where}: ` : ""}${f.message}`),
    );
    await screenshot(page, "inspect-rejected");
  });

  it("a bad file shows the same message as the CLI's reader", async () => {
    const { page } = s;
    const bytes = new Uint8Array(await readFile(CZANN)).subarray(0, 1000);
    const path = join(s.dir, "truncated.czann");
    await writeFile(path, bytes);
    const cli = await readModelFile(path).then(
      () => assert.fail("the Node reader accepted a truncated file"),
      (e: Error) => e.message.replace(path, "truncated.czann"),
    );
    await page.setInputFiles("#inspect-model", path);
    await page.locator("#inspect-body .error-message").waitFor();
    assert.equal(await page.locator("#inspect-body .error-message").textContent(), cli);
    await screenshot(page, "inspect-bad-file");
    assert.deepEqual(unexpectedErrors(s.errors), []);
  });
});
