/**
 * How a read model file is shown: its metadata, its classes with their colours (the legacy
 * file's own, or the default czmodel colours ZEN uses for a CZANN model), its ONNX inputs and
 * outputs, and its ZIP entries. Used by the Inspect flow and, for the class legend, by Predict.
 */
import type { ModelFile } from "../../src/container/index.js";
import { czmodelClassColors } from "../../src/engine/index.js";
import { summarizeOnnx } from "../../src/onnx/index.js";
import { dataTable, factTable, formatBytes, h, rgbHex, swatch } from "./dom.js";

export interface ClassInfo {
  name: string;
  value: number;
  color: [number, number, number];
}

/** The classes and the colours a label image of this model gets. */
export function modelClasses(file: ModelFile): ClassInfo[] {
  if (file.format === "czmodel")
    return file.metadata.classes.map((c) => ({ name: c.name, value: c.labelValue, color: [...c.color] as [number, number, number] }));
  const names = file.metadata.isSegmentation ? (file.metadata.classes ?? []) : [];
  const colors = czmodelClassColors(names.length);
  return names.map((name, i) => ({ name, value: i + 1, color: colors[i]! }));
}

export function classTable(classes: ClassInfo[], caption = "Classes"): HTMLElement {
  return dataTable(
    ["label", "colour", "name"],
    classes.map((c) => [String(c.value), h("span", {}, swatch(c.color), " ", h("code", {}, rgbHex(c.color))), c.name]),
    caption,
    "data classes",
  );
}

const list = (v: readonly (string | number)[] | undefined) => (v ? `[${v.join(", ")}]` : "—");

export function metadataTable(file: ModelFile): HTMLElement {
  if (file.format === "czann") {
    const m = file.metadata;
    const extra = Object.keys(m.extra);
    return factTable(
      [
        ["Format", "CZANN (model.json)"],
        ["Id", h("code", {}, m.id)],
        ["Type", m.type],
        ["Model name", m.modelName ?? "—"],
        ["Input shape", list(m.inputShape)],
        ["Output shape", list(m.outputShape)],
        ["Min overlap", list(m.minOverlap)],
        ["Classes", m.classes ? m.classes.join(", ") : "—"],
        ["Scaling (m)", m.scaling ? `${m.scaling[0]}, ${m.scaling[1]}` : "—"],
        ...(extra.length ? ([["Other keys", extra.join(", ")]] as [string, string][]) : []),
      ],
      "Metadata",
    );
  }
  const m = file.metadata;
  return factTable(
    [
      ["Format", "legacy (XML)"],
      ["Id", h("code", {}, m.id)],
      ["Model name", m.modelName],
      ["Pixel types", m.pixelTypes.join(", ")],
      ["Colour handling", m.colorHandling],
      ["Border size", m.borderSize === undefined ? "— (missing)" : String(m.borderSize)],
      ["Tile (ZEN)", m.tileSize ? m.tileSize.join(" × ") : "from the model"],
      ["XML version", m.version],
      ...(m.extraElements.length
        ? ([["Other elements", m.extraElements.map((e) => `${e.name}=${e.text}`).join(", ")]] as [string, string][])
        : []),
    ],
    "Metadata",
  );
}

export function onnxTables(file: ModelFile): HTMLElement {
  if (file.payloadKind !== "onnx") return h("p", {}, `Model payload: ${file.payloadKind} (not ONNX; it cannot be inspected or run here).`);
  try {
    const s = summarizeOnnx(file.modelBytes);
    const shape = (d: (number | string | null)[]) => `[${d.map((x) => (x === null ? "?" : String(x))).join(", ")}]`;
    return h(
      "div",
      {},
      factTable(
        [
          ["IR version", String(s.irVersion)],
          ["Opset", s.opset.map((o) => `${o.domain || "ai.onnx"} ${o.version}`).join(", ")],
          ["Producer", `${s.producer.name} ${s.producer.version}`.trim() || "—"],
        ],
        "ONNX model",
      ),
      dataTable(
        ["", "name", "type", "shape"],
        [
          ...s.inputs.map((t) => ["input", t.name, t.type, shape(t.shape)]),
          ...s.outputs.map((t) => ["output", t.name, t.type, shape(t.shape)]),
        ],
        "Inputs and outputs",
      ),
    );
  } catch (e) {
    return h("p", { class: "error" }, `The ONNX model cannot be parsed: ${(e as Error).message}`);
  }
}

export function entriesTable(file: ModelFile): HTMLElement {
  return dataTable(
    ["entry", "size", "stored", "method", "CRC-32"],
    file.entries.map((e) => [
      h("code", {}, e.name),
      formatBytes(e.size),
      formatBytes(e.compressedSize),
      e.method,
      h("code", {}, e.crc32.toString(16).padStart(8, "0")),
    ]),
    "ZIP entries",
  );
}
