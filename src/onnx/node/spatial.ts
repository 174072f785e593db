/**
 * Node convenience: `checkSpatialInvariance` with onnxruntime-node, loaded when a check runs
 * (so that commands which only may check, like `pack`, start without the runtime). Node only.
 */
import { checkSpatialInvariance, type InvarianceOptions, type InvarianceResult } from "../spatial/check-invariance.js";

export async function checkSpatialInvarianceNode(bytes: Uint8Array, options: InvarianceOptions = {}): Promise<InvarianceResult> {
  const { ort } = await import("./runtime.js");
  return checkSpatialInvariance(bytes, ort, options);
}
