/**
 * Decoding and encoding ONNX `ModelProto` bytes with onnx-buf (the ONNX 1.20 schema compiled
 * for @bufbuild/protobuf). Unknown fields are kept on decode and written back on encode, so an
 * unedited model round-trips byte for byte. Isomorphic.
 */
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { ModelProtoSchema, type ModelProto } from "onnx-buf";
import { invalidModel } from "../errors.js";

export type { ModelProto } from "onnx-buf";

/**
 * Parse ONNX model bytes. Throws `INVALID_MODEL` (naming `where`, default `ONNX model`) when the
 * bytes are not a protobuf `ModelProto` with a graph.
 */
export function decodeModel(bytes: Uint8Array, where = "ONNX model"): ModelProto {
  if (bytes.length === 0) throw invalidModel("not an ONNX model: the payload is empty", { where });
  const hint = sniffNonOnnx(bytes);
  if (hint) throw invalidModel(`not an ONNX model: ${hint}`, { where });
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (cause) {
    throw invalidModel(`not an ONNX model: the bytes are not a valid ONNX protobuf (${describe(cause)})`, {
      where,
      cause,
    });
  }
  if (!model.graph || model.irVersion === 0n) {
    throw invalidModel("not an ONNX model: no ir_version or no graph in the protobuf", { where });
  }
  return model;
}

/** Serialize a model (keeps unknown fields). */
export function encodeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

/** Recognize common payloads that are not ONNX, for a better message. */
function sniffNonOnnx(bytes: Uint8Array): string | undefined {
  const b0 = bytes[0];
  if (b0 === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return "it is a ZIP archive (a zipped TensorFlow SavedModel? convert it with tf2onnx)";
  }
  if (b0 === 0x80 && bytes.length > 1 && bytes[1]! >= 2 && bytes[1]! <= 5) {
    return "it is a Python pickle (a ZEN Intellesis random-forest model?)";
  }
  if (b0 === 0x89 && bytes[1] === 0x48 && bytes[2] === 0x44 && bytes[3] === 0x46) return "it is an HDF5 file (a Keras .h5 model?)";
  return undefined;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
