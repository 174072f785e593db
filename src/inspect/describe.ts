/**
 * A plain, JSON-ready description of a model file — what `czmodel inspect --json` prints and
 * the browser page shows: format, the metadata with its keys as written in the file, the
 * payload's inputs/outputs (read by `readPayloadFacts`, as validation reads them), the zip
 * entries and the licence. Sits above the container and ONNX layers, which it combines. Isomorphic.
 */
import { decodeUtf8Text, parsePythonJson, parseXmlDocument, plainJson, type XmlNode } from "../metadata/index.js";
import type { TensorSummary } from "../onnx/index.js";
import type { ModelFile } from "../container/index.js";
import type { ModelFileHead } from "../container/model-file.js";
import type { ModelLook } from "./look.js";
import { readPayloadFacts, type PayloadFacts } from "./payload.js";

interface ModelPayloadDescription {
  format: "onnx" | "savedmodel" | "unknown";
  irVersion: number | null;
  opset: { domain: string; version: number }[];
  producer: { name: string; version: string } | null;
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  size: number;
  /** Why details are missing (pickle payload, unreadable graph …). */
  note?: string;
}

export interface ModelFileDescription {
  format: "czann" | "czmodel";
  metadataEntry: string;
  /** The metadata with keys as written in the file (model.json keys, or XML element/attribute names). */
  metadata: Record<string, unknown>;
  model: ModelPayloadDescription;
  entries: { name: string; size: number; compressedSize: number; method: "stored" | "deflate" }[];
  license: string | null;
  warnings: string[];
}

/** The XML element tree as JSON: attributes and child elements by name, repeated `Item`s as lists. */
function xmlToJson(node: XmlNode): Record<string, unknown> | string {
  if (node.children.length === 0 && node.attributes.length === 0) return node.text;
  const out: Record<string, unknown> = {};
  for (const [k, v] of node.attributes) out[k] = v;
  for (const child of node.children) {
    const value = xmlToJson(child);
    if (child.name === "Item") {
      const list = (out.Item as unknown[] | undefined) ?? [];
      list.push(value);
      out.Item = list;
    } else {
      out[child.name] = value;
    }
  }
  // <Channels><Item/>…</Channels> reads better as Channels: [ … ]
  if (Object.keys(out).length === 1 && Array.isArray(out.Item)) return out.Item as unknown as Record<string, unknown>;
  return out;
}

function metadataAsWritten(file: ModelFile | ModelFileHead): Record<string, unknown> {
  const where = file.metadataEntryName;
  const text = decodeUtf8Text(file.metadataBytes, where);
  if (file.format === "czann") return plainJson(parsePythonJson(text, where)) as Record<string, unknown>;
  const root = parseXmlDocument(text, where);
  const json = xmlToJson(root);
  return typeof json === "string" ? { [root.name]: json } : json;
}

/** The JSON-ready form of what `readPayloadFacts` found. */
function payloadDescription(facts: PayloadFacts, size: number): ModelPayloadDescription {
  const empty = { irVersion: null, opset: [], producer: null, inputs: [], outputs: [], size };
  const kind = facts.payloadKind;
  if (facts.onnx) {
    const s = facts.onnx;
    return { format: "onnx", irVersion: s.irVersion, opset: s.opset, producer: s.producer, inputs: s.inputs, outputs: s.outputs, size };
  }
  if (facts.savedModel) {
    const s = facts.savedModel;
    return {
      ...empty,
      format: "savedmodel",
      producer: { name: "tensorflow", version: s.tensorflowVersion },
      inputs: s.inputs.map(({ name, type, shape }) => ({ name, type, shape })),
      outputs: s.outputs.map(({ name, type, shape }) => ({ name, type, shape })),
    };
  }
  if (facts.failure !== undefined) return { ...empty, format: kind === "onnx" ? "onnx" : "savedmodel", note: facts.failure };
  return {
    ...empty,
    format: "unknown",
    note: kind === "pickle" ? "Python pickle (a ZEN random-forest model), not a neural network" : "not ONNX and not a zipped SavedModel",
  };
}

function describe(file: ModelFile | ModelFileHead, payload: PayloadFacts, size: number): ModelFileDescription {
  return {
    format: file.format,
    metadataEntry: file.metadataEntryName,
    metadata: metadataAsWritten(file),
    model: payloadDescription(payload, size),
    entries: file.entries.map((e) => ({ name: e.name, size: e.size, compressedSize: e.compressedSize, method: e.method })),
    license: file.license?.name ?? null,
    warnings: file.warnings,
  };
}

export function describeModelFile(file: ModelFile): ModelFileDescription {
  return describe(file, readPayloadFacts(file.modelBytes, file.payloadKind), file.modelBytes.length);
}

/** The same description from a look that did not load the payload (`lookAtModel`). */
export function describeModelLook(look: ModelLook): ModelFileDescription {
  return describe(look.head, look.payload, look.modelSize);
}
