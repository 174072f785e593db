/** parseOpList: the CLI syntax for --preprocess/--postprocess, its errors and the help text. */
import { describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { OPERATIONS, operationsHelp, parseOpList } from "../../src/onnx/ops/index.js";
import { errorOf } from "../helpers/errors.js";

/** The one-line INVALID_ARGUMENT error `fn` throws. */
function argumentError(fn: () => unknown): CzmodelError {
  const e = errorOf(fn);
  expect(e.code).toBe("INVALID_ARGUMENT");
  expect(e.message).not.toContain("\n");
  return e;
}

describe("parseOpList", () => {
  it("parses the issue's example and keeps the order", () => {
    expect(parseOpList("rgb-to-bgr,scale=0.5,transpose-channels=2/1/0")).toEqual([
      { name: "rgb-to-bgr", text: "rgb-to-bgr", params: null },
      { name: "scale", text: "scale=0.5", params: 0.5 },
      { name: "transpose-channels", text: "transpose-channels=2/1/0", params: [2, 1, 0] },
    ]);
    expect(parseOpList("")).toEqual([]);
  });

  it("parses parameters of every op", () => {
    const p = (t: string, role: "pre" | "post" = "pre") => parseOpList(t, role)[0]!.params;
    expect(p("shift=1:2:3")).toEqual([1, 2, 3]);
    expect(p("scale-linear=2")).toEqual({ gain: 2, offset: 0 });
    expect(p("scale-linear=1:2/0.5:-1")).toEqual({ gain: [1, 2], offset: [0.5, -1] });
    expect(p("zero-mean-unit-variance")).toEqual({ mode: "per-image", eps: 1e-6 });
    expect(p("zero-mean-unit-variance=1e-4")).toEqual({ mode: "per-image", eps: 1e-4 });
    expect(p("zero-mean-unit-variance=0.5/0.25")).toEqual({ mode: "fixed", mean: 0.5, std: 0.25, eps: 1e-6 });
    expect(p("scale-range")).toEqual({ mode: "per-image", eps: 1e-6 });
    expect(p("scale-range=0/255")).toEqual({ mode: "fixed", min: 0, max: 255, eps: 1e-6 });
    expect(p("clip=0/")).toEqual({ min: 0 });
    expect(p("clip=/1")).toEqual({ max: 1 });
    expect(p("softmax", "post")).toBeNull();
    expect(p("sigmoid-to-softmax-scores", "post")).toBeNull();
  });

  it("transpose-channels: parsing checks the syntax; the permutation is checked against the model (adapt.test.ts)", () => {
    expect(parseOpList("transpose-channels=0/2/3")[0]!.params).toEqual([0, 2, 3]);
    expect(argumentError(() => parseOpList("transpose-channels=a/1")).message).toMatch(/channel index "a" is not a non-negative integer/);
    expect(argumentError(() => parseOpList("transpose-channels=1/-1")).message).toMatch(/channel index "-1" is not a non-negative integer/);
    expect(argumentError(() => parseOpList("transpose-channels")).message).toMatch(/this operation needs a value/);
  });

  it("rejects an unknown op name, listing the allowed ones", () => {
    const e = argumentError(() => parseOpList("rgb-to-bgr,normalise"));
    expect(e.message).toMatch(/^--preprocess normalise: unknown operation "normalise" \(allowed: rgb-to-bgr, rgba-to-bgra, .*\)$/);
    expect(e.allowed).not.toContain("softmax");
  });

  it("rejects a post-processing op in --preprocess and bad values", () => {
    expect(argumentError(() => parseOpList("softmax", "pre")).message).toMatch(/^--preprocess softmax: "softmax" is a post-processing operation \(allowed: use it with --postprocess/);
    expect(argumentError(() => parseOpList("scale=abc")).message).toMatch(/^--preprocess scale=abc: scale "abc" is not a number/);
    expect(argumentError(() => parseOpList("scale")).message).toMatch(/^--preprocess scale: this operation needs a value/);
    expect(argumentError(() => parseOpList("rgb-to-bgr=1")).message).toMatch(/takes no value/);
    expect(argumentError(() => parseOpList("scale-linear=1/0")).message).toMatch(/gain 1 with offset 0 does nothing/);
    expect(argumentError(() => parseOpList("clip=2/1")).message).toMatch(/MIN 2 is greater than MAX 1/);
    expect(argumentError(() => parseOpList("scale-range=1/1")).message).toMatch(/MAX 1 is not greater than MIN 1/);
    expect(argumentError(() => parseOpList("zero-mean-unit-variance=0/0")).message).toMatch(/std 0 is too small/);
    expect(argumentError(() => parseOpList("scale=1,,shift=2")).message).toMatch(/empty entry/);
  });

  it("lists every op in the help text", () => {
    const help = operationsHelp();
    for (const op of OPERATIONS) expect(help).toContain(op.syntax);
    expect(OPERATIONS.map((o) => o.name)).toEqual([
      "rgb-to-bgr",
      "rgba-to-bgra",
      "transpose-channels",
      "per-image-standardization",
      "shift",
      "scale",
      "scale-linear",
      "zero-mean-unit-variance",
      "scale-range",
      "clip",
      "softmax",
      "sigmoid-to-softmax-scores",
    ]);
  });
});
