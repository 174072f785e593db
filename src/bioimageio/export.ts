/**
 * `exportBioimageio(file, options)`: a ZEN model file (.czann, or a legacy .czmodel/.czseg
 * with an ONNX payload) as a bioimage.io model package (format 0.5.7), returned as zip bytes:
 *
 *   rdf.yaml          the description (export-rdf.ts)
 *   README.md         documentation: origin, how to feed inputs, classes (export-docs.ts)
 *   weights.onnx      the network; 3/4-channel models get an RGB→BGR(A) swap prepended so the
 *                     package takes RGB like every bioimage.io model (ZEN feeds BGR)
 *   test_input.npy    one tile of the test image (or synthetic blobs) in the input's pixel type
 *   test_output.npy   what the prediction engine computes from it the way ZEN runs the model
 *   cover.png         labels over the test tile, or input | output (export-cover.ts)
 *   <licence file>    the model file's licence entry, when it has one (as an attachment)
 *
 * The decisions (pixel type, scaling, halo, names) are in export-plan.ts, the test tensors in
 * export-tensors.ts. Every referenced file carries its SHA-256 (Web Crypto). The zip is
 * written with fflate (deflated, the PNG stored). Isomorphic: the ONNX runtime and the test
 * image are passed in; `./node/export-file.ts` does the file handling.
 */
import { sha256Hex } from "./package.js";
import { zipSync, type Zippable } from "fflate";
import type { InferenceSession } from "onnxruntime-common";
import type { ModelFile } from "../container/index.js";
import type { OrtRuntime } from "../engine/types.js";
import { unsupported } from "../errors.js";
import type { ImageSource } from "../io/types.js";
import { adaptModel, summarizeOnnx, parseOpList } from "../onnx/index.js";
import { coverPng } from "./export-cover.js";
import { describeExport, readmeFor, type DocsContext } from "./export-docs.js";
import { planExport, type ExportPixelType, type ExportPlan, type PlanOptions } from "./export-plan.js";
import { buildRdf, FORMAT_VERSION, INPUT_ID, OUTPUT_ID, rdfYaml, type PackageFile } from "./export-rdf.js";
import { runTestInput, syntheticTestInput, testInputFromImage, type TestInput } from "./export-tensors.js";
import { writeNpy } from "./npy.js";

export { parseCite, EXPORT_PIXEL_TYPES, type CiteEntry, type ExportPixelType } from "./export-plan.js";
export { FORMAT_VERSION } from "./export-rdf.js";

export interface ExportOptions extends Omit<PlanOptions, "testImageType"> {
  /** The ONNX runtime the prediction engine runs the test tile with. */
  runtime: OrtRuntime;
  sessionOptions?: InferenceSession.SessionOptions;
  signal?: AbortSignal;
  /** The image the test tile is cut from (its centre, plane 0); none: synthetic blobs. `name` goes into the docs, `path` (default `name`) into errors. */
  testImage?: { source: ImageSource; name: string; path?: string };
  /** The package's timestamp (default now). */
  timestamp?: Date;
  /** Named in the description and config, e.g. `czmodel 0.1.0`. */
  creator?: string;
}

interface ExportedFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface BioimageioExport {
  /** The package (a zip). */
  zip: Uint8Array;
  /** The rdf.yaml text inside it. */
  rdf: string;
  formatVersion: string;
  name: string;
  kind: "segmentation" | "regression";
  tile: [number, number];
  halo: [number, number];
  pixelType: ExportPixelType;
  /** The scale_linear gain stated for ZEN's input scaling (null: raw values). */
  gain: number | null;
  /** weights.onnx takes RGB(A) through a prepended swap to BGR(A). */
  rgbToBgr: boolean;
  inputChannels: string[];
  outputChannels: string[];
  testInput: TestInput["origin"];
  /** Every file in the zip but rdf.yaml, with its size and SHA-256. */
  files: ExportedFile[];
  notes: string[];
  warnings: string[];
}

/** `2026-11-21T10:11:12+00:00`: ISO 8601 in the form bioimage.io's own examples use. */
function isoTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "+00:00");
}

/** weights.onnx: the payload, behind an RGB→BGR(A) swap for colour models. */
function weightsFor(file: ModelFile, plan: ExportPlan, where: string): { bytes: Uint8Array; wrapped: boolean; warnings: string[] } {
  if (plan.colour !== "rgb" && plan.colour !== "rgba") return { bytes: file.modelBytes, wrapped: false, warnings: [] };
  const op = plan.colour === "rgb" ? "rgb-to-bgr" : "rgba-to-bgra";
  const adapted = adaptModel(file.modelBytes, { preprocessing: parseOpList(op, "pre") }, where);
  return { bytes: adapted.bytes, wrapped: true, warnings: adapted.warnings };
}

/** A name for the model's licence entry in the package that clashes with nothing else. */
function attachmentName(entry: string, taken: Set<string>): string {
  const base = entry.split(/[\\/]/).pop() || "LICENSE";
  const safe = base.replace(/[^A-Za-z0-9._-]/g, "_");
  return taken.has(safe) ? `model_${safe}` : safe;
}

/** Build the package of `file` (see the module doc). */
export async function exportBioimageio(file: ModelFile, options: ExportOptions): Promise<BioimageioExport> {
  const where = file.path ?? "model";
  const testImage = options.testImage;
  const plan = planExport(file, { ...options, ...(testImage ? { testImageType: testImage.source.info.sampleType } : {}) });
  const weights = weightsFor(file, plan, where);
  const opset = summarizeOnnx(weights.bytes).defaultOpset;
  if (opset < 7)
    throw unsupported(`the ONNX model has opset ${opset || "none"}`, { where, allowed: "opset 7 or newer (bioimage.io's minimum)" });

  const input = testImage ? await testInputFromImage(plan, testImage.source, testImage.name, testImage.path) : syntheticTestInput(plan);
  const run = await runTestInput(plan, input, {
    runtime: options.runtime,
    ...(options.sessionOptions ? { sessionOptions: options.sessionOptions } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  options.signal?.throwIfAborted();
  const [h, w] = plan.tile;
  const testInputNpy = writeNpy({ dtype: plan.pixelType, shape: [1, h, w, plan.inputChannels], data: input.data });
  const testOutputNpy = writeNpy({ dtype: "float32", shape: [1, h, w, plan.outputChannels], data: run.output });
  const cover = coverPng(plan, input, run);

  const date = options.timestamp ?? new Date();
  const timestamp = isoTimestamp(date);
  const creator = options.creator ?? "czmodel";
  const taken = new Set(["rdf.yaml", "README.md", "weights.onnx", "test_input.npy", "test_output.npy", "cover.png"]);
  const licence = file.license ? { name: attachmentName(file.license.name, taken), bytes: file.license.bytes } : undefined;
  const attachments = licence ? [licence.name] : [];
  const docs: DocsContext = {
    plan,
    input,
    run,
    wrapped: weights.wrapped,
    timestamp,
    creator,
    inputId: INPUT_ID,
    outputId: OUTPUT_ID,
    attachments,
  };
  const readme = new TextEncoder().encode(readmeFor(docs));

  const named: [string, Uint8Array][] = [
    ["README.md", readme],
    ["weights.onnx", weights.bytes],
    ["test_input.npy", testInputNpy],
    ["test_output.npy", testOutputNpy],
    ["cover.png", cover],
    ...(licence ? [[licence.name, licence.bytes] as [string, Uint8Array]] : []),
  ];
  const files: ExportedFile[] = [];
  const refs = new Map<string, PackageFile>();
  for (const [name, bytes] of named) {
    const sha256 = await sha256Hex(bytes);
    files.push({ name, bytes: bytes.length, sha256 });
    refs.set(name, { source: name, sha256 });
  }
  const ref = (name: string) => refs.get(name)!;
  const rdf = rdfYaml(
    buildRdf({
      plan,
      input,
      description: describeExport(docs),
      timestamp,
      creator,
      opset,
      wrapped: weights.wrapped,
      weights: ref("weights.onnx"),
      testInput: ref("test_input.npy"),
      testOutput: ref("test_output.npy"),
      cover: "cover.png",
      documentation: "README.md",
      attachments: attachments.map(ref),
    }),
  );

  const zippable: Zippable = { "rdf.yaml": new TextEncoder().encode(rdf) };
  for (const [name, bytes] of named) zippable[name] = name.endsWith(".png") ? [bytes, { level: 0 }] : bytes;
  const zip = zipSync(zippable, { level: 6, mtime: date });
  options.signal?.throwIfAborted();

  return {
    zip,
    rdf,
    formatVersion: FORMAT_VERSION,
    name: plan.name,
    kind: plan.engine.kind,
    tile: plan.tile,
    halo: plan.halo,
    pixelType: plan.pixelType,
    gain: plan.gain,
    rgbToBgr: weights.wrapped,
    inputChannels: plan.inputChannelNames,
    outputChannels: plan.outputChannelNames,
    testInput: input.origin,
    files,
    notes: [...input.notes, ...run.result.notes],
    warnings: [...plan.warnings, ...weights.warnings],
  };
}
