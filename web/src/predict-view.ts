/**
 * Flow 3, Predict: drop a model and an image (PNG, TIFF / OME-TIFF, CZI; read lazily from the
 * File in the worker), run the tiled prediction in the worker with a progress bar and a
 * Cancel button, see the result as a class-coloured overlay (legend with per-class
 * visibility, opacity, pan / zoom), and download it as PNG or OME-TIFF. A segmentation result
 * also lists its object count per class; hovering over an object shows its measurements, and
 * the objects table (CSV) and outlines (GeoJSON) download as `czmodel predict --objects` writes them.
 */
import { BlobByteSource } from "../../src/bytes/byte-source.js";
import { readModelFromSource } from "../../src/container/index.js";
import type { ImageInfo, PlaneIndex } from "../../src/io/types.js";
import { debounce, download, errorBox, factTable, formatBytes, h, setChildren, swatch } from "./dom.js";
import { dropZone } from "./drop-zone.js";
import { modelClasses } from "./model-summary.js";
import {
  AXES,
  BLENDS,
  BUSY_MESSAGE,
  canRun,
  DEVICES,
  createPredictState,
  doneText,
  imageRows,
  initiallyHidden,
  legendClasses,
  modelFacts,
  objectRows,
  objectsFileName,
  overlayColors,
  overviewSize,
  planeAxes,
  planeOf,
  planeStatus,
  pngExportable,
  predictSettings,
  progressFraction,
  progressText,
  resultFileName,
  resultShown,
  sceneSize,
  setClassShown,
  summaryData,
  summaryRows,
  type Axis,
} from "./predict-state.js";
import type { Picture, PredictSummary } from "./protocol.js";
import { Viewer, type ViewRect } from "./viewer.js";
import type { WorkerClient } from "./worker-client.js";

/** The page's elements of the flow (built once; `render` methods fill them from the state). */
function predictElements() {
  return {
    viewer: new Viewer("Image with prediction overlay"),
    modelBox: h("div", { id: "predict-model-info" }),
    imageBox: h("div", { id: "predict-image-info" }),
    planeBox: h("div", { id: "predict-planes", class: "planes" }),
    minConfidence: h("input", { id: "predict-min-confidence", type: "number", min: 0, max: 1, step: 0.05, placeholder: "none" }),
    blend: h("select", { id: "predict-blend" }, ...BLENDS.map((b) => h("option", { value: b }, b))),
    tile: h("input", { id: "predict-tile", type: "text", placeholder: "model's", autocomplete: "off" }),
    device: h(
      "select",
      { id: "predict-device", "aria-describedby": "predict-device-hint" },
      ...DEVICES.map((d) => h("option", { value: d }, d)),
    ),
    runButton: h("button", { type: "button", id: "predict-run", class: "primary", disabled: true }, "Predict"),
    cancelButton: h("button", { type: "button", id: "predict-cancel", disabled: true }, "Cancel"),
    progress: h("progress", { id: "predict-progress", max: 1, value: 0, "aria-label": "Prediction progress" }),
    status: h("p", { id: "predict-status", role: "status", "aria-live": "polite" }),
    errors: h("div", { id: "predict-error" }),
    summaryBox: h("div", { id: "predict-summary" }),
    legend: h("fieldset", { id: "predict-legend", class: "legend", hidden: true }),
    pngButton: h("button", { type: "button", id: "predict-download-png", disabled: true }, "Download labels (PNG)"),
    tiffButton: h("button", { type: "button", id: "predict-download-tiff", disabled: true }, "Download result (OME-TIFF)"),
    csvButton: h("button", { type: "button", id: "predict-download-objects", disabled: true }, "Download objects (CSV)"),
    geojsonButton: h("button", { type: "button", id: "predict-download-outlines", disabled: true }, "Download outlines (GeoJSON)"),
    objectBox: h("div", { id: "predict-object", class: "object-info" }),
    selects: {} as Partial<Record<Axis, HTMLSelectElement>>,
  };
}
type Elements = ReturnType<typeof predictElements>;

function layout(el: Elements, onModel: (f: File) => void, onImage: (f: File) => void): HTMLElement {
  return h(
    "section",
    { class: "view", "aria-labelledby": "predict-title" },
    h("h2", { id: "predict-title" }, "Predict"),
    h(
      "div",
      { class: "drops" },
      dropZone({
        id: "predict-model",
        label: "Model file",
        hint: "A .czann, .czmodel or .czseg file.",
        accept: ".czann,.czmodel,.czseg",
        onFiles: ([f]) => onModel(f!),
      }),
      dropZone({
        id: "predict-image",
        label: "Image",
        hint: "PNG, TIFF / OME-TIFF or CZI; large files are read piece by piece.",
        accept: ".png,.tif,.tiff,.czi",
        onFiles: ([f]) => onImage(f!),
      }),
    ),
    h("div", { class: "columns" }, el.modelBox, el.imageBox),
    el.planeBox,
    h(
      "details",
      { class: "options" },
      h("summary", {}, "Options"),
      h("div", { class: "field inline" }, h("label", { for: "predict-min-confidence" }, "Min confidence (0–1)"), el.minConfidence),
      h("div", { class: "field inline" }, h("label", { for: "predict-blend" }, "Tile stitching"), el.blend),
      h("div", { class: "field inline" }, h("label", { for: "predict-tile" }, "Tile H, W (dynamic models)"), el.tile),
      h(
        "div",
        { class: "field inline" },
        h("label", { for: "predict-device" }, "Device"),
        el.device,
        h("span", { class: "hint", id: "predict-device-hint" }, "auto: WebGPU when this browser has a GPU adapter, else wasm (CPU)"),
      ),
    ),
    h("div", { class: "actions" }, el.runButton, el.cancelButton, el.progress),
    el.status,
    el.errors,
    el.viewer.element,
    el.objectBox,
    el.legend,
    el.summaryBox,
    h("div", { class: "actions" }, el.pngButton, el.tiffButton, el.csvButton, el.geojsonButton),
  );
}

/** The view: DOM events go to the state functions of `predict-state.ts`, and the state is drawn back. */
class PredictView {
  readonly state = createPredictState();
  readonly el = predictElements();
  readonly element: HTMLElement;
  /** Latest pixel under the pointer; one question to the worker at a time, the newest wins. */
  private hovered: { x: number; y: number } | undefined;
  private asking = false;

  constructor(private readonly worker: WorkerClient) {
    const el = this.el;
    el.runButton.addEventListener("click", () => void this.run());
    el.cancelButton.addEventListener("click", () => {
      el.status.textContent = "Cancelling…";
      void worker.call("cancel", {});
    });
    el.pngButton.addEventListener("click", () => void this.save("png"));
    el.tiffButton.addEventListener("click", () => void this.save("ome-tiff"));
    el.csvButton.addEventListener("click", () => void this.saveObjects("csv"));
    el.geojsonButton.addEventListener("click", () => void this.saveObjects("geojson"));
    el.viewer.onHover = (pixel) => this.hover(pixel);
    this.element = layout(
      el,
      (f) => void this.loadModel(f),
      (f) => void this.loadImage(f),
    );
  }

  private ready(): void {
    this.el.runButton.disabled = !canRun(this.state);
  }

  /** New files are refused while a prediction runs (it reads the open image). */
  private refuseWhileBusy(): boolean {
    if (this.state.busy) setChildren(this.el.errors, errorBox(new Error(BUSY_MESSAGE)));
    return this.state.busy;
  }

  private plane(): PlaneIndex {
    const s = this.el.selects;
    return planeOf({ scene: s.scene?.value, t: s.t?.value, c: s.c?.value, z: s.z?.value });
  }

  private colors(): ([number, number, number] | null)[] {
    return overlayColors(this.state.result?.summary, this.state.hidden);
  }

  private readonly showError = (e: unknown): void => {
    setChildren(this.el.errors, errorBox(e));
    this.el.status.textContent = "";
  };

  private async detail(rect: ViewRect, width: number, height: number): Promise<{ image: Picture; result?: Picture }> {
    const p = this.plane();
    const contrast = this.state.image?.contrast;
    const picture = await this.worker.call("renderImage", { plane: p, rect, width, height, ...(contrast ? { contrast } : {}) });
    if (!resultShown(this.state.result, p)) return { image: picture };
    const overlay = await this.worker.call("renderResult", { plane: p, rect, width, height, colors: this.colors() });
    return { image: picture, result: overlay };
  }

  private async showResultOverview(): Promise<void> {
    const { image, result } = this.state;
    const p = this.plane();
    if (!image || !resultShown(result, p)) {
      this.el.viewer.setResult(undefined);
      return;
    }
    const [w, hh] = sceneSize(image.info, p);
    const [ow, oh] = overviewSize(w, hh);
    const picture = await this.worker.call("renderResult", {
      plane: p,
      rect: { x: 0, y: 0, width: w, height: hh },
      width: ow,
      height: oh,
      colors: this.colors(),
    });
    this.el.viewer.setResult(picture);
  }

  private async showImage(): Promise<void> {
    const image = this.state.image;
    if (!image) return;
    const p = this.plane();
    const [w, hh] = sceneSize(image.info, p);
    const [ow, oh] = overviewSize(w, hh);
    this.el.status.textContent = "Reading the image…";
    const picture = await this.worker.call("renderImage", { plane: p, rect: { x: 0, y: 0, width: w, height: hh }, width: ow, height: oh });
    image.contrast = picture.contrast;
    this.el.viewer.setImage(w, hh, picture, (rect, width, height) => this.detail(rect, width, height));
    this.el.status.textContent = planeStatus(this.state.result, this.plane());
    await this.showResultOverview();
  }

  private planeSelectors(info: ImageInfo): void {
    const { planeBox, selects } = this.el;
    planeBox.replaceChildren();
    for (const axis of AXES) delete selects[axis];
    for (const { axis, label, options } of planeAxes(info)) {
      const s = h("select", { id: `predict-plane-${axis}` }, ...options.map((o, i) => h("option", { value: i }, o)));
      s.addEventListener("change", () => void this.showImage().catch(this.showError));
      selects[axis] = s;
      planeBox.append(h("div", { class: "field inline" }, h("label", { for: s.id }, label), s));
    }
  }

  private async loadModel(file: File): Promise<void> {
    if (this.refuseWhileBusy()) return;
    const { state, el } = this;
    setChildren(el.errors);
    state.model = undefined;
    this.ready();
    try {
      const m = await readModelFromSource(new BlobByteSource(file, file.name));
      state.model = { file, model: m, classes: modelClasses(m) };
      const facts = modelFacts(file.name, m);
      const classes = h("span", {}, ...state.model.classes.flatMap((c) => [swatch(c.color), ` ${c.name}  `]));
      setChildren(
        el.modelBox,
        factTable(
          [
            ["Model", facts.model],
            ["Kind", facts.kind],
            ["Classes", classes],
          ],
          "Model",
        ),
      );
    } catch (e) {
      setChildren(el.modelBox);
      this.showError(e);
    }
    this.ready();
  }

  private async loadImage(file: File): Promise<void> {
    if (this.refuseWhileBusy()) return;
    const { state, el } = this;
    setChildren(el.errors);
    state.image = undefined;
    state.result = undefined;
    this.ready();
    el.legend.hidden = true;
    this.clearObjects();
    el.pngButton.disabled = el.tiffButton.disabled = true;
    setChildren(el.summaryBox);
    el.viewer.clear();
    try {
      const opened = await this.worker.call("openImage", { file });
      state.image = { file, info: opened.info };
      setChildren(el.imageBox, factTable(imageRows(file.name, file.size, opened.info), "Image"));
      this.planeSelectors(opened.info);
      this.ready();
      await this.showImage();
    } catch (e) {
      setChildren(el.imageBox);
      this.showError(e);
    }
    this.ready();
  }

  private showLegend(summary: PredictSummary): void {
    const { state, el } = this;
    state.hidden = initiallyHidden(summary);
    const classes = legendClasses(summary);
    if (classes.length === 0) {
      el.legend.hidden = true;
      return;
    }
    const redraw = debounce(() => void this.showResultOverview().catch(this.showError), 50);
    const boxes = classes.map((c) => {
      const box = h("input", { type: "checkbox", id: `predict-class-${c.value}`, checked: !state.hidden.has(c.value) });
      box.addEventListener("change", () => {
        setClassShown(state.hidden, c.value, box.checked);
        redraw();
      });
      return h("div", { class: "field check" }, box, h("label", { for: box.id }, swatch(c.color), ` ${c.value}: ${c.name}`));
    });
    setChildren(el.legend, h("legend", {}, "Classes shown"), ...boxes);
    el.legend.hidden = false;
  }

  private showSummary(summary: PredictSummary): void {
    const el = this.el;
    el.progress.value = 1;
    el.status.textContent = doneText(summary);
    Object.assign(el.summaryBox.dataset, summaryData(summary));
    setChildren(el.summaryBox, factTable(summaryRows(summary), "Result"));
    this.showLegend(summary);
    el.pngButton.disabled = !pngExportable(summary.output);
    el.tiffButton.disabled = false;
    el.csvButton.disabled = el.geojsonButton.disabled = !summary.objects;
    el.objectBox.textContent = summary.objects ? "Point at an object to see its measurements." : "";
  }

  private clearObjects(): void {
    const el = this.el;
    el.csvButton.disabled = el.geojsonButton.disabled = true;
    this.hovered = undefined;
    setChildren(el.objectBox);
  }

  private hover(pixel: { x: number; y: number } | undefined): void {
    const { result } = this.state;
    if (!result?.summary.objects || !resultShown(result, this.plane())) return;
    this.hovered = pixel;
    if (!this.asking) void this.askObject();
  }

  private async askObject(): Promise<void> {
    this.asking = true;
    try {
      let asked: { x: number; y: number } | undefined;
      while (this.hovered && this.hovered !== asked) {
        asked = this.hovered;
        const details = await this.worker.call("objectAt", asked);
        if (!this.state.result?.summary.objects) return;
        if (details) setChildren(this.el.objectBox, factTable(objectRows(details), `Object ${details.id}`));
        else this.el.objectBox.textContent = `No object at x ${asked.x}, y ${asked.y}.`;
      }
    } catch (e) {
      this.showError(e);
    } finally {
      this.asking = false;
    }
  }

  private async saveObjects(format: "csv" | "geojson"): Promise<void> {
    const { result, image } = this.state;
    if (!result?.summary.objects || !image) return;
    const name = objectsFileName(image.file.name, format);
    this.el.status.textContent = `Writing ${name}…`;
    try {
      const { bytes } = await this.worker.call("exportObjects", { format });
      download(bytes, name, format === "csv" ? "text/csv" : "application/geo+json");
      this.el.status.textContent = `Saved ${name} (${formatBytes(bytes.byteLength)}).`;
    } catch (e) {
      this.showError(e);
    }
  }

  private async run(): Promise<void> {
    const { state, el } = this;
    const { model, image } = state;
    if (!model || !image) return;
    state.busy = true;
    setChildren(el.errors);
    setChildren(el.summaryBox);
    el.runButton.disabled = true;
    el.cancelButton.disabled = false;
    el.pngButton.disabled = el.tiffButton.disabled = true;
    this.clearObjects();
    el.progress.value = 0;
    el.status.textContent = "Starting…";
    state.result = undefined;
    el.viewer.setResult(undefined);
    const plane = this.plane();
    try {
      const settings = predictSettings(plane, {
        minConfidence: el.minConfidence.value,
        blend: el.blend.value,
        tile: el.tile.value,
        device: el.device.value,
      });
      const summary = await this.worker.call("predict", { model: model.file, settings }, (ev) => {
        el.progress.value = progressFraction(ev);
        el.status.textContent = progressText(ev);
      });
      state.result = { summary, plane };
      this.showSummary(summary);
      await this.showResultOverview();
    } catch (e) {
      el.progress.value = 0;
      this.showError(e);
    } finally {
      state.busy = false;
      el.cancelButton.disabled = true;
      this.ready();
    }
  }

  private async save(format: "png" | "ome-tiff"): Promise<void> {
    const { result, image } = this.state;
    if (!result || !image) return;
    const name = resultFileName(image.file.name, result.summary.output.kind, format);
    this.el.status.textContent = `Writing ${name}…`;
    try {
      const { bytes } = await this.worker.call("exportResult", { format, name });
      download(bytes, name, format === "png" ? "image/png" : "image/tiff");
      this.el.status.textContent = `Saved ${name} (${formatBytes(bytes.byteLength)}).`;
    } catch (e) {
      this.showError(e);
    }
  }
}

export function predictView(worker: WorkerClient): HTMLElement {
  return new PredictView(worker).element;
}
