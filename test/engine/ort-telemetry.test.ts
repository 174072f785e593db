/**
 * onnxruntime-node's telemetry writes an empty `/tmp/mat-debug-<pid>.log` per process and never
 * removes it; loading the runtime through the library turns that off. Checked in a child
 * process, whose pid names the file it would have left.
 */
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/paths.js";

const script = `
import { readFileSync } from "node:fs";
import { nodeRuntime } from "./src/engine/node/index.ts";
const session = await nodeRuntime.InferenceSession.create(readFileSync("examples/data/blob-segmenter.onnx"));
await session.release();
console.log(process.pid);
`;

function sessionInChild(env: NodeJS.ProcessEnv): string {
  const pid = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: repoRoot, env })
    .toString()
    .trim();
  return `/tmp/mat-debug-${pid}.log`;
}

describe("onnxruntime-node telemetry", () => {
  it("a process that creates a session through the library leaves no /tmp/mat-debug-<pid>.log", () => {
    const { ORT_DISABLE_TELEMETRY: _, ...env } = process.env;
    const log = sessionInChild(env);
    const left = existsSync(log);
    if (left) rmSync(log);
    expect(left).toBe(false);
  });

  it("the user's own ORT_DISABLE_TELEMETRY=0 wins (the runtime then writes its log, which this test removes)", () => {
    const log = sessionInChild({ ...process.env, ORT_DISABLE_TELEMETRY: "0" });
    const left = existsSync(log);
    if (left) rmSync(log);
    expect(left).toBe(true);
  });
});
