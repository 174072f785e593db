/**
 * Keyboard use and labelling: the tabs follow the ARIA tab pattern (arrow keys, Home/End,
 * one tab stop), and every form control of every flow, including the ones shown after a
 * model is loaded, has an accessible name.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fixture, testdata } from "../helpers/paths.js";
import { openPage, type PageSession } from "./helpers.js";

describe("keyboard and labels", () => {
  let s: PageSession;
  before(async () => {
    s = await openPage("#pack");
  });
  after(async () => {
    await s?.close();
  });

  it("switches flows with the arrow keys", async () => {
    const { page } = s;
    await page.focus("#tab-pack");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.getAttribute("#tab-inspect", "aria-selected"), "true");
    assert.equal(await page.locator("#panel-inspect").isVisible(), true);
    assert.equal(await page.locator("#panel-pack").isVisible(), false);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "tab-inspect");
    await page.keyboard.press("End");
    assert.equal(await page.getAttribute("#tab-predict", "aria-selected"), "true");
    assert.equal(new URL(page.url()).hash, "#predict");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.getAttribute("#tab-pack", "aria-selected"), "true");
    assert.deepEqual(await page.locator('[role="tab"][tabindex="0"]').count(), 1);
  });

  it("gives every control an accessible name", async () => {
    const { page } = s;
    await page.setInputFiles("#pack-onnx", fixture("engine", "fcn3.onnx"));
    await page.locator("#pack-form").waitFor();
    await page.click("#tab-inspect");
    await page.setInputFiles("#inspect-model", testdata("models", "simple_nuclei_segmodel_legacy.czseg"));
    await page.locator("#inspect-verdict").waitFor();
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll("input, select, button, textarea, canvas[tabindex]")]
        .filter((el) => {
          const e = el as HTMLInputElement;
          const labelled = (e.labels?.length ?? 0) > 0 || e.getAttribute("aria-label") || e.getAttribute("aria-labelledby");
          return !labelled && !(el.tagName === "BUTTON" && el.textContent?.trim());
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    assert.deepEqual(unnamed, []);
  });
});
