/**
 * `czmodel predict --device` on this machine, whose onnxruntime-node has no CUDA binaries and
 * which has no GPU: `cuda` is one clear line, exit 2, nothing written; the default (`auto`)
 * runs on the CPU quietly and says so in the text and `--json` output; an explicit
 * `--device auto` adds a one-line note on stderr saying why it ran on the CPU.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { testdata } from "../helpers/paths.js";
import { czmodel, expectOneLineError, listTree, parseJson, scratchDir } from "./helpers.js";

const model = testdata("models", "simple_nuclei_segmodel.czann");
const image = testdata("images", "nuclei_0000.png");

describe("czmodel predict --device", () => {
  it("cuda without CUDA binaries or a GPU: one line naming the provider, exit 2, nothing written", async () => {
    const dir = await scratchDir();
    const r = await czmodel("predict", model, image, "-o", join(dir, "labels.png"), "--device", "cuda");
    expectOneLineError(r, [
      "--device: the CUDA execution provider is not available: onnxruntime-node was installed without its CUDA provider libraries",
      "see docs/gpu.md",
    ]);
    expect(r.stdout).toBe("");
    expect(await listTree(dir)).toEqual([]);
  });

  it("an unknown device is refused by the option parser", async () => {
    const dir = await scratchDir();
    const r = await czmodel("predict", model, image, "-o", join(dir, "labels.png"), "--device", "tpu");
    expectOneLineError(r, ["--device", "tpu"]);
    expect(await listTree(dir)).toEqual([]);
  });

  it("the default runs on the CPU without a note and reports the device", async () => {
    const dir = await scratchDir();
    const json = await czmodel("predict", model, image, "-o", join(dir, "a.png"), "--json");
    expect(json.status, json.stderr).toBe(0);
    expect(json.stderr).toBe("");
    expect(parseJson<{ device: string; deviceFallback: string }>(json)).toMatchObject({
      device: "cpu",
      deviceFallback: "onnxruntime-node was installed without its CUDA provider libraries",
    });
    const text = await czmodel("predict", model, image, "-o", join(dir, "b.png"));
    expect(text.stdout).toMatch(/MP\/s\) on cpu\n/);
  });

  it("--device auto says on stderr, in one line, why it ran on the CPU", async () => {
    const dir = await scratchDir();
    const r = await czmodel("predict", model, image, "-o", join(dir, "labels.png"), "--device", "auto", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("note: running on the CPU: onnxruntime-node was installed without its CUDA provider libraries\n");
    expect(parseJson<{ device: string }>(r).device).toBe("cpu");
  });
});
