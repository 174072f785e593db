/**
 * Flow 2, Inspect & validate: drop a `.czann` / `.czmodel` / `.czseg` and see its metadata,
 * class colours, ONNX inputs/outputs, ZIP entries and reader warnings, the structural
 * validation report (`validateModel`, for a chosen ZEN version), and on request the
 * numeric check (`runNumericValidation` in the worker) on a synthetic tile or a tile of a
 * dropped test image. A bad file shows the library's error, as the CLI prints it.
 */
import { BlobByteSource } from "../../src/bytes/byte-source.js";
import { readModelFromSource, type ModelFile } from "../../src/container/index.js";
import type { Finding } from "../../src/validate/findings.js";
import type { NumericValidationResult } from "../../src/validate/numeric.js";
import { validateModel } from "../../src/validate/model.js";
import { TARGETS, type Target } from "../../src/validate/targets.js";
import { errorBox, factTable, formatBytes, h, setChildren } from "./dom.js";
import { dropZone } from "./drop-zone.js";
import { classTable, entriesTable, metadataTable, modelClasses, onnxTables } from "./model-summary.js";
import type { WorkerClient } from "./worker-client.js";

function findingList(findings: Finding[], id: string, okText: string): HTMLElement {
  if (findings.length === 0) return h("ul", { class: "messages", id }, h("li", { class: "ok" }, okText));
  return h(
    "ul",
    { class: "messages", id },
    ...findings.map((f) =>
      h(
        "li",
        { class: f.severity, "data-code": f.code },
        h("strong", {}, `${f.severity}: `),
        f.where ? `${f.where}: ${f.message}` : f.message,
      ),
    ),
  );
}

/** The facts table rows of a numeric check: its input, time per tile and output dims/range/sums. */
function numericFacts(r: NumericValidationResult & { input: string }): [string, string][] {
  const rows: [string, string][] = [["Input", r.input]];
  if (r.timing) rows.push(["Time per tile", `${r.timing.tileMs.toFixed(1)} ms (session ${r.timing.sessionMs.toFixed(0)} ms)`]);
  if (r.output) {
    rows.push(
      ["Output dims", `[${r.output.dims.join(", ")}]`],
      ["Output range", `${r.output.min.toPrecision(4)} … ${r.output.max.toPrecision(4)}`],
    );
    const sums = r.output.channelSumRange;
    if (sums) rows.push(["Channel sums", `${sums[0].toFixed(5)} … ${sums[1].toFixed(5)}`]);
  }
  return rows;
}

export function inspectView(worker: WorkerClient): HTMLElement {
  let current: { file: File; model: ModelFile } | undefined;
  let testImage: File | undefined;
  const body = h("div", { id: "inspect-body" });
  const target = h("select", { id: "inspect-target" }, ...TARGETS.map((t) => h("option", { value: t }, t)));
  target.value = "zen-3.13";
  const structural = h("div", { id: "inspect-structural" });
  const numeric = h("div", { id: "inspect-numeric", "aria-live": "polite" });
  const runButton = h("button", { type: "button", id: "inspect-run", class: "primary" }, "Run numeric check");
  const empty = h("p", { class: "empty", id: "inspect-empty" }, "No model yet: drop a .czann, .czmodel or .czseg file.");

  function showStructural(): void {
    if (!current) return;
    const { model } = current;
    const report = validateModel(model, { target: target.value as Target });
    const verdict = report.ok
      ? h("p", { class: "verdict ok", id: "inspect-verdict" }, `Valid for ${target.value}: ${report.warnings} warning(s).`)
      : h(
          "p",
          { class: "verdict error", id: "inspect-verdict" },
          `ZEN would reject this model: ${report.errors} error(s), ${report.warnings} warning(s).`,
        );
    setChildren(structural, verdict, findingList(report.findings, "inspect-findings", "No findings."));
  }
  target.addEventListener("change", showStructural);

  async function load(file: File): Promise<void> {
    current = undefined;
    setChildren(numeric);
    empty.hidden = true;
    try {
      const model = await readModelFromSource(new BlobByteSource(file, file.name));
      current = { file, model };
    } catch (e) {
      setChildren(body, errorBox(e));
      return;
    }
    const { model } = current;
    setChildren(
      body,
      factTable(
        [
          ["File", file.name],
          ["Size", formatBytes(file.size)],
          ["Format", model.format === "czann" ? ".czann (CZANN)" : ".czmodel / .czseg (legacy)"],
          ["Model payload", `${model.payloadKind}, ${formatBytes(model.modelBytes.byteLength)}`],
          ["Licence", model.license ? model.license.name : "none"],
        ],
        "File",
      ),
      model.warnings.length
        ? h("ul", { class: "messages", id: "inspect-warnings" }, ...model.warnings.map((w) => h("li", { class: "warning" }, w)))
        : null,
      metadataTable(model),
      modelClasses(model).length ? classTable(modelClasses(model), "Classes and colours") : null,
      onnxTables(model),
      entriesTable(model),
      h("h3", {}, "Structural validation"),
      h("div", { class: "field inline" }, h("label", { for: "inspect-target" }, "Validate for"), target),
      structural,
      h("h3", {}, "Numeric check"),
      h(
        "p",
        { class: "hint" },
        "Runs one tile through onnxruntime-web: output shape, probabilities sum to 1 (segmentation), finite values (regression), time per tile.",
      ),
      dropZone({
        id: "inspect-image",
        label: "Test image (optional)",
        hint: "Without one, a synthetic tile is used.",
        accept: ".png,.tif,.tiff,.czi",
        onFiles: ([f]) => (testImage = f),
      }),
      runButton,
      numeric,
    );
    showStructural();
  }

  runButton.addEventListener("click", async () => {
    if (!current) return;
    runButton.disabled = true;
    setChildren(numeric, h("p", { role: "status" }, "Running one tile…"));
    try {
      const r = await worker.call("numericCheck", { model: current.file, ...(testImage ? { image: testImage } : {}) });
      setChildren(
        numeric,
        h(
          "p",
          { class: `verdict ${r.ok ? "ok" : "error"}`, id: "inspect-numeric-verdict" },
          r.ok ? "Numeric check passed." : "Numeric check failed.",
        ),
        factTable(numericFacts(r), "Numeric check"),
        findingList(r.findings, "inspect-numeric-findings", "No findings."),
      );
    } catch (e) {
      setChildren(numeric, errorBox(e));
    } finally {
      runButton.disabled = false;
    }
  });

  return h(
    "section",
    { class: "view", "aria-labelledby": "inspect-title" },
    h("h2", { id: "inspect-title" }, "Inspect and validate a model file"),
    dropZone({
      id: "inspect-model",
      label: "Model file",
      hint: "Drop a .czann, .czmodel or .czseg file here, or choose one.",
      accept: ".czann,.czmodel,.czseg",
      onFiles: ([f]) => void load(f!),
    }),
    empty,
    body,
  );
}
