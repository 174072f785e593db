/**
 * Flow 1, Pack: drop an ONNX model, see its inputs and outputs, fill in the metadata (CZANN
 * or legacy), the pre-/post-processing and spatial dims, watch the live validation, then
 * download the `.czann` / `.czmodel`. A conversion-spec JSON can fill the form. A bioimage.io
 * package `.zip` dropped instead is imported in the worker (`importPackage`, checked on its
 * test tensors) and fills the form from the file it made; downloading gives that file as is,
 * or the same graph re-packed with the form's edits when there are any. All checks and the
 * archive itself come from the library (`adaptPayload`, `ModelMetadata` /
 * `LegacyModelMetadata`, `validateModel`, `packModel`, `importPackage`); this module only
 * reads the form. The state and what it means live in `pack-state.ts`; this module builds the
 * DOM, reads the form into a `PackForm`, and draws what the state functions return.
 */
import { MODEL_TYPES, COLOR_HANDLINGS, parseConversionSpec, PIXEL_TYPES } from "../../src/metadata/index.js";
import { summarizeOnnx, OPERATIONS } from "../../src/onnx/index.js";
import { TARGETS } from "../../src/validate/targets.js";
import { ClassEditor } from "./class-editor.js";
import { debounce, download, errorBox, h, setChildren } from "./dom.js";
import { dropZone } from "./drop-zone.js";
import { field, ioTable, select } from "./form.js";
import { importPanel, isZip } from "./package-import.js";
import {
  checkForm,
  createPackState,
  defaultsFor,
  downloadLabel,
  downloadPlan,
  importFields,
  importLicenseHint,
  isLatest,
  isLegacy,
  leaveImport,
  licenseAfterChoice,
  pixelTypeForLegacy,
  readImport,
  specFields,
  specNotes,
  startLoad,
  type PackForm,
} from "./pack-state.js";
import type { WorkerClient } from "./worker-client.js";

/** The form's controls, by the `PackForm` value each holds. */
function packControls() {
  return {
    format: select("pack-format", ["czann", "czmodel"], "czann"),
    name: h("input", { id: "pack-name", type: "text", autocomplete: "off" }),
    type: select("pack-type", MODEL_TYPES, "SingleClassSemanticSegmentation"),
    overlap: h("input", { id: "pack-overlap", type: "text", placeholder: "e.g. 8, 8", autocomplete: "off" }),
    scaling: h("input", { id: "pack-scaling", type: "text", placeholder: "e.g. 2.2e-7, 2.2e-7", autocomplete: "off" }),
    border: h("input", { id: "pack-border", type: "number", min: 0, step: 1, placeholder: "e.g. 4" }),
    pixelType: select("pack-pixel-type", PIXEL_TYPES, "Gray16"),
    colorHandling: select("pack-color-handling", COLOR_HANDLINGS, "SplitRgb"),
    pre: h("input", { id: "pack-pre", type: "text", placeholder: "e.g. rgb-to-bgr,scale=0.5", autocomplete: "off" }),
    post: h("input", { id: "pack-post", type: "text", placeholder: "e.g. softmax", autocomplete: "off" }),
    channelsFirst: h("input", { id: "pack-channels-first", type: "checkbox" }),
    inputCast: select("pack-input-cast", ["none", "uint8", "uint16"], "none"),
    spatial: h("input", { id: "pack-spatial", type: "text", placeholder: "e.g. 512, 512", autocomplete: "off" }),
    target: select("pack-target", TARGETS, "zen-3.13"),
    force: h("input", { id: "pack-force", type: "checkbox" }),
  };
}
type Controls = ReturnType<typeof packControls>;
type TextKey = Exclude<keyof Controls, "channelsFirst" | "force">;
const TEXT_KEYS: TextKey[] = [
  "format",
  "name",
  "type",
  "overlap",
  "scaling",
  "border",
  "pixelType",
  "colorHandling",
  "pre",
  "post",
  "inputCast",
  "spatial",
  "target",
];

function readForm(c: Controls, classes: ClassEditor): PackForm {
  const text = Object.fromEntries(TEXT_KEYS.map((k) => [k, c[k].value])) as Record<TextKey, string>;
  return {
    ...text,
    channelsFirst: c.channelsFirst.checked,
    force: c.force.checked,
    classNames: classes.names,
    classColors: classes.colors,
  };
}

function writeForm(c: Controls, classes: ClassEditor, values: Partial<PackForm>): void {
  for (const k of TEXT_KEYS) if (values[k] !== undefined) c[k].value = values[k];
  if (values.channelsFirst !== undefined) c.channelsFirst.checked = values.channelsFirst;
  if (values.force !== undefined) c.force.checked = values.force;
  if (values.classNames) classes.set(values.classNames, values.classColors);
}

/** The page's elements of the flow (the form's parts, not yet laid out). */
function packParts(onClasses: () => void) {
  const c = packControls();
  const classes = new ClassEditor("pack-classes", onClasses);
  return {
    c,
    classes,
    downloadButton: h("button", { type: "button", id: "pack-download", class: "primary", disabled: true }, "Download .czann"),
    messages: h("ul", { id: "pack-messages", class: "messages", "aria-live": "polite" }),
    ioBox: h("div", { id: "pack-io" }),
    result: h("div", { id: "pack-result", "aria-live": "polite" }),
    loadError: h("div", { id: "pack-error" }),
    importBox: h("div", { id: "pack-import", "aria-live": "polite" }),
    licenseFile: h("input", { id: "pack-license", type: "file", "aria-describedby": "pack-license-hint" }),
    licenseHint: h("p", { class: "hint", id: "pack-license-hint" }),
    empty: h("p", { class: "empty", id: "pack-empty" }, "No model yet: drop an ONNX file or a bioimage.io package .zip to start."),
    czannOnly: [
      field("pack-type", "Model type", c.type),
      field(
        "pack-overlap",
        "Min overlap (px, per spatial axis, even)",
        c.overlap,
        "Total overlap between neighbouring tiles; the border per side is half of it.",
      ),
      field("pack-scaling", "Pixel size x, y (metres)", c.scaling, "Optional: the pixel size the model was trained at."),
    ],
    legacyOnly: [
      field("pack-border", "Border size (px per tile side)", c.border),
      field("pack-pixel-type", "Pixel type", c.pixelType),
      field("pack-color-handling", "Colour handling", c.colorHandling),
    ],
  };
}

/** The page's elements of the flow, the form laid out. */
function packElements(onClasses: () => void) {
  const parts = packParts(onClasses);
  return { ...parts, form: packForm(parts) };
}
type Elements = ReturnType<typeof packElements>;

function packForm(el: ReturnType<typeof packParts>): HTMLFormElement {
  const c = el.c;
  const opHelp = h(
    "details",
    { class: "hint" },
    h("summary", {}, "Operations"),
    h(
      "ul",
      {},
      ...OPERATIONS.map((o) => h("li", {}, h("code", {}, o.syntax), ` — ${o.summary} (${o.kind === "pre-or-post" ? "pre/post" : o.kind})`)),
    ),
  );
  return h(
    "form",
    { id: "pack-form", class: "form", hidden: true, onsubmit: (e: Event) => e.preventDefault() },
    h(
      "fieldset",
      {},
      h("legend", {}, "Metadata"),
      field("pack-format", "File format", c.format, "czann: ZEN 3.4+ (model.json); czmodel: legacy ZEN segmentation format (XML)."),
      field("pack-name", "Model name", c.name),
      ...el.czannOnly,
      ...el.legacyOnly,
      h(
        "div",
        { class: "field" },
        h("span", { class: "label", id: "pack-classes-label" }, "Classes (one per output channel)"),
        el.classes.element,
      ),
      h(
        "div",
        { class: "field", "data-field": "pack-license" },
        h("label", { for: "pack-license" }, "Licence file (optional)"),
        el.licenseFile,
        el.licenseHint,
      ),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Pre-processing and spatial dims"),
      field("pack-pre", "Pre-processing ops", c.pre, "Prepended to the graph, comma-separated, applied in order (NHWC)."),
      opHelp,
      field("pack-post", "Post-processing ops", c.post, "Appended to the graph, e.g. softmax when the model outputs logits."),
      h(
        "div",
        { class: "field check" },
        c.channelsFirst,
        h("label", { for: "pack-channels-first" }, "The model is channels-first (NCHW): wrap it in transposes"),
      ),
      field("pack-input-cast", "Input cast", c.inputCast, "Make the input uint8/uint16 and cast to float32 inside the model."),
      field("pack-spatial", "Spatial dims H, W (or D, H, W)", c.spatial, "Fix the tile size of a model with dynamic spatial dims."),
      field("pack-target", "Validate for", c.target),
    ),
    h("h3", {}, "Validation"),
    el.messages,
    h("div", { class: "field check" }, c.force, h("label", { for: "pack-force" }, "Write the file even if ZEN would reject it")),
    el.downloadButton,
    el.result,
  );
}

function layout(el: Elements, onModel: (f: File) => void, onSpec: (f: File) => void): HTMLElement {
  return h(
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
        onFiles: ([f]) => onModel(f!),
      }),
      dropZone({
        id: "pack-spec",
        label: "Conversion spec (optional)",
        hint: "A czmodel JSON spec fills the form.",
        accept: ".json",
        onFiles: ([f]) => onSpec(f!),
      }),
    ),
    el.loadError,
    el.importBox,
    el.ioBox,
    el.empty,
    el.form,
  );
}

/** The view: DOM events go to the state functions of `pack-state.ts`, and the state is drawn back. */
class PackView {
  readonly state = createPackState();
  readonly el = packElements(() => this.refresh());
  readonly element: HTMLElement;

  constructor(private readonly worker: WorkerClient) {
    const el = this.el;
    el.licenseFile.addEventListener("change", async () => {
      const f = el.licenseFile.files?.[0];
      this.state.license = licenseAfterChoice(this.state, f ? { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) } : undefined);
      this.refresh();
    });
    const refreshSoon = debounce(() => this.refresh(), 150);
    const edited = () => {
      setChildren(el.result);
      refreshSoon();
    };
    el.form.addEventListener("input", edited);
    el.form.addEventListener("change", edited);
    el.downloadButton.addEventListener("click", () => this.download());
    el.c.format.addEventListener("change", () => {
      const pixelType = isLegacy(this.form()) ? pixelTypeForLegacy(this.state.model, el.c.pixelType.value) : undefined;
      if (pixelType) el.c.pixelType.value = pixelType;
    });
    this.element = layout(
      el,
      (f) => void this.loadFile(f),
      (f) => void this.loadSpec(f),
    );
  }

  private form(): PackForm {
    return readForm(this.el.c, this.el.classes);
  }

  private fill(values: Partial<PackForm>): void {
    writeForm(this.el.c, this.el.classes, values);
  }

  private showFormat(): void {
    const el = this.el;
    const legacy = isLegacy(this.form());
    for (const e of el.czannOnly) e.hidden = legacy;
    for (const e of el.legacyOnly) e.hidden = !legacy;
    el.downloadButton.textContent = downloadLabel(this.form());
    el.classes.colorsEditable = legacy;
  }

  private refresh(): void {
    const { state, el } = this;
    const model = state.model;
    this.showFormat();
    for (const e of el.form.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
    const { messages: list, ready, summary, adapted } = checkForm(state, this.form());
    setChildren(
      el.messages,
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
    if (model && summary && adapted)
      setChildren(el.ioBox, ioTable(model.summary, `Inputs and outputs of ${model.name}`), ioTable(summary, "After pre-/post-processing"));
    else if (model) setChildren(el.ioBox, ioTable(model.summary, `Inputs and outputs of ${model.name}`));
    el.downloadButton.disabled = !ready;
  }

  /** Forget an earlier import (its panel, licence and the graph edits made on it). */
  private leaveImport(): void {
    if (!leaveImport(this.state)) return;
    this.el.licenseFile.value = "";
    setChildren(this.el.licenseHint);
    setChildren(this.el.importBox);
  }

  /** A dropped model: a zip is a bioimage.io package, anything else ONNX. The view is aria-busy meanwhile. */
  private async loadFile(file: File): Promise<void> {
    const load = startLoad(this.state);
    this.element.setAttribute("aria-busy", "true");
    try {
      if (await isZip(file)) await this.importZip(file, load);
      else await this.loadModel(file, load);
    } finally {
      if (isLatest(this.state, load)) this.element.removeAttribute("aria-busy");
    }
  }

  private async importZip(file: File, load: number): Promise<void> {
    const { state, el } = this;
    this.leaveImport();
    state.model = undefined;
    el.form.hidden = true;
    el.empty.hidden = true;
    setChildren(el.ioBox);
    setChildren(el.result);
    setChildren(
      el.loadError,
      h(
        "p",
        { role: "status", id: "pack-importing" },
        `Importing ${file.name}: reading the package, adapting its graph for ZEN, running its test tensors…`,
      ),
    );
    let next: Awaited<ReturnType<typeof readImport>>;
    try {
      next = await readImport(await this.worker.call("importPackage", { file }), file.name);
      state.model = next.model;
    } catch (e) {
      if (!isLatest(state, load)) return;
      state.model = undefined;
      el.empty.hidden = false;
      setChildren(el.loadError, errorBox(e));
      return;
    }
    if (!isLatest(state, load)) return;
    state.imported = next.imported;
    state.license = next.imported.license;
    el.licenseFile.value = "";
    setChildren(el.licenseHint, importLicenseHint(next.imported.license));
    this.fill(importFields(next.imported));
    setChildren(el.loadError);
    setChildren(el.importBox, importPanel(next.imported.summary, file.name));
    el.form.hidden = false;
    this.refresh();
  }

  private async loadModel(file: File, load: number): Promise<void> {
    const { state, el } = this;
    this.leaveImport();
    setChildren(el.loadError);
    setChildren(el.result);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (!isLatest(state, load)) return;
      state.model = { name: file.name, bytes, summary: summarizeOnnx(bytes) };
    } catch (e) {
      state.model = undefined;
      el.form.hidden = true;
      setChildren(el.ioBox);
      setChildren(el.loadError, errorBox(e));
      return;
    }
    this.fill(defaultsFor(state.model));
    el.form.hidden = false;
    el.empty.hidden = true;
    this.refresh();
  }

  private async loadSpec(file: File): Promise<void> {
    const el = this.el;
    setChildren(el.loadError);
    try {
      const spec = parseConversionSpec(await file.text(), file.name);
      this.fill(specFields(spec));
      setChildren(el.loadError, h("ul", { class: "messages" }, ...specNotes(spec, file.name).map((n) => h("li", { class: "info" }, n))));
      el.form.hidden = !this.state.model;
      this.refresh();
    } catch (e) {
      setChildren(el.loadError, errorBox(e, "Invalid spec"));
    }
  }

  private download(): void {
    const el = this.el;
    if (!this.state.model) return;
    setChildren(el.result);
    try {
      const plan = downloadPlan(this.state, this.form());
      if (!plan) return;
      download(plan.bytes, plan.fileName);
      setChildren(
        el.result,
        h("p", { class: "ok", role: "status" }, plan.status),
        plan.warnings.length ? h("ul", { class: "messages" }, ...plan.warnings.map((w) => h("li", { class: "warning" }, w))) : null,
      );
    } catch (e) {
      setChildren(el.result, errorBox(e));
    }
  }
}

export function packView(worker: WorkerClient): HTMLElement {
  return new PackView(worker).element;
}
