/**
 * Issue 12 point 4: numeric CLI options are bounded. `--threads 100000` (which hung), a
 * `--tile` of 2^31 and the other counts are refused in one line naming the option and its
 * range before any file is opened; `--help` states the ranges.
 */
import { describe, expect, it } from "vitest";
import { czmodel, expectOneLineError } from "../cli/helpers.js";

describe("numeric options have documented bounds", () => {
  it.each([
    [["predict", "m.czann", "in.png", "-o", "out.png", "--threads", "100000"], "--threads", "1..256"],
    [["predict", "m.czann", "in.png", "-o", "out.png", "--threads", "0"], "--threads", "1..256"],
    [["predict", "m.czann", "in.png", "-o", "out.png", "--batch", "99999"], "--batch", "1..1024"],
    [["predict", "m.czann", "in.png", "-o", "out.png", "--tile", "2147483648,2147483648"], "--tile", "1..16384"],
    [["predict", "m.czann", "in.png", "-o", "out.png", "--border", "100000"], "--border", "0..16384"],
    [["predict", "m.czann", "in.png", "-o", "out.png", "--unit-size", "99999999999"], "--unit-size", "1..1048576"],
    [["worker", "m.czann", "--concurrency", "1000"], "--concurrency", "1..64"],
    [["export-bioimageio", "m.czann", "out", "--threads", "4096"], "--threads", "1..256"],
  ])("%j", async (argv, option, range) => {
    expectOneLineError(await czmodel(...argv), [option, range]);
  });

  it("--help says the range of --threads", async () => {
    const r = await czmodel("predict", "--help");
    expect(r.stdout.replace(/\s+/g, " ")).toMatch(/--threads <n> onnxruntime threads \(1\.\.256; default: every core, \d+ here\)/);
  });
});
