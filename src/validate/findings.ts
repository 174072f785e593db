/**
 * Validation findings: what `czmodel validate` reports. A finding has a severity, a stable
 * code (for `--json` and tests), a human message and optionally where it applies.
 * Isomorphic.
 */

export type Severity = "error" | "warning" | "info";

export interface Finding {
  severity: Severity;
  /** Stable identifier, e.g. `input-count`, `opset-too-new`. */
  code: string;
  message: string;
  /** The field or part concerned, e.g. `model.json: MinOverlap`, `ONNX input "input:0"`. */
  where?: string;
}

export interface ValidationReport {
  ok: boolean;
  errors: number;
  warnings: number;
  findings: Finding[];
}

export function makeReport(findings: Finding[]): ValidationReport {
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.filter((f) => f.severity === "warning").length;
  return { ok: errors === 0, errors, warnings, findings };
}

/** Collects findings with terse helpers. */
export class FindingList {
  readonly items: Finding[] = [];
  error(code: string, message: string, where?: string): void {
    this.items.push({ severity: "error", code, message, ...(where ? { where } : {}) });
  }
  warning(code: string, message: string, where?: string): void {
    this.items.push({ severity: "warning", code, message, ...(where ? { where } : {}) });
  }
  info(code: string, message: string, where?: string): void {
    this.items.push({ severity: "info", code, message, ...(where ? { where } : {}) });
  }
}
