/**
 * Pack flow in headless Chromium, on the ONNX model inside the real nuclei .czann: the page
 * shows the model's inputs/outputs, the typed metadata (name, classes, min overlap, pixel
 * size, licence) ends up in the downloaded .czann as the Node reader reads it, with the ONNX
 * stored byte for byte; a legacy .czmodel keeps the chosen class colours; invalid values, an
 * invalid conversion spec and a file that is not ONNX show the library's own messages.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readModelFile } from "../../src/container/node/index.js";
import { ModelMetadata, parseConversionSpec } from "../../src/metadata/index.js";
import { summarizeOnnx } from "../../src/onnx/index.js";
import { fixture, testdata } from "../helpers/paths.js";
import { downloadFrom, openPage, screenshot, unexpectedErrors, type PageSession } from "./helpers.js";

/** The message the library gives for `fn` (what the CLI prints after "error:"). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected an error");
}

describe("pack in the page", () => {
  let s: PageSession;
  let onnxPath: string;
  let onnx: Uint8Array;

  before(async () => {
    s = await openPage("#pack");
    onnx = (await readModelFile(testdata("models", "simple_nuclei_segmodel.czann"))).modelBytes;
    onnxPath = join(s.dir, "nuclei_unet.onnx");
    await writeFile(onnxPath, onnx);
  });
  after(async () => {
    await s?.close();
  });

  it("starts empty, then shows the dropped model's inputs and outputs", async () => {
    const { page } = s;
    assert.equal(await page.locator("#pack-empty").isVisible(), true);
    assert.equal(await page.locator("#pack-form").isVisible(), false);
    await page.setInputFiles("#pack-onnx", onnxPath);
    await page.locator("#pack-form").waitFor();
    const io = (await page.locator("#pack-io").textContent()) ?? "";
    assert.match(io, /input:0\s*float32\s*\[unk__15, 1024, 1024, 1\]/);
    assert.match(io, /Identity:0\s*float32\s*\[unk__16, 1024, 1024, 2\]/);
    assert.equal(await page.inputValue("#pack-name"), "nuclei_unet");
    assert.equal(await page.inputValue("#pack-type"), "SingleClassSemanticSegmentation");
    assert.equal(await page.locator("#pack-classes .class-name").count(), 2);
  });

  it("shows the library's message for an invalid value, live, and blocks the download", async () => {
    const { page } = s;
    await page.fill("#pack-overlap", "3, 3");
    const expected = messageOf(() =>
      ModelMetadata.fromParams({
        type: "SingleClassSemanticSegmentation",
        inputShape: [1024, 1024, 1],
        outputShape: [1024, 1024, 2],
        minOverlap: [3, 3],
        classes: ["a", "b"],
      }),
    );
    const message = page.locator("#pack-messages li.error");
    await message.waitFor();
    assert.equal(await message.textContent(), `error: ${expected}`);
    assert.equal(await page.getAttribute("#pack-overlap", "aria-invalid"), "true");
    assert.equal(await page.locator("#pack-download").isDisabled(), true);
    await screenshot(page, "pack-invalid-overlap");

    await page.fill("#pack-overlap", "8, 8");
    await page.fill("#pack-classes li:nth-child(2) .class-name", "Nucleus");
    await page.locator("#pack-classes-add").click();
    const tooMany = messageOf(() =>
      ModelMetadata.fromParams({
        type: "SingleClassSemanticSegmentation",
        inputShape: [1024, 1024, 1],
        outputShape: [1024, 1024, 2],
        classes: ["Background", "Nucleus", "Class 2"],
      }),
    );
    await page.locator("#pack-messages li.error", { hasText: "Classes" }).waitFor();
    assert.equal(await page.locator("#pack-messages li.error").first().textContent(), `error: ${tooMany}`);
    await page.locator("#pack-classes li:nth-child(3) .remove").click();
    await page.locator("#pack-messages li.ok").waitFor();
    assert.equal(await page.locator("#pack-download").isDisabled(), false);
  });

  it("downloads a .czann the Node reader reads back with the typed metadata", async () => {
    const { page } = s;
    const licensePath = join(s.dir, "LICENSE.txt");
    await writeFile(licensePath, "Licensed for testing only.\n");
    await page.fill("#pack-name", "Nuclei from the page");
    await page.fill("#pack-classes li:nth-child(1) .class-name", "Background");
    await page.fill("#pack-classes li:nth-child(2) .class-name", "Nucleus");
    await page.fill("#pack-overlap", "8, 8");
    await page.fill("#pack-scaling", "2.2e-7, 2.3e-7");
    await page.setInputFiles("#pack-license", licensePath);
    await page.locator("#pack-messages li.ok").waitFor();
    await screenshot(page, "pack-form");
    const { path, name } = await downloadFrom(page, "#pack-download", s.dir);
    assert.equal(name, "Nuclei from the page.czann");
    const file = await readModelFile(path);
    assert.equal(file.format, "czann");
    assert.deepEqual(file.warnings, []);
    const m = file.metadata as ModelMetadata;
    assert.equal(m.modelName, "Nuclei from the page");
    assert.equal(m.type, "SingleClassSemanticSegmentation");
    assert.deepEqual(m.inputShape, [1024, 1024, 1]);
    assert.deepEqual(m.outputShape, [1024, 1024, 2]);
    assert.deepEqual(m.minOverlap, [8, 8]);
    assert.deepEqual(m.classes, ["Background", "Nucleus"]);
    assert.deepEqual(m.scaling, [2.2e-7, 2.3e-7]);
    assert.deepEqual(file.modelBytes, onnx, "an ONNX model that needs no edit is stored byte for byte");
    assert.equal(file.license?.name, "LICENSE.txt");
    assert.equal(new TextDecoder().decode(file.license?.bytes), "Licensed for testing only.\n");
    assert.match((await page.locator("#pack-result").textContent()) ?? "", /Wrote Nuclei from the page\.czann/);
  });

  it("downloads a legacy .czmodel with the chosen class colours", async () => {
    const { page } = s;
    await page.selectOption("#pack-format", "czmodel");
    await page.fill("#pack-border", "4");
    await page.selectOption("#pack-pixel-type", "Gray16");
    await page.fill("#pack-classes li:nth-child(2) .class-color", "#00ff80");
    await page.locator("#pack-messages li.ok").waitFor();
    await screenshot(page, "pack-legacy");
    const { path, name } = await downloadFrom(page, "#pack-download", s.dir);
    assert.equal(name, "Nuclei from the page.czmodel");
    const file = await readModelFile(path);
    assert.equal(file.format, "czmodel");
    if (file.format !== "czmodel") return;
    assert.equal(file.metadata.modelName, "Nuclei from the page");
    assert.equal(file.metadata.borderSize, 4);
    assert.deepEqual(file.metadata.pixelTypes, ["Gray16"]);
    assert.deepEqual(file.metadata.classes, [
      { name: "Background", color: [255, 0, 0], labelValue: 1 },
      { name: "Nucleus", color: [0, 255, 128], labelValue: 2 },
    ]);
    await page.selectOption("#pack-format", "czann");
  });

  it("an invalid conversion spec shows the same message as the CLI", async () => {
    const { page } = s;
    const specPath = join(s.dir, "bad_spec.json");
    const text = JSON.stringify({
      BorderSize: 4,
      ColorHandling: "SplitRgb",
      PixelType: "Gray12",
      Classes: ["Background", "Nucleus"],
      ModelPath: "model.onnx",
    });
    await writeFile(specPath, text);
    const expected = messageOf(() => parseConversionSpec(text, "bad_spec.json"));
    await page.setInputFiles("#pack-spec", specPath);
    await page.locator("#pack-error .error-message").waitFor();
    assert.equal(await page.locator("#pack-error .error-message").textContent(), expected);
    assert.match(expected, /PixelType/);
    await screenshot(page, "pack-invalid-spec");
  });

  it("a valid conversion spec fills the form", async () => {
    const { page } = s;
    const specPath = join(s.dir, "spec.json");
    const spec = {
      ModelMetadata: {
        Type: "SingleClassSemanticSegmentation",
        InputShape: [1024, 1024, 1],
        OutputShape: [1024, 1024, 2],
        MinOverlap: [16, 16],
        Classes: ["bg", "nucleus"],
        ModelName: "From spec",
      },
      ModelPath: "nuclei_unet.onnx",
    };
    await writeFile(specPath, JSON.stringify(spec));
    await page.setInputFiles("#pack-spec", specPath);
    await page.locator("#pack-error li.info").first().waitFor();
    assert.equal(await page.inputValue("#pack-name"), "From spec");
    assert.equal(await page.inputValue("#pack-overlap"), "16, 16");
    assert.equal(await page.inputValue("#pack-classes li:nth-child(2) .class-name"), "nucleus");
    await page.locator("#pack-messages li.ok").waitFor();
  });

  it("a model with dynamic spatial dims gets fixed dims and a pre-processing op", async () => {
    const { page } = s;
    const fcn3 = fixture("engine", "fcn3.onnx");
    await page.setInputFiles("#pack-onnx", fcn3);
    await page.locator("#pack-io", { hasText: "fcn3.onnx" }).waitFor();
    const dynamic = page.locator("#pack-messages li.error");
    await dynamic.waitFor();
    assert.match(
      (await dynamic.textContent()) ?? "",
      /Spatial dims: the model's input "input" has dynamic dims \[batch, height, width, 1\]/,
    );
    assert.equal(await page.getAttribute("#pack-spatial", "aria-invalid"), "true");
    await page.fill("#pack-spatial", "256, 256");
    await page.fill("#pack-pre", "scale=0.5");
    await page.locator("#pack-messages li.ok, #pack-messages li.info").first().waitFor();
    const messages = await page.locator("#pack-messages li").allTextContents();
    assert.deepEqual(messages.slice(0, 2), ["info: pre: x · 0.5", "info: spatial dims set to 256×256"]);
    assert.deepEqual(
      messages.filter((m) => m.startsWith("error")),
      [],
    );
    assert.ok(
      messages.some((m) => /^warning: .*opset 13 is above the ZEN model spec's opset 12/.test(m)),
      "the opset advice is shown",
    );
    assert.match(
      (await page.locator("#pack-io").textContent()) ?? "",
      /After pre-\/post-processing.*input\s*float32\s*\[batch, 256, 256, 1\]/s,
    );
    await screenshot(page, "pack-spatial-dims");
    const { path, name } = await downloadFrom(page, "#pack-download", s.dir);
    assert.equal(name, "fcn3.czann");
    const file = await readModelFile(path);
    const m = file.metadata as ModelMetadata;
    assert.deepEqual(m.inputShape, [256, 256, 1]);
    assert.deepEqual(m.outputShape, [256, 256, 2]);
    const stored = summarizeOnnx(file.modelBytes);
    assert.deepEqual(stored.inputs[0]!.shape, ["batch", 256, 256, 1]);
    assert.ok(file.modelBytes.byteLength > (await readFile(fcn3)).byteLength, "the stored graph has the extra op");
  });

  it("a file that is not ONNX shows the library's message", async () => {
    const { page } = s;
    const bad = join(s.dir, "broken.onnx");
    const bytes = new Uint8Array(await readFile(testdata("images", "nuclei_0000.png"))).subarray(0, 200);
    await writeFile(bad, bytes);
    const expected = messageOf(() => summarizeOnnx(bytes));
    await page.setInputFiles("#pack-onnx", bad);
    await page.locator("#pack-error .error-message").waitFor();
    assert.equal(await page.locator("#pack-error .error-message").textContent(), expected);
    assert.equal(await page.locator("#pack-form").isVisible(), false);
    assert.deepEqual(unexpectedErrors(s.errors), []);
  });
});
