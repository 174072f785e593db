/**
 * What kind of model payload a `.model` entry holds, from its first bytes (docs/formats.md#model-payload):
 * `0x08` → ONNX `ModelProto` (field 1 `ir_version`), `PK\x03\x04` → zipped TensorFlow
 * SavedModel, `0x80` → Python pickle (ZEN random-forest models). Isomorphic.
 */

export type PayloadKind = "onnx" | "savedmodel" | "pickle" | "unknown";

export function sniffPayload(bytes: Uint8Array): PayloadKind {
  if (bytes.length === 0) return "unknown";
  if (bytes[0] === 0x08) return "onnx";
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return "savedmodel";
  if (bytes[0] === 0x80 && bytes.length >= 2 && bytes[1]! >= 2 && bytes[1]! <= 5) return "pickle";
  return "unknown";
}
