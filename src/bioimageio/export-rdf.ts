/**
 * The `rdf.yaml` of an exported package (bioimage.io model description, format 0.5.7):
 * input axes batch, y, x, channel with the tile as fixed size; output axes sized by reference
 * to the input with the context border as halo; ZEN's input scaling as `scale_linear` between
 * two float32 casts (bioimage.io casts back to the input's data type after pre-processing
 * unless the chain ends with `ensure_dtype`); ONNX weights with opset; the ZEN metadata under
 * `config.czmodel`. Written with the `yaml` library so that every string a YAML 1.1 reader
 * (PyYAML) would take for something else is quoted, and read back to prove it. Isomorphic.
 */
import { parse, stringify } from "yaml";
import { internalError } from "../errors.js";
import { PIXEL_TYPE_MAX, type ExportPlan } from "./export-plan.js";
import type { TestInput } from "./export-tensors.js";

export const FORMAT_VERSION = "0.5.7";
export const INPUT_ID = "input";
export const OUTPUT_ID = "output";

export interface PackageFile {
  source: string;
  sha256: string;
}

export interface RdfContext {
  plan: ExportPlan;
  input: TestInput;
  description: string;
  timestamp: string;
  creator: string;
  opset: number;
  wrapped: boolean;
  weights: PackageFile;
  testInput: PackageFile;
  testOutput: PackageFile;
  cover: string;
  documentation: string;
  attachments: PackageFile[];
}

type Obj = Record<string, unknown>;

function spaceUnit(plan: ExportPlan, axis: 0 | 1): Obj {
  return plan.pixelSizeUm ? { unit: "micrometer", scale: plan.pixelSizeUm[axis] } : {};
}

function inputTensor(ctx: RdfContext): Obj {
  const { plan } = ctx;
  const [h, w] = plan.tile;
  const steps: Obj[] = [{ id: "ensure_dtype", kwargs: { dtype: "float32" } }];
  if (plan.gain !== null)
    steps.push({ id: "scale_linear", kwargs: { gain: plan.gain } }, { id: "ensure_dtype", kwargs: { dtype: "float32" } });
  const scaling = plan.gain === null ? "raw values" : `ZEN divides by ${PIXEL_TYPE_MAX[plan.pixelType]}`;
  return {
    id: INPUT_ID,
    description:
      `${plan.pixelType} ${plan.colour === "channels" ? `${plan.inputChannels}-channel` : plan.inputChannelNames.join("")} image tile; ${scaling}${ctx.wrapped ? "; RGB (ZEN feeds BGR)" : ""}`.slice(
        0,
        128,
      ),
    axes: [
      { type: "batch", ...(plan.batchFixed ? { size: 1 } : {}) },
      { type: "space", id: "y", size: h, ...spaceUnit(plan, 0) },
      { type: "space", id: "x", size: w, ...spaceUnit(plan, 1) },
      { type: "channel", id: "channel", channel_names: plan.inputChannelNames },
    ],
    data: { type: plan.pixelType },
    test_tensor: ctx.testInput,
    preprocessing: steps,
  };
}

function outputTensor(ctx: RdfContext): Obj {
  const { plan } = ctx;
  const space = (id: "y" | "x", i: 0 | 1): Obj => ({
    type: "space",
    id,
    size: { tensor_id: INPUT_ID, axis_id: id },
    ...(plan.halo[i] > 0 ? { halo: plan.halo[i] } : {}),
    ...spaceUnit(plan, i),
  });
  return {
    id: OUTPUT_ID,
    description: (plan.classes ? "class probabilities (softmax), one channel per ZEN class" : "regression output (float32)").slice(0, 128),
    axes: [
      { type: "batch", ...(plan.batchFixed ? { size: 1 } : {}) },
      space("y", 0),
      space("x", 1),
      { type: "channel", id: "channel", channel_names: plan.outputChannelNames },
    ],
    data: plan.classes ? { type: "float32", range: [0.0, 1.0] } : { type: "float32" },
    test_tensor: ctx.testOutput,
  };
}

function tags(plan: ExportPlan): string[] {
  const kind = plan.classes ? ["segmentation", "semantic-segmentation"] : ["regression", "image-to-image"];
  return ["zeiss", "zen", plan.format, "onnx", "2d", ...kind];
}

/** ZEN's own view of the model, for readers that go back to ZEN (`czmodel import`). */
function czmodelConfig(ctx: RdfContext): Obj {
  const { plan, input } = ctx;
  const zenOrder = plan.colour === "rgb" ? "BGR" : plan.colour === "rgba" ? "BGRA" : plan.colour === "gray" ? "gray" : "as stored";
  const o = input.origin;
  return {
    exported_by: ctx.creator,
    source_format: plan.format,
    model_file: plan.fileName,
    model_id: plan.zenId,
    model_name: plan.zenName,
    model_type: plan.zenType,
    tile: [...plan.tile],
    border: [...plan.border],
    pixel_type: plan.pixelType,
    input_scaling: plan.gain === null ? "none" : "divide_by_pixel_type_range",
    zen_channel_order: zenOrder,
    rgb_to_bgr_in_weights: ctx.wrapped,
    ...(plan.engine.colorHandling ? { color_handling: plan.engine.colorHandling } : {}),
    ...(plan.classes
      ? {
          classes: plan.classes.map((c, i) => ({
            name: c.name,
            channel: plan.outputChannelNames[i],
            label_value: c.value,
            color: [...c.color],
          })),
        }
      : {}),
    ...(plan.pixelSizeUm ? { pixel_size_um: [...plan.pixelSizeUm] } : {}),
    test_input: o.kind === "image" ? { image: o.name, x: o.x, y: o.y, width: o.width, height: o.height } : { image: "synthetic blobs" },
  };
}

/** The rdf as a plain object, keys in reading order. */
export function buildRdf(ctx: RdfContext): Obj {
  const { plan } = ctx;
  return {
    format_version: FORMAT_VERSION,
    type: "model",
    name: plan.name,
    description: ctx.description,
    ...(plan.authors.length ? { authors: plan.authors.map((name) => ({ name })) } : {}),
    ...(plan.license ? { license: plan.license } : {}),
    ...(plan.cite.length
      ? { cite: plan.cite.map((c) => ({ text: c.text, ...(c.doi ? { doi: c.doi } : {}), ...(c.url ? { url: c.url } : {}) })) }
      : {}),
    tags: tags(plan),
    timestamp: ctx.timestamp,
    documentation: ctx.documentation,
    covers: [ctx.cover],
    ...(ctx.attachments.length ? { attachments: ctx.attachments } : {}),
    inputs: [inputTensor(ctx)],
    outputs: [outputTensor(ctx)],
    weights: {
      onnx: {
        ...ctx.weights,
        opset_version: ctx.opset,
        comment: `the ONNX network of the ZEN model file${ctx.wrapped ? " with an RGB-to-BGR channel swap prepended" : ""}`,
      },
    },
    config: { czmodel: czmodelConfig(ctx) },
  };
}

/** The rdf as YAML that reads back the same under YAML 1.2 (bioimage.io) and 1.1 (PyYAML). */
export function rdfYaml(rdf: Obj): string {
  const text = `# bioimage.io model description, written by czmodel\n${stringify(rdf, { version: "1.1", lineWidth: 0 })}`;
  const want = JSON.stringify(rdf);
  for (const version of ["1.2", "1.1"] as const) {
    if (JSON.stringify(parse(text, { version })) !== want) throw internalError(`rdf.yaml does not read back the same as YAML ${version}`);
  }
  return text;
}
