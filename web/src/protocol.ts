/**
 * Messages between the page and its prediction worker (`web/worker.ts`): a small RPC where
 * each request has an id and gets one reply (a result or an error), plus progress events
 * for long jobs. Errors cross the boundary as plain `ErrorInfo` (code, message, where,
 * allowed) so the page shows exactly the text the CLI prints.
 */
import type { NumericValidationResult } from "../../src/validate/numeric.js";
import type { ImageInfo, OutputImageInfo, PlaneIndex, Rect } from "../../src/io/types.js";
import type { BlendMode, PredictProgress, PredictResult } from "../../src/engine/index.js";
import type { TestTensorResult } from "../../src/bioimageio/test-tensors.js";
import type { ZenImportPlan } from "../../src/bioimageio/to-zen.js";

export interface ErrorInfo {
  code: string;
  message: string;
  where?: string;
  allowed?: string;
}

/** An RGBA picture of a region of the image or of the result, `width × height` pixels. */
export interface Picture {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export interface RenderRequest {
  plane: PlaneIndex;
  /** Region in image pixels. */
  rect: Rect;
  /** Size of the picture to draw it into (nearest-neighbour sampling). */
  width: number;
  height: number;
}

/** Where the page runs a model: `auto` = WebGPU when the browser has an adapter, else wasm. */
export type DeviceChoice = "auto" | "wasm" | "webgpu";
/** Where a prediction ran: onnxruntime-web's WebGPU provider or its wasm (CPU) one. */
export type RunDevice = "webgpu" | "wasm";

export interface PredictSettings {
  device: DeviceChoice;
  /** The plane shown (scene / t / z pick what is predicted; 3-D models take the whole Z stack). */
  plane: PlaneIndex;
  minConfidence?: number;
  blend?: BlendMode;
  /** Tile for models with dynamic spatial dims. */
  tile?: number[];
}

/** What the worker reports after a prediction: the engine's result, for the one output the page keeps. */
export interface PredictSummary
  extends Pick<
    PredictResult,
    "model" | "tile" | "border" | "tiles" | "channelMapping" | "inputScaling" | "notes" | "elapsedMs" | "megapixels" | "megapixelsPerSecond"
  > {
  output: OutputImageInfo;
  threads: number;
  device: RunDevice;
  /** Why `auto` ran on wasm: WebGPU missing, no adapter, or its session could not be made. */
  deviceFallback?: string;
  /** Range of a regression output (for display). */
  valueRange?: [number, number];
  /** Objects of a 2-D label output (8-connected components of every class but the background). */
  objects?: ObjectCounts;
}

/** How many objects the result holds, per object class (each listed, 0 when none). */
export interface ObjectCounts {
  total: number;
  perClass: { value: number; name: string; count: number }[];
}

/** The object under a pixel: its id, class and the objects table's measurements by column. */
export interface ObjectDetails {
  id: number;
  /** Label value of its class. */
  value: number;
  className: string;
  measurements: [string, number][];
}

/** What the worker reports after importing a bioimage.io package (`importPackage`), as plain data. */
export interface ImportSummary {
  /** The ZEN model file importPackage wrote (.czann), checked on the package's test tensors. */
  bytes: Uint8Array;
  package: { name: string; rdfName: string; formatVersion: string };
  plan: Pick<ZenImportPlan, "tile" | "pixelType" | "inputRange" | "preprocessing" | "postprocessing" | "notes">;
  /** Graph edits made. */
  steps: string[];
  warnings: string[];
  /** Absent when the package has no test tensors. */
  test?: TestTensorResult;
}

export interface Requests {
  init: { args: { ortBase: string; threads: number }; result: { threads: number } };
  openImage: { args: { file: File }; result: { name: string; size: number; info: ImageInfo } };
  renderImage: { args: RenderRequest & { contrast?: [number, number] }; result: Picture & { contrast: [number, number] } };
  predict: { args: { model: File; settings: PredictSettings }; result: PredictSummary };
  renderResult: { args: RenderRequest & { colors: ([number, number, number] | null)[] }; result: Picture };
  exportResult: { args: { format: "png" | "ome-tiff"; name: string }; result: { bytes: Uint8Array } };
  objectAt: { args: { x: number; y: number }; result: ObjectDetails | null };
  exportObjects: { args: { format: "csv" | "geojson" }; result: { bytes: Uint8Array } };
  importPackage: { args: { file: File }; result: ImportSummary };
  numericCheck: { args: { model: File; image?: File }; result: NumericValidationResult & { input: string } };
  cancel: { args: Record<string, never>; result: { cancelled: boolean } };
}

export type Op = keyof Requests;

export interface RequestMessage<K extends Op = Op> {
  id: number;
  op: K;
  args: Requests[K]["args"];
}

export type ReplyMessage =
  | { id: number; kind: "result"; result: unknown }
  | { id: number; kind: "error"; error: ErrorInfo }
  | { id: number; kind: "progress"; progress: PredictProgress };
