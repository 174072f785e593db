/**
 * Node convenience: `checkSpatialInvariance` with onnxruntime-node. Node only.
 */
import { ort } from "./runtime.js";
import { checkSpatialInvariance, type InvarianceOptions, type InvarianceResult } from "../spatial/check-invariance.js";

export function checkSpatialInvarianceNode(bytes: Uint8Array, options: InvarianceOptions = {}): Promise<InvarianceResult> {
  return checkSpatialInvariance(bytes, ort, options);
}
