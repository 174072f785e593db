/**
 * onnxruntime-node as this library loads it (Node only). Its telemetry layer writes an empty
 * `/tmp/mat-debug-<pid>.log` for every process that creates a session and never removes it;
 * `ORT_DISABLE_TELEMETRY=1`, read when the runtime creates its environment (at the first
 * session, so setting it after the import is in time), stops that. A value the user set wins.
 */
import * as ort from "onnxruntime-node";

process.env.ORT_DISABLE_TELEMETRY ??= "1";

export { ort };
