/**
 * Form plumbing of the Pack flow: labelled fields and selects, number-list parsing with
 * clear messages, the ONNX inputs/outputs table, and which field a library message is about
 * (so the field gets `aria-invalid` and points at the message).
 */
import { invalidArgument } from "../../src/errors.js";
import type { OnnxSummary, TensorSummary } from "../../src/onnx/index.js";
import type { Finding } from "../../src/validate/findings.js";
import { dataTable, h } from "./dom.js";

/** A message of the live validation, with the form field it is about (if any). */
export interface Message {
  severity: Finding["severity"];
  text: string;
  field?: string;
}

/** Which form field an error is about, from the field names the library puts in its messages. */
const FIELD_KEYS: [RegExp, string][] = [
  [/MinOverlap/, "pack-overlap"],
  [/Scaling/, "pack-scaling"],
  [/Classes|TrainingClasses|class/i, "pack-classes"],
  [/ModelName/, "pack-name"],
  [/\bType\b/, "pack-type"],
  [/BorderSize/, "pack-border"],
  [/PixelType/, "pack-pixel-type"],
  [/ColorHandling/, "pack-color-handling"],
  [/--preprocess|pre-processing/i, "pack-pre"],
  [/--postprocess|post-processing/i, "pack-post"],
  [/--spatial-dims|spatial dims/i, "pack-spatial"],
  [/--input-cast/, "pack-input-cast"],
];

/** The field named first in the message (its `where` comes first, advice later). */
export function fieldOf(text: string): string | undefined {
  let best: { at: number; id: string } | undefined;
  for (const [re, id] of FIELD_KEYS) {
    const at = text.search(re);
    if (at >= 0 && (!best || at < best.at)) best = { at, id };
  }
  return best?.id;
}

/** "8, 8" → [8, 8]; empty → undefined; anything else → a clear error naming the field. */
export function numberList(text: string, field: string, allowed: string): number[] | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const parts = t.split(/[\s,;x×]+/).filter(Boolean);
  const values = parts.map(Number);
  const bad = parts.find((p, i) => !Number.isFinite(values[i]!) || p === "");
  if (bad !== undefined) throw invalidArgument(`"${bad}" is not a number`, { where: field, allowed });
  return values;
}

export function shapeText(t: TensorSummary): string {
  return `[${t.shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}

export function ioTable(summary: OnnxSummary, caption: string): HTMLTableElement {
  const rows = [
    ...summary.inputs.map((t) => ["input", t.name, t.type, shapeText(t)]),
    ...summary.outputs.map((t) => ["output", t.name, t.type, shapeText(t)]),
  ];
  return dataTable(["", "name", "type", "shape"], rows, caption);
}

export function select(id: string, values: readonly string[], value: string): HTMLSelectElement {
  const s = h("select", { id }, ...values.map((v) => h("option", { value: v }, v)));
  s.value = value;
  return s;
}

export function field(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  if (hint) control.setAttribute("aria-describedby", `${id}-hint`);
  return h(
    "div",
    { class: "field", "data-field": id },
    h("label", { for: id }, label),
    control,
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
  );
}
