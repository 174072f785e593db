/** parseOpList: the CLI syntax for --preprocess/--postprocess, its errors and the help text. */
import { describe, expect, it } from "vitest";
import type { CzmodelError } from "../../src/errors.js";
import { OPERATIONS, operationsHelp, opsUseImageStatistics, parseOpList } from "../../src/onnx/ops/index.js";
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
    expect(p("zero-mean-unit-variance")).toEqual({ mode: "per-image", scope: "joint", eps: 1e-6 });
    expect(p("zero-mean-unit-variance=1e-4")).toEqual({ mode: "per-image", scope: "joint", eps: 1e-4 });
    expect(p("zero-mean-unit-variance=0.5/0.25")).toEqual({ mode: "fixed", mean: 0.5, std: 0.25, eps: 1e-6 });
    expect(p("scale-range")).toEqual({ mode: "per-image", scope: "joint", lo: 0, hi: 100, eps: 1e-6 });
    expect(p("scale-range=0/255")).toEqual({ mode: "fixed", min: 0, max: 255, eps: 1e-6 });
    expect(p("clip=0/")).toEqual({ min: 0 });
    expect(p("clip=/1")).toEqual({ max: 1 });
    expect(p("softmax", "post")).toBeNull();
    expect(p("sigmoid-to-softmax-scores", "post")).toBeNull();
  });

  it("sigmoid and binarize: pre or post; binarize takes a scalar or per-channel threshold", () => {
    const p = (t: string, role: "pre" | "post" = "pre") => parseOpList(t, role)[0]!.params;
    expect(p("sigmoid")).toBeNull();
    expect(p("sigmoid", "post")).toBeNull();
    expect(p("binarize=0.5")).toBe(0.5);
    expect(p("binarize=-1", "post")).toBe(-1);
    expect(p("binarize=0.5:0.2:0.9")).toEqual([0.5, 0.2, 0.9]);
    expect(argumentError(() => parseOpList("sigmoid=1")).message).toMatch(
      /^--preprocess sigmoid=1: this operation takes no value \(got "=1"\) \(allowed: sigmoid\)$/,
    );
    expect(argumentError(() => parseOpList("binarize")).message).toMatch(
      /^--preprocess binarize: this operation needs a value \(allowed: binarize=T/,
    );
    expect(argumentError(() => parseOpList("binarize=")).message).toMatch(/this operation needs a value/);
    expect(argumentError(() => parseOpList("binarize=high")).message).toMatch(/threshold "high" is not a number/);
    expect(argumentError(() => parseOpList("binarize=0.5:x")).message).toMatch(/threshold\[1\] "x" is not a number/);
    expect(argumentError(() => parseOpList("binarize=0.5/0.6")).message).toMatch(/threshold "0.5\/0.6" is not a number/);
  });

  it("zero-mean-unit-variance: statistics scope joint (default) or per-channel, with or without EPS", () => {
    const p = (t: string) => parseOpList(t)[0]!.params;
    expect(p("zero-mean-unit-variance=per-channel")).toEqual({ mode: "per-image", scope: "per-channel", eps: 1e-6 });
    expect(p("zero-mean-unit-variance=per-channel/1e-3")).toEqual({ mode: "per-image", scope: "per-channel", eps: 1e-3 });
    expect(p("zero-mean-unit-variance=joint")).toEqual({ mode: "per-image", scope: "joint", eps: 1e-6 });
    expect(p("zero-mean-unit-variance=joint/0.01")).toEqual({ mode: "per-image", scope: "joint", eps: 0.01 });
    expect(p("zero-mean-unit-variance=0.1:0.2/1:2/1e-4")).toEqual({ mode: "fixed", mean: [0.1, 0.2], std: [1, 2], eps: 1e-4 });
    const e = argumentError(() => parseOpList("zero-mean-unit-variance=perchannel"));
    expect(e.message).toMatch(
      /^--preprocess zero-mean-unit-variance=perchannel: unknown statistics scope "perchannel" \(allowed: joint or per-channel, as in /,
    );
    expect(argumentError(() => parseOpList("zero-mean-unit-variance=channel/1e-3")).message).toMatch(/unknown statistics scope "channel"/);
    expect(argumentError(() => parseOpList("zero-mean-unit-variance=per-channel/0.5/0.25")).message).toMatch(
      /expected at most EPS after "per-channel", got 2 values/,
    );
    expect(argumentError(() => parseOpList("zero-mean-unit-variance=per-channel/0")).message).toMatch(/eps 0 is out of range/);
    expect(argumentError(() => parseOpList("zero-mean-unit-variance=joint/x")).message).toMatch(/eps "x" is not a number/);
  });

  it("scale-range: scope, percentiles pLO/pHI[/EPS], fixed MIN/MAX unchanged", () => {
    const p = (t: string) => parseOpList(t)[0]!.params;
    const perImage = (scope: string, lo: number, hi: number, eps = 1e-6) => ({ mode: "per-image", scope, lo, hi, eps });
    expect(p("scale-range=per-channel")).toEqual(perImage("per-channel", 0, 100));
    expect(p("scale-range=joint")).toEqual(perImage("joint", 0, 100));
    expect(p("scale-range=p1/p99.8")).toEqual(perImage("joint", 1, 99.8));
    expect(p("scale-range=p1/p99.8/0")).toEqual(perImage("joint", 1, 99.8, 0));
    expect(p("scale-range=per-channel/p1/p99.8/1e-6")).toEqual(perImage("per-channel", 1, 99.8));
    expect(p("scale-range=joint/p0/p100")).toEqual(perImage("joint", 0, 100));
    expect(p("scale-range=p99.9/p100")).toEqual(perImage("joint", 99.9, 100));
    expect(p("scale-range=p0/p1.5")).toEqual(perImage("joint", 0, 1.5));
    expect(p("scale-range=0:1/2:3/0.5")).toEqual({ mode: "fixed", min: [0, 1], max: [2, 3], eps: 0.5 });
    const bad: [string, RegExp][] = [
      [
        "scale-range=p100/p100",
        /lower percentile p100 is not below 100 \(allowed: 0 <= LO < 100, 1 < HI <= 100, LO < HI \(bioimage.io\)\)$/,
      ],
      ["scale-range=p0/p1", /upper percentile p1 is not above 1/],
      ["scale-range=p50/p50", /lower percentile p50 is not below the upper percentile p50/],
      ["scale-range=p99/p2", /lower percentile p99 is not below the upper percentile p2/],
      ["scale-range=p-1/p99", /lower percentile p-1 is outside 0..100/],
      ["scale-range=p1/p100.5", /upper percentile p100.5 is outside 0..100/],
      ["scale-range=p1/pabc", /upper bound "pabc" is not a percentile/],
      ["scale-range=p1/p9x", /upper percentile "9x" is not a number/],
      ["scale-range=p/p99", /lower percentile "" is not a number/],
      ["scale-range=pmin/p99", /unknown statistics scope "pmin"/],
      ["scale-range=p1/99", /upper bound 99 is a number but the other is a percentile or a scope is given/],
      ["scale-range=0/p99", /lower bound 0 is a number but the other is a percentile/],
      ["scale-range=per-channel/0/1", /lower bound 0 is a number but the other is a percentile or a scope is given/],
      ["scale-range=per-channel/p1", /expected pLO\/pHI\[\/EPS\] after the scope, got 1 value/],
      ["scale-range=p1/p99/1e-6/3", /expected pLO\/pHI\[\/EPS\] after the scope, got 4 value/],
      ["scale-range=p1/p99/-1", /eps -1 is negative/],
      ["scale-range=perchannel/p1/p99", /unknown statistics scope "perchannel"/],
      ["scale-range=1", /expected 2 or 3 value\(s\) separated by "\/", got 1/],
    ];
    for (const [text, re] of bad) expect(argumentError(() => parseOpList(text)).message, text).toMatch(re);
  });

  it("clip: each bound a number, a percentile pN or empty; an optional scope for percentile bounds", () => {
    const p = (t: string) => parseOpList(t)[0]!.params;
    expect(p("clip=0/1")).toEqual({ min: 0, max: 1 });
    expect(p("clip=p1/p99.5")).toEqual({ minPercentile: 1, maxPercentile: 99.5, scope: "joint" });
    expect(p("clip=0/p99")).toEqual({ min: 0, maxPercentile: 99, scope: "joint" });
    expect(p("clip=/p99")).toEqual({ maxPercentile: 99, scope: "joint" });
    expect(p("clip=p5/")).toEqual({ minPercentile: 5, scope: "joint" });
    expect(p("clip=per-channel/p1/p99")).toEqual({ minPercentile: 1, maxPercentile: 99, scope: "per-channel" });
    expect(p("clip=joint/p0/1")).toEqual({ minPercentile: 0, max: 1, scope: "joint" });
    expect(p("clip=p50/0.2")).toEqual({ minPercentile: 50, max: 0.2, scope: "joint" }); // np.clip order: MAX wins
    const bad: [string, RegExp][] = [
      ["clip=p99/p1", /lower percentile p99 is not below the upper percentile p1/],
      ["clip=p10/p10", /lower percentile p10 is not below the upper percentile p10/],
      ["clip=p101/", /min percentile p101 is outside 0..100/],
      ["clip=/p-5", /max percentile p-5 is outside 0..100/],
      ["clip=p1x/p99", /min percentile "1x" is not a number/],
      ["clip=per-channel/0/1", /"per-channel" applies to percentile bounds, but both bounds are fixed/],
      ["clip=per-channel//", /clip needs at least one bound/],
      ["clip=per-channel/p1", /expected 2 value\(s\) separated by "\/", got 1/],
      ["clip=channel/p1/p99", /unknown statistics scope "channel"/],
      ["clip=p1/p99/p100", /expected 2 value\(s\) separated by "\/", got 3/],
    ];
    for (const [text, re] of bad) expect(argumentError(() => parseOpList(text)).message, text).toMatch(re);
  });

  it("opsUseImageStatistics: true exactly for ops computing statistics of each image", () => {
    const uses = (t: string, role: "pre" | "post" = "pre") => opsUseImageStatistics(parseOpList(t, role));
    for (const t of [
      "per-image-standardization",
      "zero-mean-unit-variance",
      "zero-mean-unit-variance=1e-3",
      "zero-mean-unit-variance=per-channel",
      "scale-range",
      "scale-range=per-channel",
      "scale-range=p1/p99.8",
      "clip=p1/p99",
      "clip=0/p99",
      "clip=per-channel/p0/1",
      "scale=2,rgb-to-bgr,scale-range=joint",
    ]) {
      expect(uses(t), t).toBe(true);
    }
    for (const t of [
      "",
      "rgb-to-bgr,scale=2,shift=1,scale-linear=2/1,transpose-channels=2/1/0",
      "zero-mean-unit-variance=0.5/0.25",
      "scale-range=0/255",
      "clip=0/1",
      "clip=/1",
      "binarize=0.5",
      "sigmoid",
    ]) {
      expect(uses(t), t).toBe(false);
    }
    expect(uses("softmax,sigmoid-to-softmax-scores", "post")).toBe(false);
    expect(uses("sigmoid,clip=/p99", "post")).toBe(true);
    expect(opsUseImageStatistics([{ name: "no-such-op", text: "no-such-op", params: null }])).toBe(false);
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
    expect(argumentError(() => parseOpList("softmax", "pre")).message).toMatch(
      /^--preprocess softmax: "softmax" is a post-processing operation \(allowed: use it with --postprocess/,
    );
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
      "binarize",
      "sigmoid",
      "softmax",
      "sigmoid-to-softmax-scores",
    ]);
    // the shared notes on scopes and percentiles
    expect(help).toContain("per-channel = over H and W for each channel separately");
    expect(help).toContain('np.quantile(..., method="linear")');
    expect(help).toContain("each tile when ZEN runs it");
    expect(help).toContain("opset >= 10");
  });
});
