/**
 * The page's worker: everything that touches onnxruntime-web or big pixel data runs here, off
 * the UI thread. It holds the open image (read lazily from the dropped `File` through
 * `BlobByteSource`, so a multi-GB TIFF is never loaded whole) and the last result (one compact
 * plane per output plane: uint8 labels for up to 255 classes, 100 MB for 10000²), runs
 * `predict` with progress events and cancellation, renders view pictures, writes the result
 * as PNG or OME-TIFF, counts and measures the objects of a 2-D label result (`src/result-objects.ts`:
 * counts, the object under a pixel, the CSV and GeoJSON downloads), runs the numeric model check, and imports bioimage.io packages
 * (`importPackage`, whose test-tensor check runs a session like any prediction). Predictions run
 * on the device the page chose (`src/ort-device.ts`: onnxruntime-web's WebGPU build or its wasm
 * build); the numeric check and the import stay on wasm. The page talks to it through
 * `src/worker-client.ts` (messages in `src/protocol.ts`).
 */
import { importPackage } from "../src/bioimageio/import.js";
import { loadPackage, zipPackage } from "../src/bioimageio/package.js";
import { readModelFromSource, type ModelFile } from "../src/container/index.js";
import { planModelInput, predict, type EngineModel } from "../src/engine/index.js";
import { engineModelFromFile } from "../src/engine/from-model-file.js";
import { cancelled, describeError, isCzmodelError } from "../src/errors.js";
import { BlobByteSource } from "../src/bytes/byte-source.js";
import { MemoryByteTarget } from "../src/io/byte-target.js";
import { MemoryImageSink } from "../src/io/memory/index.js";
import { openImageSource } from "../src/io/open.js";
import { PngSink } from "../src/io/png/index.js";
import { OmeTiffSink } from "../src/io/tiff/index.js";
import type { ImageSink, ImageSource, OutputImageInfo, PlaneIndex } from "../src/io/types.js";
import { tileFromSource } from "../src/engine/centre-tile.js";
import { yieldToEventLoop } from "../src/io/yield.js";
import { numericMetaFor } from "../src/validate/model.js";
import { runNumericValidation } from "../src/validate/numeric.js";
import { configureOrt, runtimeFor, wasmRuntime, type DeviceRuntime } from "./src/ort-device.js";
import type {
  ErrorInfo,
  ImportSummary,
  Op,
  PredictSettings,
  PredictSummary,
  ReplyMessage,
  RequestMessage,
  Requests,
} from "./src/protocol.js";
import { renderImage, renderResult, valueRange, type ResultPlane } from "./src/render.js";
import { ResultObjects } from "./src/result-objects.js";

interface WorkerScope {
  postMessage(message: ReplyMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<RequestMessage>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let threads = 1;
let image: { source: ImageSource; name: string } | undefined;
let result: { sink: MemoryImageSink; info: OutputImageInfo; is3d: boolean; range?: [number, number]; objects?: ResultObjects } | undefined;
let running: AbortController | undefined;

function errorInfo(e: unknown): ErrorInfo {
  if (isCzmodelError(e)) {
    return { code: e.code, message: e.message, ...(e.where ? { where: e.where } : {}), ...(e.allowed ? { allowed: e.allowed } : {}) };
  }
  return { code: "INTERNAL", message: describeError(e) };
}

async function readModel(file: File): Promise<ModelFile> {
  return readModelFromSource(new BlobByteSource(file, file.name));
}

function resultPlane(plane: PlaneIndex): ResultPlane {
  if (!result) throw new Error("no result yet: run a prediction first");
  const { sink, info, is3d } = result;
  const index = { scene: 0, t: 0, c: Math.min(plane.c, info.sizes.c - 1), z: is3d ? Math.min(plane.z, info.sizes.z - 1) : 0 };
  return { data: sink.plane(index), width: info.width, kind: info.kind, ...(result.range ? { range: result.range } : {}) };
}

/** Write the stored result into a file sink, band by band. */
async function replay(sink: ImageSink): Promise<void> {
  if (!result) throw new Error("no result yet: run a prediction first");
  const { info } = result;
  const rowLength = info.width * info.samplesPerPixel;
  const bandRows = Math.max(1, Math.floor((8 << 20) / rowLength));
  try {
    await sink.begin(info);
    for (const { index, data } of result.sink.allPlanes()) {
      for (let y = 0; y < info.height; y += bandRows) {
        const rows = Math.min(bandRows, info.height - y);
        await sink.writeBand(index, y, rows, data.subarray(y * rowLength, (y + rows) * rowLength));
      }
    }
    await sink.finish();
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

/** The objects of a 2-D label output with at least one object class; none for other outputs. */
async function objectsOf(sink: MemoryImageSink, info: OutputImageInfo, image: ImageSource): Promise<ResultObjects | undefined> {
  const classes = info.classes ?? [];
  const onePlane = info.sizes.scene * info.sizes.t * info.sizes.c * info.sizes.z === 1 && info.samplesPerPixel === 1;
  if (info.kind !== "labels" || !onePlane || classes.length < 2) return undefined;
  return ResultObjects.compute(sink.plane(), info.width, info.height, classes, image);
}

function resultObjects(): ResultObjects {
  if (!result?.objects) throw new Error("no objects: run a prediction with a segmentation model first");
  return result.objects;
}

/** One prediction of the open image into a fresh memory sink, with the runtime of `on`. */
async function predictWith(
  on: DeviceRuntime,
  model: EngineModel,
  source: ImageSource,
  settings: PredictSettings,
  id: number,
  signal: AbortSignal,
) {
  const is3d = (model.spatialDims ?? model.tile?.length ?? 2) === 3;
  const p = settings.plane;
  const sink = new MemoryImageSink();
  const r = await predict(model, source, sink, {
    runtime: on.runtime,
    threads,
    ...(on.sessionOptions ? { sessionOptions: on.sessionOptions } : {}),
    planes: { scene: [p.scene], t: [p.t], ...(is3d ? {} : { z: [p.z] }) },
    ...(settings.minConfidence !== undefined ? { minConfidence: settings.minConfidence } : {}),
    ...(settings.blend ? { blend: settings.blend } : {}),
    ...(settings.tile ? { tile: settings.tile } : {}),
    signal,
    onProgress: (progress) => scope.postMessage({ id, kind: "progress", progress }),
  });
  return { r, sink, on, is3d };
}

/** Predict on the chosen device; `auto` runs again on wasm when the WebGPU run fails (not when cancelled). */
async function predictOnDevice(model: EngineModel, source: ImageSource, settings: PredictSettings, id: number, signal: AbortSignal) {
  const on = await runtimeFor(settings.device);
  try {
    return await predictWith(on, model, source, settings, id, signal);
  } catch (e) {
    if (settings.device !== "auto" || on.device !== "webgpu" || (isCzmodelError(e) && e.code === "CANCELLED")) throw e;
    const fallback = `WebGPU failed, ran on wasm: ${isCzmodelError(e) ? e.message : describeError(e)}`;
    return predictWith({ device: "wasm", runtime: wasmRuntime, fallback }, model, source, settings, id, signal);
  }
}

type Handler<K extends Op> = (args: Requests[K]["args"], id: number) => Promise<Requests[K]["result"]>;

const handlers: { [K in Op]: Handler<K> } = {
  async init({ ortBase, threads: wanted }) {
    configureOrt(ortBase, wanted);
    threads = wanted;
    return { threads };
  },

  async openImage({ file }) {
    await image?.source.close();
    image = undefined;
    result = undefined;
    const source = await openImageSource(new BlobByteSource(file, file.name));
    image = { source, name: file.name };
    return { name: file.name, size: file.size, info: source.info };
  },

  async renderImage(args) {
    if (!image) throw new Error("no image open");
    return renderImage(image.source, args);
  },

  async predict({ model: modelFile, settings }, id) {
    if (!image) throw new Error("no image open");
    // armed before the first await, so a Cancel that comes while the model is read counts
    const abort = new AbortController();
    running = abort;
    result = undefined;
    try {
      const file = await readModel(modelFile);
      const { model, warnings }: { model: EngineModel; warnings: string[] } = engineModelFromFile(file, modelFile.name);
      const { r, sink, on, is3d } = await predictOnDevice(model, image.source, settings, id, abort.signal);
      const info = r.outputs[0]!;
      const objects = await objectsOf(sink, info, image.source);
      // a Cancel that came after the engine's last batch (while the objects were measured) still cancels
      await yieldToEventLoop();
      if (abort.signal.aborted) throw cancelled("prediction cancelled");
      result = { sink, info, is3d, ...(objects ? { objects } : {}) };
      if (info.kind === "regression") result.range = valueRange(sink.plane());
      const summary: PredictSummary = {
        model: r.model,
        tile: r.tile,
        border: r.border,
        tiles: r.tiles,
        output: info,
        channelMapping: r.channelMapping,
        inputScaling: r.inputScaling,
        notes: [...warnings, ...r.notes],
        elapsedMs: r.elapsedMs,
        megapixels: r.megapixels,
        megapixelsPerSecond: r.megapixelsPerSecond,
        threads,
        device: on.device,
        ...(on.fallback ? { deviceFallback: on.fallback } : {}),
        ...(result.range ? { valueRange: result.range } : {}),
        ...(result.objects ? { objects: result.objects.counts() } : {}),
      };
      return summary;
    } finally {
      if (running === abort) running = undefined;
    }
  },

  async renderResult({ plane, rect, width, height, colors }) {
    return renderResult(resultPlane(plane), rect, width, height, colors);
  },

  async exportResult({ format, name }) {
    const target = new MemoryByteTarget(name);
    const sink = format === "png" ? new PngSink(target) : new OmeTiffSink(target, { imageName: name, creator: "czmodel web page" });
    await replay(sink);
    return { bytes: target.bytes };
  },

  async objectAt({ x, y }) {
    return result?.objects?.details(x, y) ?? null;
  },

  async exportObjects({ format }) {
    const objects = resultObjects();
    return { bytes: format === "csv" ? objects.csv() : await objects.geojson() };
  },

  async numericCheck({ model: modelFile, image: imageFile }) {
    const file = await readModel(modelFile);
    const meta = numericMetaFor(file);
    let input: Float32Array | undefined;
    let description = `synthetic ${meta.inputShape.join("×")} tile`;
    if (imageFile) {
      const source = await openImageSource(new BlobByteSource(imageFile, imageFile.name));
      try {
        input = await tileFromSource(file, source);
        const { mapping, scaling } = planModelInput(engineModelFromFile(file, modelFile.name).model, source.info);
        description = `centre ${meta.inputShape.slice(0, -1).join("×")} tile of ${imageFile.name}; ${mapping.description}; ${scaling.description}`;
      } finally {
        await source.close();
      }
    }
    const r = await runNumericValidation(file.modelBytes, meta, wasmRuntime, { ...(input ? { input } : {}), where: modelFile.name });
    return { ...r, input: description };
  },

  async importPackage({ file }) {
    const pkg = await loadPackage(zipPackage(new Uint8Array(await file.arrayBuffer()), file.name));
    const r = await importPackage(pkg, { runtime: wasmRuntime });
    const { tile, pixelType, inputRange, preprocessing, postprocessing, notes } = r.plan;
    const summary: ImportSummary = {
      bytes: r.bytes,
      package: { name: pkg.description.name, rdfName: pkg.files.rdfName, formatVersion: pkg.description.formatVersion },
      plan: { tile, pixelType, inputRange, preprocessing, postprocessing, notes },
      steps: r.steps,
      warnings: r.warnings,
      ...(r.test ? { test: r.test } : {}),
    };
    return summary;
  },

  async cancel() {
    const had = running !== undefined;
    running?.abort();
    return { cancelled: had };
  },
};

function transferables(value: unknown): Transferable[] {
  if (!value || typeof value !== "object") return [];
  const out: Transferable[] = [];
  for (const v of Object.values(value)) {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength)
      out.push(v.buffer);
  }
  return out;
}

scope.onmessage = (event) => {
  const { id, op, args } = event.data;
  const handler = handlers[op] as Handler<Op>;
  handler(args, id).then(
    (value) => scope.postMessage({ id, kind: "result", result: value }, transferables(value)),
    (e: unknown) => scope.postMessage({ id, kind: "error", error: errorInfo(e) }),
  );
};
