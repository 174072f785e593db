/**
 * Flow 3, Predict: drop a model and an image (PNG, TIFF / OME-TIFF, CZI; read lazily from the
 * File in the worker), run the tiled prediction in the worker with a progress bar and a
 * Cancel button, see the result as a class-coloured overlay (legend with per-class
 * visibility, opacity, pan / zoom), and download it as PNG or OME-TIFF.
 */
import { BlobByteSource } from "../../src/bytes/byte-source.js";
import { readModelFromSource, type ModelFile } from "../../src/container/index.js";
import type { PredictProgress } from "../../src/engine/index.js";
import type { ImageInfo, PlaneIndex } from "../../src/io/types.js";
import { debounce, download, errorBox, factTable, formatBytes, h, setChildren, swatch } from "./dom.js";
import { dropZone } from "./drop-zone.js";
import { modelClasses, type ClassInfo } from "./model-summary.js";
import type { Picture, PredictSummary } from "./protocol.js";
import { Viewer, type ViewRect } from "./viewer.js";
import type { WorkerClient } from "./worker-client.js";

/** Longest side of the overview pictures. */
const OVERVIEW = 2048;

function overviewSize(width: number, height: number): [number, number] {
  const f = Math.min(1, OVERVIEW / Math.max(width, height));
  return [Math.max(1, Math.round(width * f)), Math.max(1, Math.round(height * f))];
}

const AXES = ["scene", "t", "c", "z"] as const;

export function predictView(worker: WorkerClient): HTMLElement {
  let model: { file: File; model: ModelFile; classes: ClassInfo[] } | undefined;
  let image: { file: File; info: ImageInfo; contrast?: [number, number] } | undefined;
  let result: { summary: PredictSummary; plane: PlaneIndex } | undefined;
  const hidden = new Set<number>();

  const viewer = new Viewer("Image with prediction overlay");
  const modelBox = h("div", { id: "predict-model-info" });
  const imageBox = h("div", { id: "predict-image-info" });
  const planeBox = h("div", { id: "predict-planes", class: "planes" });
  const minConfidence = h("input", { id: "predict-min-confidence", type: "number", min: 0, max: 1, step: 0.05, placeholder: "none" });
  const blend = h("select", { id: "predict-blend" }, ...["none", "linear", "gaussian"].map((b) => h("option", { value: b }, b)));
  const tile = h("input", { id: "predict-tile", type: "text", placeholder: "model's", autocomplete: "off" });
  const runButton = h("button", { type: "button", id: "predict-run", class: "primary", disabled: true }, "Predict");
  const cancelButton = h("button", { type: "button", id: "predict-cancel", disabled: true }, "Cancel");
  const progress = h("progress", { id: "predict-progress", max: 1, value: 0, "aria-label": "Prediction progress" });
  const status = h("p", { id: "predict-status", role: "status", "aria-live": "polite" });
  const errors = h("div", { id: "predict-error" });
  const summaryBox = h("div", { id: "predict-summary" });
  const legend = h("fieldset", { id: "predict-legend", class: "legend", hidden: true });
  const pngButton = h("button", { type: "button", id: "predict-download-png", disabled: true }, "Download labels (PNG)");
  const tiffButton = h("button", { type: "button", id: "predict-download-tiff", disabled: true }, "Download result (OME-TIFF)");
  const selects: Partial<Record<(typeof AXES)[number], HTMLSelectElement>> = {};

  let busy = false;

  function ready(): void {
    runButton.disabled = busy || !(model && image);
  }

  /** New files are refused while a prediction runs (it reads the open image). */
  function refuseWhileBusy(): boolean {
    if (busy) setChildren(errors, errorBox(new Error("a prediction is running: cancel it or wait for it to finish before choosing other files")));
    return busy;
  }

  function plane(): PlaneIndex {
    return {
      scene: Number(selects.scene?.value ?? 0),
      t: Number(selects.t?.value ?? 0),
      c: Number(selects.c?.value ?? 0),
      z: Number(selects.z?.value ?? 0),
    };
  }

  function sceneSize(): [number, number] {
    const info = image!.info;
    const s = info.scenes[plane().scene] ?? info;
    return [s.width, s.height];
  }

  /** Colour table for the worker: index = label value; hidden classes and 0 are transparent. */
  function colors(): ([number, number, number] | null)[] {
    const out: ([number, number, number] | null)[] = [];
    const classes = result?.summary.output.classes ?? [];
    for (const c of classes) out[c.value] = hidden.has(c.value) ? null : c.color;
    for (let i = 0; i < out.length; i++) out[i] ??= null;
    return out;
  }

  function resultShown(): boolean {
    if (!result) return false;
    const p = plane();
    const r = result.plane;
    const is3d = result.summary.output.sizes.z > 1;
    return p.scene === r.scene && p.t === r.t && (is3d || p.z === r.z);
  }

  async function detail(rect: ViewRect, width: number, height: number): Promise<{ image: Picture; result?: Picture }> {
    const p = plane();
    const picture = await worker.call("renderImage", { plane: p, rect, width, height, ...(image?.contrast ? { contrast: image.contrast } : {}) });
    if (!resultShown()) return { image: picture };
    const overlay = await worker.call("renderResult", { plane: p, rect, width, height, colors: colors() });
    return { image: picture, result: overlay };
  }

  async function showResultOverview(): Promise<void> {
    if (!image || !resultShown()) {
      viewer.setResult(undefined);
      return;
    }
    const [w, hh] = sceneSize();
    const [ow, oh] = overviewSize(w, hh);
    const picture = await worker.call("renderResult", { plane: plane(), rect: { x: 0, y: 0, width: w, height: hh }, width: ow, height: oh, colors: colors() });
    viewer.setResult(picture);
  }

  async function showImage(): Promise<void> {
    if (!image) return;
    const [w, hh] = sceneSize();
    const [ow, oh] = overviewSize(w, hh);
    status.textContent = "Reading the image…";
    const picture = await worker.call("renderImage", { plane: plane(), rect: { x: 0, y: 0, width: w, height: hh }, width: ow, height: oh });
    image.contrast = picture.contrast;
    viewer.setImage(w, hh, picture, detail);
    status.textContent = result && !resultShown() ? "The result is for another plane: choose that plane to see it, or press Predict for this one." : "";
    await showResultOverview();
  }

  function planeSelectors(info: ImageInfo): void {
    planeBox.replaceChildren();
    for (const axis of AXES) {
      delete selects[axis];
      const n = info.sizes[axis];
      if (n <= 1) continue;
      const names = axis === "c" && info.channelNames ? info.channelNames : undefined;
      const s = h("select", { id: `predict-plane-${axis}` }, ...Array.from({ length: n }, (_, i) => h("option", { value: i }, names?.[i] ?? String(i))));
      s.addEventListener("change", () => void showImage().catch(showError));
      selects[axis] = s;
      planeBox.append(h("div", { class: "field inline" }, h("label", { for: s.id }, { scene: "Scene", t: "Time point", c: "Channel", z: "Z slice" }[axis]), s));
    }
  }

  function showError(e: unknown): void {
    setChildren(errors, errorBox(e));
    status.textContent = "";
  }

  async function loadModel(file: File): Promise<void> {
    if (refuseWhileBusy()) return;
    setChildren(errors);
    model = undefined;
    ready();
    try {
      const m = await readModelFromSource(new BlobByteSource(file, file.name));
      model = { file, model: m, classes: modelClasses(m) };
      const meta = m.metadata;
      setChildren(
        modelBox,
        factTable(
          [
            ["Model", `${meta.modelName ?? file.name} (${m.format})`],
            ["Kind", m.format === "czann" ? m.metadata.type : "segmentation (legacy)"],
            ["Classes", h("span", {}, ...model.classes.flatMap((c) => [swatch(c.color), ` ${c.name}  `]))],
          ],
          "Model",
        ),
      );
    } catch (e) {
      setChildren(modelBox);
      showError(e);
    }
    ready();
  }

  async function loadImage(file: File): Promise<void> {
    if (refuseWhileBusy()) return;
    setChildren(errors);
    image = undefined;
    result = undefined;
    ready();
    legend.hidden = true;
    pngButton.disabled = tiffButton.disabled = true;
    setChildren(summaryBox);
    viewer.clear();
    try {
      const opened = await worker.call("openImage", { file });
      image = { file, info: opened.info };
      const info = opened.info;
      const sizes = AXES.filter((a) => info.sizes[a] > 1).map((a) => `${a.toUpperCase()}=${info.sizes[a]}`);
      setChildren(
        imageBox,
        factTable(
          [
            ["Image", `${file.name} (${formatBytes(file.size)})`],
            ["Format", info.format],
            ["Size", `${info.width} × ${info.height} px${sizes.length ? `, ${sizes.join(", ")}` : ""}`],
            ["Pixels", `${info.samplesPerPixel} × ${info.sampleType} (${info.sampleOrder})${info.significantBits ? `, ${info.significantBits} bits` : ""}`],
          ],
          "Image",
        ),
      );
      planeSelectors(info);
      ready();
      await showImage();
    } catch (e) {
      setChildren(imageBox);
      showError(e);
    }
    ready();
  }

  function progressText(p: PredictProgress): string {
    const eta = p.tilesDone < p.tilesTotal ? `, about ${Math.ceil(p.etaMs / 1000)} s left` : "";
    return `${p.tilesDone} / ${p.tilesTotal} tiles, ${p.megapixelsDone.toFixed(1)} / ${p.megapixelsTotal.toFixed(1)} MP, ${p.megapixelsPerSecond.toFixed(2)} MP/s${eta}`;
  }

  function showLegend(summary: PredictSummary): void {
    const classes = summary.output.classes ?? [];
    hidden.clear();
    // Background is hidden at first so the objects stand out; its box brings it back.
    for (const c of classes) if (/^background$/i.test(c.name.trim())) hidden.add(c.value);
    if (summary.output.kind !== "labels" || classes.length === 0) {
      legend.hidden = true;
      return;
    }
    const redraw = debounce(() => void showResultOverview().catch(showError), 50);
    setChildren(
      legend,
      h("legend", {}, "Classes shown"),
      ...classes.map((c) => {
        const box = h("input", { type: "checkbox", id: `predict-class-${c.value}`, checked: !hidden.has(c.value) });
        box.addEventListener("change", () => {
          if (box.checked) hidden.delete(c.value);
          else hidden.add(c.value);
          redraw();
        });
        return h("div", { class: "field check" }, box, h("label", { for: box.id }, swatch(c.color), ` ${c.value}: ${c.name}`));
      }),
    );
    legend.hidden = false;
  }

  runButton.addEventListener("click", async () => {
    if (!model || !image) return;
    busy = true;
    setChildren(errors);
    setChildren(summaryBox);
    runButton.disabled = true;
    cancelButton.disabled = false;
    pngButton.disabled = tiffButton.disabled = true;
    progress.value = 0;
    status.textContent = "Starting…";
    result = undefined;
    viewer.setResult(undefined);
    const p = plane();
    try {
      const mc = minConfidence.value.trim();
      const t = tile.value.trim();
      const summary = await worker.call(
        "predict",
        {
          model: model.file,
          settings: {
            plane: p,
            ...(mc ? { minConfidence: Number(mc) } : {}),
            blend: blend.value as "none" | "linear" | "gaussian",
            ...(t ? { tile: t.split(/[\s,x×]+/).filter(Boolean).map(Number) } : {}),
          },
        },
        (ev) => {
          progress.value = ev.tilesTotal ? ev.tilesDone / ev.tilesTotal : 0;
          status.textContent = progressText(ev);
        },
      );
      result = { summary, plane: p };
      progress.value = 1;
      status.textContent = `Done: ${summary.tiles} tiles in ${(summary.elapsedMs / 1000).toFixed(1)} s, ${summary.megapixelsPerSecond.toFixed(2)} MP/s.`;
      const out = summary.output;
      // machine-readable numbers for the benchmark (npm run bench:web)
      Object.assign(summaryBox.dataset, { tiles: String(summary.tiles), elapsedMs: String(summary.elapsedMs), megapixels: String(summary.megapixels) });
      setChildren(
        summaryBox,
        factTable(
          [
            ["Output", `${out.kind}: ${out.width} × ${out.height}, ${out.samplesPerPixel} × ${out.sampleType}`],
            ["Tile / border", `${summary.tile.join(" × ")} / ${summary.border.join(", ")} px`],
            ["Tiles", String(summary.tiles)],
            ["Channels", summary.channelMapping],
            ["Scaling", summary.inputScaling],
            ["Speed", `${summary.megapixels.toFixed(2)} MP in ${(summary.elapsedMs / 1000).toFixed(2)} s = ${summary.megapixelsPerSecond.toFixed(2)} MP/s, ${summary.threads} thread(s)`],
            ...(summary.notes.length ? ([["Notes", summary.notes.join("; ")]] as [string, string][]) : []),
          ],
          "Result",
        ),
      );
      showLegend(summary);
      pngButton.disabled = !(out.samplesPerPixel === 1 && out.sampleType !== "float32" && out.sizes.scene * out.sizes.t * out.sizes.c * out.sizes.z === 1);
      tiffButton.disabled = false;
      await showResultOverview();
    } catch (e) {
      progress.value = 0;
      showError(e);
    } finally {
      busy = false;
      cancelButton.disabled = true;
      ready();
    }
  });

  cancelButton.addEventListener("click", () => {
    status.textContent = "Cancelling…";
    void worker.call("cancel", {});
  });

  async function save(format: "png" | "ome-tiff"): Promise<void> {
    if (!result || !image) return;
    const stem = image.file.name.replace(/\.ome\.tiff?$|\.[^.]*$/i, "");
    const suffix = result.summary.output.kind === "labels" ? "labels" : "prediction";
    const name = `${stem}_${suffix}${format === "png" ? ".png" : ".ome.tiff"}`;
    status.textContent = `Writing ${name}…`;
    try {
      const { bytes } = await worker.call("exportResult", { format, name });
      download(bytes, name, format === "png" ? "image/png" : "image/tiff");
      status.textContent = `Saved ${name} (${formatBytes(bytes.byteLength)}).`;
    } catch (e) {
      showError(e);
    }
  }
  pngButton.addEventListener("click", () => void save("png"));
  tiffButton.addEventListener("click", () => void save("ome-tiff"));

  return h(
    "section",
    { class: "view", "aria-labelledby": "predict-title" },
    h("h2", { id: "predict-title" }, "Predict"),
    h(
      "div",
      { class: "drops" },
      dropZone({ id: "predict-model", label: "Model file", hint: "A .czann, .czmodel or .czseg file.", accept: ".czann,.czmodel,.czseg", onFiles: ([f]) => void loadModel(f!) }),
      dropZone({ id: "predict-image", label: "Image", hint: "PNG, TIFF / OME-TIFF or CZI; large files are read piece by piece.", accept: ".png,.tif,.tiff,.czi", onFiles: ([f]) => void loadImage(f!) }),
    ),
    h("div", { class: "columns" }, modelBox, imageBox),
    planeBox,
    h(
      "details",
      { class: "options" },
      h("summary", {}, "Options"),
      h("div", { class: "field inline" }, h("label", { for: "predict-min-confidence" }, "Min confidence (0–1)"), minConfidence),
      h("div", { class: "field inline" }, h("label", { for: "predict-blend" }, "Tile stitching"), blend),
      h("div", { class: "field inline" }, h("label", { for: "predict-tile" }, "Tile H, W (dynamic models)"), tile),
    ),
    h("div", { class: "actions" }, runButton, cancelButton, progress),
    status,
    errors,
    viewer.element,
    legend,
    summaryBox,
    h("div", { class: "actions" }, pngButton, tiffButton),
  );
}
