/**
 * Output file naming as czmodel does it (docs/formats.md#output-file-names): default name `DNNModel`, the
 * extension appended only when the name does not already end with it (case-insensitive).
 * Fix over czmodel ≥ 4.0: `.czseg` counts as a legacy extension, so `x.czseg` stays `x.czseg`
 * (czmodel would write `x.czseg.czmodel`). Isomorphic.
 */

export type ModelFileKind = "czann" | "czmodel";

const DEFAULT_OUTPUT_NAME = "DNNModel";

export function outputFileName(name: string | undefined, kind: ModelFileKind): string {
  const base = name ?? DEFAULT_OUTPUT_NAME;
  const lower = base.toLowerCase();
  if (kind === "czann") return lower.endsWith(".czann") ? base : `${base}.czann`;
  return lower.endsWith(".czmodel") || lower.endsWith(".czseg") ? base : `${base}.czmodel`;
}
