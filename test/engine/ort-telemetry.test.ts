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
console.log(process.pid, process.env.ORT_DISABLE_TELEMETRY);
`;

/** Runs a session in a child process: the log file it would leave, and the telemetry setting it ran with. */
function sessionInChild(env: NodeJS.ProcessEnv): { log: string; setting: string } {
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: repoRoot, env });
  const [pid, setting = ""] = out.toString().trim().split(" ");
  return { log: `/tmp/mat-debug-${pid}.log`, setting };
}

describe("onnxruntime-node telemetry", () => {
  it("a process that creates a session through the library leaves no /tmp/mat-debug-<pid>.log", () => {
    const { ORT_DISABLE_TELEMETRY: _, ...env } = process.env;
    const { log, setting } = sessionInChild(env);
    expect(setting).toBe("1");
    const left = existsSync(log);
    if (left) rmSync(log);
    expect(left).toBe(false);
  });

  it("a value the user set wins (ORT_DISABLE_TELEMETRY=0 stays 0)", () => {
    const { log, setting } = sessionInChild({ ...process.env, ORT_DISABLE_TELEMETRY: "0" });
    rmSync(log, { force: true });
    expect(setting).toBe("0");
  });
});
