/**
 * Node wrapper of the numeric validation: runs with onnxruntime-node and measures the runtime's
 * memory as the growth of the process's resident set size (RSS) from before the session is
 * created to after the second run, taking the process's peak RSS (`resourceUsage().maxRSS`)
 * into account when it rose. onnxruntime-node runs on the calling thread, so sampling during
 * a run is not possible; its CPU arena keeps what a run allocated, so the RSS after the runs is
 * close to the peak. A CPU measure: it stands in for the GPU memory ZEN would need. `nodeRun`
 * packs both as the runner `validateModel` takes. Node only.
 */
import { ort } from "../../onnx/node/runtime.js";
import {
  runNumericValidation,
  type MemoryProbe,
  type NumericValidationMeta,
  type NumericValidationOptions,
  type NumericValidationResult,
} from "../numeric.js";
import type { NumericRun } from "../model.js";

function rssMemoryProbe(): MemoryProbe {
  let baseRss = 0;
  let basePeak = 0;
  return {
    method: "growth of the process RSS with onnxruntime-node on the CPU",
    start() {
      baseRss = process.memoryUsage.rss();
      basePeak = process.resourceUsage().maxRSS * 1024;
    },
    stop() {
      const rss = process.memoryUsage.rss();
      const peak = process.resourceUsage().maxRSS * 1024;
      const top = peak > basePeak ? Math.max(rss, peak) : rss;
      return Math.max(0, top - baseRss);
    },
  };
}

export function runNumericValidationNode(
  bytes: Uint8Array,
  meta: NumericValidationMeta,
  options: NumericValidationOptions = {},
): Promise<NumericValidationResult> {
  return runNumericValidation(bytes, meta, ort, { memory: rssMemoryProbe(), ...options });
}

/** The runner `validateModel(file, { run })` takes in Node: onnxruntime-node with the RSS memory probe. */
export function nodeRun(options: NumericValidationOptions = {}): NumericRun {
  return { ort, memory: rssMemoryProbe(), ...options };
}
