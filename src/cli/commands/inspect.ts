/** `czmodel inspect FILE [--json]`: what is inside a .czann / .czmodel / .czseg. */
import type { Command } from "commander";
import { describeModelLook, type ModelFileDescription } from "../../inspect/describe.js";
import { lookAtModelFile } from "../../inspect/node/look-file.js";
import { classColors } from "../../metadata/index.js";
import { formatBytes, formatTable, printJson, printLines } from "../output.js";

export function registerInspect(program: Command): void {
  program
    .command("inspect")
    .description("show the metadata, model inputs/outputs and entries of a model file")
    .argument("<file>", ".czann, .czmodel or .czseg file (detected by content)")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces on errors")
    .addHelpText("after", "\nExample:\n  czmodel inspect nuclei.czann\n  czmodel inspect legacy.czseg --json")
    .action(async (file: string, opts: { json?: boolean }) => {
      const description = describeModelLook(await lookAtModelFile(file));
      if (opts.json) printJson(description);
      else printLines(inspectText(file, description));
    });
}

function shape(dims: (number | string | null)[]): string {
  return `[${dims.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}

function value(v: unknown): string {
  if (Array.isArray(v)) return v.every((x) => typeof x !== "object") ? `[${v.join(", ")}]` : JSON.stringify(v);
  if (typeof v === "object" && v !== null) return JSON.stringify(v);
  return String(v);
}

function inspectText(file: string, d: ModelFileDescription): string[] {
  const lines: string[] = [];
  const kind = d.format === "czann" ? "CZANN model" : "legacy CZMODEL model";
  lines.push(`${file}: ${kind} (metadata in ${d.metadataEntry})`);
  const meta = d.metadata;
  if (d.format === "czann") {
    const rows = Object.entries(meta)
      .filter(([k]) => k !== "Classes")
      .map(([k, v]) => [k, value(v)]);
    lines.push(...formatTable(rows));
    const classes = (meta.Classes as string[] | undefined) ?? [];
    if (classes.length) {
      const colors = classColors(classes.length);
      lines.push("  Classes (label value, name, colour R,G,B):");
      lines.push(
        ...formatTable(
          classes.map((c, i) => [String(i + 1), c, (colors[i] ?? []).join(",")]),
          "    ",
        ),
      );
    }
  } else {
    const rows = Object.entries(meta)
      .filter(([k]) => k !== "TrainingClasses")
      .map(([k, v]) => [
        k,
        k === "Channels" && Array.isArray(v) ? v.map((i) => (i as { PixelType?: string }).PixelType).join(", ") : value(v),
      ]);
    lines.push(...formatTable(rows));
    const classes = (meta.TrainingClasses as Record<string, string>[] | Record<string, string> | undefined) ?? [];
    const list = Array.isArray(classes) ? classes : [classes];
    if (list.length) {
      lines.push("  TrainingClasses (label value, name, colour R,G,B):");
      lines.push(
        ...formatTable(
          list.map((c) => [c.LabelValue ?? "?", c.Name ?? "", `${c.colR},${c.colG},${c.colB}`]),
          "    ",
        ),
      );
    }
  }
  const m = d.model;
  const head =
    m.format === "onnx" && m.irVersion !== null
      ? `ONNX, IR ${m.irVersion}, opset ${m.opset.map((o) => (o.domain ? `${o.domain} ${o.version}` : String(o.version))).join(", ")}, producer ${m.producer?.name ?? "?"} ${m.producer?.version ?? ""}`.trimEnd()
      : m.format === "savedmodel"
        ? `TensorFlow SavedModel (zipped)${m.producer?.version ? `, TensorFlow ${m.producer.version}` : ""}`
        : m.format;
  lines.push(`Model: ${head}, ${formatBytes(m.size)}${m.note ? ` (${m.note})` : ""}`);
  lines.push(
    ...formatTable([
      ...m.inputs.map((t) => ["input", t.name, t.type, shape(t.shape)]),
      ...m.outputs.map((t) => ["output", t.name, t.type, shape(t.shape)]),
    ]),
  );
  lines.push("Entries:");
  lines.push(...formatTable(d.entries.map((e) => [e.name, formatBytes(e.size), e.method])));
  lines.push(`License: ${d.license ?? "none"}`);
  for (const w of d.warnings) lines.push(`warning: ${w}`);
  return lines;
}
