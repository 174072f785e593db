/**
 * ZEN versions a model can be validated against (`--target`), and what each accepts.
 *
 * Facts from docs/formats.md#zen-compatibility (czmodel compatibility tables) and docs/formats.md#model-rules (ANN spec: ONNX opset 12).
 * Which opsets a given ZEN release's ONNX Runtime loads is not published; we apply the spec's
 * opset 12 strictly for the older releases (error above it) and as advice for ZEN 3.13
 * (warning above it). Anything onnxruntime 1.30 itself cannot load (IR > 13, opset > 26) is an
 * error for every target.
 */

export const TARGETS = ["zen-3.4", "zen-3.5", "zen-3.13"] as const;
export type Target = (typeof TARGETS)[number];
export const DEFAULT_TARGET: Target = "zen-3.13";

export interface TargetRules {
  /** Human name used in messages. */
  label: string;
  /** Highest default-domain opset the spec guarantees (12). */
  specOpset: number;
  /** Opsets above `specOpset` are errors (true) or warnings (false). */
  strictOpset: boolean;
  /** Highest ONNX IR version czmodel-made files used for this generation (advice only). */
  adviseIr: number;
  /** CZANN (model.json) files are read by this ZEN (blue ≥ 3.5, core ≥ 3.4). */
  readsCzann: "yes" | "core-only";
  /** 3-D CZANN models (InputShape [Z,H,W,C], JSON 2.0.0) are read. */
  reads3d: boolean;
}

export const TARGET_RULES: Record<Target, TargetRules> = {
  "zen-3.4": { label: "ZEN 3.4", specOpset: 12, strictOpset: true, adviseIr: 7, readsCzann: "core-only", reads3d: false },
  "zen-3.5": { label: "ZEN 3.5", specOpset: 12, strictOpset: true, adviseIr: 7, readsCzann: "yes", reads3d: false },
  "zen-3.13": { label: "ZEN 3.13", specOpset: 12, strictOpset: false, adviseIr: 10, readsCzann: "yes", reads3d: true },
};

/** Limits of the ONNX Runtime this tool runs models with (onnxruntime 1.30.0, pinned in package.json). */
export const RUNTIME_MAX_IR = 13;
export const RUNTIME_MAX_OPSET = 26;
