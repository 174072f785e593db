/**
 * Flow 1, Pack: drop an ONNX model, see its inputs and outputs, fill in the metadata (CZANN
 * or legacy), the pre-/post-processing and spatial dims, watch the live validation, then
 * download the `.czann` / `.czmodel`. A conversion-spec JSON can fill the form. A bioimage.io
 * package `.zip` dropped instead is imported in the worker (`importPackage`, checked on its
 * test tensors) and fills the form from the file it made; downloading gives that file as is,
 * or the same graph re-packed with the form's edits when there are any. All checks and the
 * archive itself come from the library (`adaptPayload`, `ModelMetadata` /
 * `LegacyModelMetadata`, `validateStructure`, `packModel`, `importPackage`); this module only
 * reads the form.
 */
import { outputFileName, readModelFileBytes, type LicenseInput } from "../../src/container/index.js";
import { adaptPayload, packModel } from "../../src/convert/pack.js";
import type { ConvertOptions } from "../../src/convert/options.js";
import { invalidArgument } from "../../src/errors.js";
import {
  COLOR_HANDLINGS,
  isSegmentationType,
  LegacyModelMetadata,
  MODEL_TYPES,
  ModelMetadata,
  parseConversionSpec,
  PIXEL_TYPES,
  PIXEL_TYPE_INFO,
  type ModelType,
  type PixelType,
} from "../../src/metadata/index.js";
import { inspectOnnx, OPERATIONS, type OnnxSummary, type TensorSummary } from "../../src/onnx/index.js";
import { TARGETS, type Target } from "../../src/validate/targets.js";
import { inspectPayload } from "../../src/inspect/payload.js";
import { validateModel } from "../../src/validate/model.js";
import { ClassEditor } from "./class-editor.js";
import { debounce, download, errorBox, errorText, h, setChildren } from "./dom.js";
import { dropZone } from "./drop-zone.js";
import { field, fieldOf, ioTable, numberList, select, shapeText, type Message } from "./form.js";
import { importPanel, isZip } from "./package-import.js";
import type { ImportSummary } from "./protocol.js";
import type { WorkerClient } from "./worker-client.js";

interface Loaded {
  name: string;
  bytes: Uint8Array;
  summary: OnnxSummary;
}

/** A bioimage.io import: what the worker made, and the file's metadata and licence as read back. */
interface Imported {
  summary: ImportSummary;
  fileName: string;
  metadata: ModelMetadata;
  license: LicenseInput | null;
}

export function packView(worker: WorkerClient): HTMLElement {
  let model: Loaded | undefined;
  let imported: Imported | undefined;
  let license: LicenseInput | null = null;
  /** Bumped by every dropped file, so a slow import that is overtaken is dropped. */
  let loads = 0;

  const format = select("pack-format", ["czann", "czmodel"], "czann");
  const name = h("input", { id: "pack-name", type: "text", autocomplete: "off" });
  const type = select("pack-type", MODEL_TYPES, "SingleClassSemanticSegmentation");
  const overlap = h("input", { id: "pack-overlap", type: "text", placeholder: "e.g. 8, 8", autocomplete: "off" });
  const scaling = h("input", { id: "pack-scaling", type: "text", placeholder: "e.g. 2.2e-7, 2.2e-7", autocomplete: "off" });
  const border = h("input", { id: "pack-border", type: "number", min: 0, step: 1, placeholder: "e.g. 4" });
  const pixelType = select("pack-pixel-type", PIXEL_TYPES, "Gray16");
  const colorHandling = select("pack-color-handling", COLOR_HANDLINGS, "SplitRgb");
  const pre = h("input", { id: "pack-pre", type: "text", placeholder: "e.g. rgb-to-bgr,scale=0.5", autocomplete: "off" });
  const post = h("input", { id: "pack-post", type: "text", placeholder: "e.g. softmax", autocomplete: "off" });
  const channelsFirst = h("input", { id: "pack-channels-first", type: "checkbox" });
  const inputCast = select("pack-input-cast", ["none", "uint8", "uint16"], "none");
  const spatial = h("input", { id: "pack-spatial", type: "text", placeholder: "e.g. 512, 512", autocomplete: "off" });
  const target = select("pack-target", TARGETS, "zen-3.13");
  const force = h("input", { id: "pack-force", type: "checkbox" });
  const classes = new ClassEditor("pack-classes", () => refresh());
  const downloadButton = h("button", { type: "button", id: "pack-download", class: "primary", disabled: true }, "Download .czann");
  const messages = h("ul", { id: "pack-messages", class: "messages", "aria-live": "polite" });
  const ioBox = h("div", { id: "pack-io" });
  const result = h("div", { id: "pack-result", "aria-live": "polite" });
  const loadError = h("div", { id: "pack-error" });
  const importBox = h("div", { id: "pack-import", "aria-live": "polite" });
  const licenseFile = h("input", { id: "pack-license", type: "file", "aria-describedby": "pack-license-hint" });
  const licenseHint = h("p", { class: "hint", id: "pack-license-hint" });
  const empty = h("p", { class: "empty", id: "pack-empty" }, "No model yet: drop an ONNX file or a bioimage.io package .zip to start.");

  const czannOnly = [field("pack-type", "Model type", type), field("pack-overlap", "Min overlap (px, per spatial axis, even)", overlap, "Total overlap between neighbouring tiles; the border per side is half of it."), field("pack-scaling", "Pixel size x, y (metres)", scaling, "Optional: the pixel size the model was trained at.")];
  const legacyOnly = [field("pack-border", "Border size (px per tile side)", border), field("pack-pixel-type", "Pixel type", pixelType), field("pack-color-handling", "Colour handling", colorHandling)];

  const opHelp = h(
    "details",
    { class: "hint" },
    h("summary", {}, "Operations"),
    h("ul", {}, ...OPERATIONS.map((o) => h("li", {}, h("code", {}, o.syntax), ` — ${o.summary} (${o.kind === "pre-or-post" ? "pre/post" : o.kind})`))),
  );
  const form = h(
    "form",
    { id: "pack-form", class: "form", hidden: true, onsubmit: (e: Event) => e.preventDefault() },
    h(
      "fieldset",
      {},
      h("legend", {}, "Metadata"),
      field("pack-format", "File format", format, "czann: ZEN 3.4+ (model.json); czmodel: legacy ZEN segmentation format (XML)."),
      field("pack-name", "Model name", name),
      ...czannOnly,
      ...legacyOnly,
      h("div", { class: "field" }, h("span", { class: "label", id: "pack-classes-label" }, "Classes (one per output channel)"), classes.element),
      h("div", { class: "field", "data-field": "pack-license" }, h("label", { for: "pack-license" }, "Licence file (optional)"), licenseFile, licenseHint),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Pre-processing and spatial dims"),
      field("pack-pre", "Pre-processing ops", pre, "Prepended to the graph, comma-separated, applied in order (NHWC)."),
      opHelp,
      field("pack-post", "Post-processing ops", post, "Appended to the graph, e.g. softmax when the model outputs logits."),
      h("div", { class: "field check" }, channelsFirst, h("label", { for: "pack-channels-first" }, "The model is channels-first (NCHW): wrap it in transposes")),
      field("pack-input-cast", "Input cast", inputCast, "Make the input uint8/uint16 and cast to float32 inside the model."),
      field("pack-spatial", "Spatial dims H, W (or D, H, W)", spatial, "Fix the tile size of a model with dynamic spatial dims."),
      field("pack-target", "Validate for", target),
    ),
    h("h3", {}, "Validation"),
    messages,
    h("div", { class: "field check" }, force, h("label", { for: "pack-force" }, "Write the file even if ZEN would reject it")),
    downloadButton,
    result,
  );

  licenseFile.addEventListener("change", async () => {
    const f = licenseFile.files?.[0];
    license = f ? { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) } : (imported?.license ?? null);
    refresh();
  });

  function showFormat(): void {
    const legacy = format.value === "czmodel";
    for (const el of czannOnly) el.hidden = legacy;
    for (const el of legacyOnly) el.hidden = !legacy;
    downloadButton.textContent = legacy ? "Download .czmodel" : "Download .czann";
    classes.colorsEditable = legacy;
  }

  function options(): ConvertOptions {
    const spatialDims = numberList(spatial.value, "Spatial dims", "2 or 3 integers >= 1, e.g. 512, 512");
    return {
      ...(pre.value.trim() ? { preprocessing: pre.value } : {}),
      ...(post.value.trim() ? { postprocessing: post.value } : {}),
      ...(channelsFirst.checked ? { channelsFirst: true } : {}),
      ...(inputCast.value !== "none" ? { inputCast: inputCast.value as "uint8" | "uint16" } : {}),
      ...(spatialDims ? { spatialDims } : {}),
      target: target.value as Target,
      ...(force.checked ? { force: true } : {}),
    };
  }

  /** Fixed dims of a tensor without the batch axis, or a clear error. */
  function fixedShape(t: TensorSummary | undefined, what: string): number[] {
    if (!t) throw invalidArgument(`the model has no ${what}`, { where: "model" });
    const dims = t.shape.slice(1);
    if (!dims.every((d) => typeof d === "number" && d > 0)) {
      throw invalidArgument(`the model's ${what} "${t.name}" has dynamic dims ${shapeText(t)}; a .czann needs a fixed tile size`, {
        where: "Spatial dims",
        allowed: "set Spatial dims H, W under Pre-processing",
      });
    }
    return dims as number[];
  }

  function metadata(adapted: OnnxSummary): ModelMetadata | LegacyModelMetadata {
    const names = classes.names;
    const modelName = name.value.trim() || undefined;
    if (format.value === "czmodel") {
      const b = border.value.trim();
      return LegacyModelMetadata.fromParams({
        ...(modelName ? { modelName } : {}),
        colorHandling: colorHandling.value as (typeof COLOR_HANDLINGS)[number],
        pixelTypes: pixelType.value as PixelType,
        classes: names.map((n, i) => ({ name: n, color: classes.colors[i]!, labelValue: i + 1 })),
        ...(b ? { borderSize: Number(b) } : {}),
      });
    }
    const minOverlap = numberList(overlap.value, "metadata: MinOverlap", "one even integer >= 0 per spatial axis, e.g. 8, 8");
    const scale = numberList(scaling.value, "metadata: Scaling", "2 numbers > 0 (pixel size x, y in metres)");
    const t = type.value as ModelType;
    return ModelMetadata.fromParams({
      type: t,
      inputShape: fixedShape(adapted.inputs[0], "input"),
      outputShape: fixedShape(adapted.outputs[0], "output"),
      ...(minOverlap ? { minOverlap } : {}),
      ...(names.length || isSegmentationType(t) ? { classes: names } : {}),
      ...(modelName ? { modelName } : {}),
      ...(scale ? { scaling: scale as unknown as [number, number] } : {}),
      // an import keeps its model id and the package description (ModelDescription)
      ...(imported ? { id: imported.metadata.id, extra: imported.metadata.extra } : {}),
    });
  }

  /** Everything the form currently says, checked: messages, and what packing would need. */
  function check(): { messages: Message[]; ready: boolean; summary?: OnnxSummary; adapted?: boolean } {
    const out: Message[] = [];
    const fail = (e: unknown) => {
      const text = errorText(e);
      out.push({ severity: "error", text, ...(fieldOf(text) ? { field: fieldOf(text)! } : {}) });
    };
    if (!model) return { messages: out, ready: false };
    let opts: ConvertOptions;
    let adapted: ReturnType<typeof adaptPayload>;
    try {
      opts = options();
      adapted = adaptPayload({ kind: "onnx", bytes: model.bytes }, opts);
    } catch (e) {
      fail(e);
      return { messages: out, ready: false };
    }
    for (const s of adapted.steps) out.push({ severity: "info", text: s });
    for (const w of adapted.warnings) out.push({ severity: "warning", text: w });
    if (imported && format.value === "czmodel") {
      out.push({
        severity: "error",
        field: "pack-format",
        text: "File format: the imported graph expects ZEN's CZANN input scaling (x / pixel range), which a legacy .czmodel does not apply; write a .czann, or use czmodel import PACKAGE -o NAME.czmodel",
      });
      return { messages: out, ready: false };
    }
    if (imported && adapted.steps.length > 0) {
      out.push({ severity: "warning", text: "the test-tensor check ran on the imported graph; the pre-/post-processing and spatial-dims edits here are not covered by it" });
    }
    const testFailed = imported?.summary.test?.passed === false;
    if (testFailed) out.push({ severity: "error", text: "the imported model does not reproduce the package's test output (see the test-tensor check above); tick \"Write the file even if ZEN would reject it\" to download it anyway" });
    const facts = inspectPayload(adapted.bytes, "onnx");
    const summary = facts.onnx ?? model.summary;
    const changed = adapted.steps.length > 0;
    let meta: ModelMetadata | LegacyModelMetadata;
    try {
      meta = metadata(summary);
    } catch (e) {
      fail(e);
      return { messages: out, ready: false, summary, adapted: changed };
    }
    const report = validateModel({ metadata: meta, modelBytes: adapted.bytes, payloadKind: "onnx" }, { target: opts.target, payload: facts });
    for (const f of report.findings) {
      const text = f.where ? `${f.where}: ${f.message}` : f.message;
      out.push({ severity: f.severity, text, ...(fieldOf(text) ? { field: fieldOf(text)! } : {}) });
    }
    return { messages: out, ready: (report.ok && !testFailed) || Boolean(opts.force), summary, adapted: changed };
  }

  function refresh(): void {
    showFormat();
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    const { messages: list, ready, summary, adapted } = check();
    setChildren(
      messages,
      ...(list.length === 0 && model ? [h("li", { class: "ok" }, "No problems found: ZEN would accept this model.")] : []),
      ...list.map((m, i) => {
        const id = `pack-msg-${i}`;
        if (m.field && m.severity === "error") {
          const control = document.getElementById(m.field);
          control?.setAttribute("aria-invalid", "true");
          control?.setAttribute("aria-errormessage", id);
        }
        return h("li", { class: m.severity, id }, h("strong", {}, `${m.severity}: `), m.text);
      }),
    );
    if (model && summary && adapted) setChildren(ioBox, ioTable(model.summary, `Inputs and outputs of ${model.name}`), ioTable(summary, "After pre-/post-processing"));
    else if (model) setChildren(ioBox, ioTable(model.summary, `Inputs and outputs of ${model.name}`));
    downloadButton.disabled = !ready;
  }
  const refreshSoon = debounce(refresh, 150);
  const edited = () => {
    setChildren(result);
    refreshSoon();
  };
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);

  function fillDefaults(loaded: Loaded): void {
    const stem = loaded.name.replace(/\.[^.]*$/, "");
    name.value = stem;
    const out = loaded.summary.outputs[0]?.shape;
    const channels = out?.[out.length - 1];
    const k = typeof channels === "number" ? channels : 2;
    type.value = k === 1 ? "Regression" : k === 2 ? "SingleClassSemanticSegmentation" : "MultiClassSemanticSegmentation";
    classes.set(k === 1 ? [] : ["Background", ...Array.from({ length: k - 1 }, (_, i) => `Class ${i + 1}`)]);
  }

  function fillCzann(m: ModelMetadata): void {
    format.value = "czann";
    type.value = m.type;
    name.value = m.modelName ?? "";
    overlap.value = m.minOverlap?.join(", ") ?? "";
    scaling.value = m.scaling?.join(", ") ?? "";
    classes.set(m.classes ?? []);
  }

  /** Forget an earlier import (its panel, licence and the graph edits made on it). */
  function leaveImport(): void {
    if (!imported) return;
    imported = undefined;
    license = null;
    licenseFile.value = "";
    setChildren(licenseHint);
    setChildren(importBox);
  }

  /** A dropped model: a zip is a bioimage.io package, anything else ONNX. The view is aria-busy meanwhile. */
  async function loadFile(file: File): Promise<void> {
    const load = ++loads;
    view.setAttribute("aria-busy", "true");
    try {
      if (await isZip(file)) await importZip(file, load);
      else await loadModel(file, load);
    } finally {
      if (load === loads) view.removeAttribute("aria-busy");
    }
  }

  async function importZip(file: File, load: number): Promise<void> {
    leaveImport();
    model = undefined;
    form.hidden = true;
    empty.hidden = true;
    setChildren(ioBox);
    setChildren(result);
    setChildren(loadError, h("p", { role: "status", id: "pack-importing" }, `Importing ${file.name}: reading the package, adapting its graph for ZEN, running its test tensors…`));
    let next: Imported;
    let bytes: Uint8Array;
    try {
      const summary = await worker.call("importPackage", { file });
      const archive = await readModelFileBytes(summary.bytes, file.name);
      if (!(archive.metadata instanceof ModelMetadata)) throw new Error("the import did not give a .czann");
      bytes = archive.modelBytes;
      next = { summary, fileName: file.name, metadata: archive.metadata, license: archive.license };
      model = { name: `${file.name} (imported graph)`, bytes, summary: inspectOnnx(bytes) };
    } catch (e) {
      if (load !== loads) return;
      model = undefined;
      empty.hidden = false;
      setChildren(loadError, errorBox(e));
      return;
    }
    if (load !== loads) return;
    imported = next;
    license = next.license;
    licenseFile.value = "";
    setChildren(licenseHint, next.license ? `The package's ${next.license.name} (licence, authors, citation) is included; choose a file to replace it.` : "");
    pre.value = post.value = spatial.value = "";
    channelsFirst.checked = force.checked = false;
    inputCast.value = "none";
    fillCzann(next.metadata);
    setChildren(loadError);
    setChildren(importBox, importPanel(next.summary, file.name));
    form.hidden = false;
    refresh();
  }

  async function loadModel(file: File, load: number): Promise<void> {
    leaveImport();
    setChildren(loadError);
    setChildren(result);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (load !== loads) return;
      const summary = inspectOnnx(bytes);
      model = { name: file.name, bytes, summary };
    } catch (e) {
      model = undefined;
      form.hidden = true;
      setChildren(ioBox);
      setChildren(loadError, errorBox(e));
      return;
    }
    fillDefaults(model);
    form.hidden = false;
    empty.hidden = true;
    refresh();
  }

  async function loadSpec(file: File): Promise<void> {
    setChildren(loadError);
    try {
      const spec = parseConversionSpec(await file.text(), file.name);
      if (spec.flavour === "czann") {
        fillCzann(spec.metadata);
      } else {
        const m = spec.metadata;
        format.value = "czmodel";
        name.value = m.modelName;
        border.value = m.borderSize === undefined ? "" : String(m.borderSize);
        pixelType.value = m.pixelTypes[0] ?? "Gray16";
        colorHandling.value = m.colorHandling;
        classes.set(m.classNames, m.classes.map((c) => c.color));
      }
      const notes = [`Filled from ${file.name} (model: ${spec.rawPaths.modelPath}; drop that ONNX file above).`, ...spec.warnings];
      setChildren(loadError, h("ul", { class: "messages" }, ...notes.map((n) => h("li", { class: "info" }, n))));
      form.hidden = !model;
      refresh();
    } catch (e) {
      setChildren(loadError, errorBox(e, "Invalid spec"));
    }
  }

  downloadButton.addEventListener("click", () => {
    if (!model) return;
    setChildren(result);
    try {
      const { summary = model.summary, adapted = false } = check();
      const meta = metadata(summary);
      const base = (name.value.trim() || "DNNModel").replace(/[\\/:*?"<>|]+/g, "_");
      // an import with no edits downloads the very file importPackage made and checked
      if (imported && !adapted && license === imported.license && meta instanceof ModelMetadata && meta.toJsonText() === imported.metadata.toJsonText()) {
        const fileName = outputFileName(base, "czann");
        download(imported.summary.bytes, fileName);
        setChildren(result, h("p", { class: "ok", role: "status" }, `Wrote ${fileName} (${imported.summary.bytes.byteLength} bytes, czann): the file imported from ${imported.fileName}, as checked on its test tensors.`));
        return;
      }
      const input = { payload: { kind: "onnx" as const, bytes: model.bytes }, metadata: meta, license };
      const packed = packModel(input, options());
      const fileName = outputFileName(base, packed.format);
      download(packed.bytes, fileName);
      const how = imported ? `: the graph imported from ${imported.fileName}, re-packed with your edits` : "";
      setChildren(
        result,
        h("p", { class: "ok", role: "status" }, `Wrote ${fileName} (${packed.bytes.byteLength} bytes, ${packed.format})${how}.`),
        packed.warnings.length ? h("ul", { class: "messages" }, ...packed.warnings.map((w) => h("li", { class: "warning" }, w))) : null,
      );
    } catch (e) {
      setChildren(result, errorBox(e));
    }
  });

  format.addEventListener("change", () => {
    if (format.value === "czmodel" && model) {
      const c = model.summary.inputs[0]?.shape.at(-1);
      const byChannels = PIXEL_TYPES.find((p) => PIXEL_TYPE_INFO[p].samples === c && !PIXEL_TYPE_INFO[p].complex);
      if (byChannels && PIXEL_TYPE_INFO[pixelType.value as PixelType].samples !== c) pixelType.value = c === 1 ? "Gray16" : byChannels;
    }
  });

  const view = h(
    "section",
    { class: "view", id: "pack-view", "aria-labelledby": "pack-title" },
    h("h2", { id: "pack-title" }, "Pack an ONNX model or import a bioimage.io package"),
    h(
      "div",
      { class: "drops" },
      dropZone({
        id: "pack-onnx",
        label: "ONNX model or bioimage.io package",
        hint: "Drop an .onnx file, or a bioimage.io model package .zip (imported and checked on its test tensors), or choose one.",
        accept: ".onnx,.zip",
        onFiles: ([f]) => void loadFile(f!),
      }),
      dropZone({ id: "pack-spec", label: "Conversion spec (optional)", hint: "A czmodel JSON spec fills the form.", accept: ".json", onFiles: ([f]) => void loadSpec(f!) }),
    ),
    loadError,
    importBox,
    ioBox,
    empty,
    form,
  );
  return view;
}
