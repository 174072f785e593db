/**
 * How commands print results: a human text on stdout, or with `--json` one JSON document.
 */

import { escapeControls } from "../render/format.js";

export { formatBytes } from "../render/format.js";

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

/** bigint (ONNX int64 fields) as numbers where safe, else as strings; typed arrays never dumped. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  return value;
}

/** Human output: one line per entry, control characters from file contents escaped. */
export function printLines(lines: string[]): void {
  if (lines.length) process.stdout.write(`${lines.map(escapeControls).join("\n")}\n`);
}

/** A plain table: columns padded to the widest cell. */
export function formatTable(rows: string[][], indent = "  "): string[] {
  const widths: number[] = [];
  for (const row of rows) for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  "));
}
