/**
 * Every pre-/post-processing op against NumPy: scripts/fixtures/onnx_models.py computed each
 * op's documented formula on small NHWC inputs (op_references.json). Here each op is added to an
 * identity model (dynamic batch, height and width), run with onnxruntime-node, and compared. The
 * ops whose ONNX form depends on the opset (reductions, Clip, Greater, TopK) run at opsets 9, 11,
 * 13, 17 and 18; those with percentiles (TopK with a run-time K) at 10, 11, 13, 17 and 18, and
 * opset 9 must refuse them. All edited models with IR <= 8 (opset <= 17) must pass Debian's
 * onnx.checker.check_model(full_check=True).
 */
import { TensorProto_DataType as DT } from "onnx-buf";
import { afterAll, describe, expect, it } from "vitest";
import { adaptModel } from "../../src/onnx/adapt.js";
import { floorToFloat32 } from "../../src/onnx/ops/binarize.js";
import { parseOpList } from "../../src/onnx/ops/index.js";
import { errorOf } from "../helpers/errors.js";
import { tempDir } from "../helpers/paths.js";
import { checkWithPython, hasPythonOnnx, identityModel, jsonFixture, ort, runModel } from "./helpers.js";

interface Refs {
  inputs: Record<string, { type: string; shape: number[]; data: number[] }>;
  cases: { op: string; kind: "pre" | "post"; input: string; shape: number[]; expected: number[] }[];
}
const refs = jsonFixture<Refs>("op_references.json");
const edited: Record<string, Uint8Array> = {};

const OPSET_SENSITIVE = /^(per-image-standardization|zero-mean-unit-variance|scale-range|clip|binarize)/;

/** Percentiles pN in an op's text other than p0/p100 (those need TopK, opset >= 10). */
function topKPercentiles(op: string): number[] {
  return [...op.matchAll(/[=/]p([0-9.]+)/g)].map((m) => Number(m[1])).filter((p) => p !== 0 && p !== 100);
}

function casesWithOpsets() {
  const out: [string, string, number, Refs["cases"][number]][] = [];
  for (const c of refs.cases) {
    const opsets = !OPSET_SENSITIVE.test(c.op) ? [13] : topKPercentiles(c.op).length > 0 ? [10, 11, 13, 17, 18] : [9, 11, 13, 17, 18];
    for (const o of opsets) out.push([c.op, c.input, o, c]);
  }
  return out;
}

describe("ops vs NumPy references", () => {
  it.each(casesWithOpsets())("%s on %s (opset %i)", async (_name, _input, opset, c) => {
    const input = refs.inputs[c.input]!;
    const dims = ["batch", "height", "width", input.shape[3]!];
    const base = identityModel(opset, DT.FLOAT, dims);
    const specs = parseOpList(c.op, c.kind);
    const result = adaptModel(base, c.kind === "pre" ? { preprocessing: specs } : { postprocessing: specs });
    expect(result.warnings).toEqual([]);
    const out = await runModel(result.bytes, Float32Array.from(input.data), input.shape);
    expect(out.dims).toEqual(c.shape);
    for (let i = 0; i < c.expected.length; i++) {
      const e = c.expected[i]!;
      expect(Math.abs(out.data[i]! - e)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(e)));
    }
    // the graph keeps its interface and opset
    expect(result.summary.defaultOpset).toBe(opset);
    expect(result.summary.inputs[0]!.name).toBe("x");
    expect(result.summary.outputs[0]!.name).toBe("y");
    if (opset <= 17) edited[`${c.op} ${c.input}@${opset}`] = result.bytes;
  });

  it("per-image-standardization of a constant image divides by 1/sqrt(N), not 0 (TensorFlow's floor)", async () => {
    // 1 × 2 × 2 × 2 image of 3.0: mean 3, std 0, N = 8 → (x − 3) / (1/√8) = 0 everywhere; add a
    // single different pixel value to check the floor: x = [3,3,3,3,3,3,3,3+1e-4]
    const data = Float32Array.from([3, 3, 3, 3, 3, 3, 3, 3.0001]);
    const base = identityModel(13, DT.FLOAT, [1, 2, 2, 2]);
    const { bytes } = adaptModel(base, { preprocessing: parseOpList("per-image-standardization") });
    const out = await runModel(bytes, data, [1, 2, 2, 2]);
    // worked out by hand: mean = 3 + 1e-4/8, std = 1e-4·√7/8 ≈ 3.307e-5 < 1/√8 ≈ 0.35355,
    // so out = (x − mean)·√8: −1.25e-5·√8 ≈ −3.5355e-5 for the first 7, 8.75e-5·√8 ≈ 2.4749e-4 for the last
    const f32 = Math.fround(3.0001) - 3; // the float32 step actually stored
    const mean = f32 / 8;
    for (let i = 0; i < 7; i++) expect(out.data[i]).toBeCloseTo(-mean * Math.sqrt(8), 6);
    expect(out.data[7]).toBeCloseTo((f32 - mean) * Math.sqrt(8), 6);
  });

  it("scale-linear and shift with per-channel values: numbers worked out by hand", async () => {
    const base = identityModel(13, DT.FLOAT, [1, 1, 2, 3]);
    const { bytes } = adaptModel(base, { preprocessing: parseOpList("scale-linear=2:3:4/1:0:-1,shift=0.5") });
    const out = await runModel(bytes, Float32Array.from([1, 1, 1, 2, 2, 2]), [1, 1, 2, 3]);
    // pixel 1: [1·2+1, 1·3+0, 1·4−1] + 0.5 = [3.5, 3.5, 3.5]; pixel 2: [2·2+1, 2·3, 2·4−1] + 0.5 = [5.5, 6.5, 7.5]
    expect([...out.data]).toEqual([3.5, 3.5, 3.5, 5.5, 6.5, 7.5]);
  });

  it("emits ReduceMean axes as an attribute below opset 18 and as an input from 18", async () => {
    const { decodeModel } = await import("../../src/onnx/model-io.js");
    for (const [opset, asInput] of [
      [17, false],
      [18, true],
    ] as const) {
      const base = identityModel(opset, DT.FLOAT, [1, 4, 4, 1]);
      const m = decodeModel(adaptModel(base, { preprocessing: parseOpList("per-image-standardization") }).bytes);
      const rm = m.graph!.node.filter((n) => n.opType === "ReduceMean");
      expect(rm.length).toBe(2);
      for (const n of rm) {
        expect(n.input.length).toBe(asInput ? 2 : 1);
        expect(n.attribute.some((a) => a.name === "axes")).toBe(!asInput);
      }
    }
  });

  it("refuses percentiles other than p0/p100 at opset 9 in one line, naming the op", () => {
    const base = identityModel(9, DT.FLOAT, ["batch", "height", "width", 3]);
    for (const [op, role] of [
      ["scale-range=p1/p99.8", "pre"],
      ["scale-range=per-channel/p0/p90", "pre"],
      ["clip=/p99", "post"],
      ["clip=per-channel/p1/p99", "pre"],
    ] as const) {
      const specs = parseOpList(op, role);
      const e = errorOf(() => adaptModel(base, role === "pre" ? { preprocessing: specs } : { postprocessing: specs }));
      expect(e.code).toBe("UNSUPPORTED");
      expect(e.message).not.toContain("\n");
      const where = `--${role === "pre" ? "pre" : "post"}process ${op}`;
      expect(e.message).toBe(
        `${where}: percentiles need ONNX opset >= 10 (TopK with a run-time K), but the model has opset 9 ` +
          "(allowed: a model with opset >= 10, or p0/p100 (minimum/maximum), or fixed bounds)",
      );
    }
    // min/max (p0/p100) need no TopK
    expect(adaptModel(base, { preprocessing: parseOpList("scale-range=per-channel/p0/p100,clip=p0/p100") }).warnings).toEqual([]);
  });

  it("percentile ops give NumPy's answer on one model with dynamic H/W run at several sizes", async () => {
    const ops = [
      "scale-range=p1/p99.8",
      "scale-range=per-channel/p1/p99.8",
      "scale-range=per-channel/p25/p75/1e-3",
      "clip=p1/p99.5",
      "clip=per-channel/p1/p99",
    ];
    for (const op of ops) {
      for (const [channels, names] of [
        [1, ["x1", "big1", "x1o"]],
        [3, ["x3", "big3", "x3o"]],
      ] as const) {
        const base = identityModel(13, DT.FLOAT, ["batch", "height", "width", channels]);
        const { bytes } = adaptModel(base, { preprocessing: parseOpList(op) });
        const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
        try {
          const sizes = new Set<string>();
          for (const name of names) {
            const c = refs.cases.find((k) => k.op === op && k.input === name && k.kind === "pre")!;
            expect(c, `${op} on ${name}`).toBeDefined();
            const input = refs.inputs[name]!;
            sizes.add(input.shape.slice(1, 3).join("×"));
            const out = (await session.run({ x: new ort.Tensor("float32", Float32Array.from(input.data), input.shape) })).y!;
            expect([...out.dims]).toEqual(c.shape);
            const data = out.data as Float32Array;
            let maxDiff = 0;
            for (let i = 0; i < c.expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(data[i]! - c.expected[i]!));
            expect(maxDiff, `${op} on ${name} ${input.shape.join("×")}`).toBeLessThanOrEqual(1e-5);
          }
          expect(sizes.size).toBe(3);
        } finally {
          await session.release();
        }
      }
    }
  });

  it("binarize stores the largest float32 <= T, so x > T holds exactly for float32 x", () => {
    for (const t of [0.2, -0.2, 0.5, 1e-30, -1e-45, 0, 3.4e38, 1e39]) {
      const f = floorToFloat32(t);
      expect(Math.fround(f)).toBe(f);
      expect(f).toBeLessThanOrEqual(t);
      // the next float32 up is above t
      const up = new Float32Array([f]);
      const u = new Int32Array(up.buffer);
      if (f === 0 && Object.is(f, -0)) u[0] = 1;
      else u[0]! += f >= 0 ? 1 : -1;
      expect(up[0]!).toBeGreaterThan(t);
    }
    expect(floorToFloat32(0.5)).toBe(0.5);
    expect(floorToFloat32(0.2)).toBeLessThan(Math.fround(0.2));
  });

  describe("warnings for sigmoid/softmax on tensors that already are probabilities", () => {
    const warningsOf = (producer: string, post: string, pre?: string) =>
      adaptModel(identityModel(13, DT.FLOAT, [1, 4, 4, 2], producer), {
        postprocessing: parseOpList(post, "post"),
        ...(pre ? { preprocessing: parseOpList(pre) } : {}),
      }).warnings;

    it("sigmoid after a model whose output comes from Sigmoid or Softmax", () => {
      expect(warningsOf("Sigmoid", "sigmoid")).toEqual([
        "--postprocess sigmoid: the model's output already comes from a Sigmoid node (values in [0, 1]); a sigmoid on top squeezes them into [0.5, 0.73]",
      ]);
      expect(warningsOf("Softmax", "sigmoid")[0]).toMatch(/^--postprocess sigmoid: the model's output already comes from a Softmax node/);
      expect(warningsOf("Relu", "sigmoid")).toEqual([]);
      expect(warningsOf("Identity", "sigmoid", "sigmoid")).toEqual([]);
    });

    it("sigmoid or softmax after a sigmoid or softmax earlier in the --postprocess chain", () => {
      expect(warningsOf("Relu", "sigmoid,softmax")).toEqual([
        "--postprocess softmax: the previous --postprocess operation's result already comes from a Sigmoid node; a second softmax squeezes the probabilities towards uniform",
      ]);
      expect(warningsOf("Relu", "softmax,sigmoid")).toEqual([
        "--postprocess sigmoid: the previous --postprocess operation's result already comes from a Softmax node (values in [0, 1]); a sigmoid on top squeezes them into [0.5, 0.73]",
      ]);
      // a scale in between: no longer a probability, no warning; the model's producer no longer counts either
      expect(warningsOf("Sigmoid", "scale=4,sigmoid")).toEqual([]);
      expect(warningsOf("Softmax", "softmax")[0]).toMatch(/^--postprocess softmax: the model's output already comes from a Softmax node/);
    });
  });

  describe("per-image statistics are float64-accurate on a real-sized image", () => {
    // A 512 × 512 × 1 image like a uint16 micrograph scaled to [0, 1]: a smooth pattern plus noise
    // around 0.03, quantised to k/65535 (not exactly representable in binary). Over 262144 pixels
    // a float32 mean/variance drifts by ~1e-5 in the result, which a model amplifies; the graph
    // must match a float64 reference computed here to 1e-5.
    const H = 512;
    const W = 512;
    const image = new Float32Array(H * W);
    let s = 12345;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        const v = 0.03 + 0.012 * Math.sin(x / 37) * Math.cos(y / 53) + 0.004 * (s / 2 ** 32 - 0.5);
        image[y * W + x] = Math.round(v * 65535) / 65535;
      }
    }
    /** float64 mean and population std of the float32 pixel values. */
    function stats(): { mean: number; std: number } {
      let sum = 0;
      for (const v of image) sum += v;
      const mean = sum / image.length;
      let sq = 0;
      for (const v of image) sq += (v - mean) ** 2;
      return { mean, std: Math.sqrt(sq / image.length) };
    }

    it.each([
      ["per-image-standardization", (std: number) => Math.max(std, 1 / Math.sqrt(H * W))],
      ["zero-mean-unit-variance", (std: number) => std + 1e-6],
    ] as const)("%s at opsets 9, 13 and 18", async (op, denominator) => {
      const { mean, std } = stats();
      expect(mean).toBeGreaterThan(0.029);
      expect(mean).toBeLessThan(0.031);
      const d = denominator(std);
      for (const opset of [9, 13, 18]) {
        const base = identityModel(opset, DT.FLOAT, ["batch", "height", "width", 1]);
        const result = adaptModel(base, { preprocessing: parseOpList(op) });
        const out = await runModel(result.bytes, image, [1, H, W, 1]);
        let maxDiff = 0;
        for (let i = 0; i < image.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out.data[i]! - (image[i]! - mean) / d));
        expect(maxDiff, `${op} at opset ${opset}`).toBeLessThanOrEqual(1e-5);
        if (opset <= 17) edited[`${op}@${opset} (512²)`] = result.bytes;
      }
    });
  });

  afterAll(async () => {
    if (!hasPythonOnnx()) {
      console.warn("SKIPPED: Debian /usr/bin/python3 with python3-onnx is missing; onnx.checker not run on edited models");
      return;
    }
    const results = checkWithPython(edited, await tempDir("czmodel-onnx-check-"));
    expect(Object.keys(results).length).toBeGreaterThan(20);
    for (const [name, r] of Object.entries(results)) expect(`${name}: ${r}`).toBe(`${name}: ok`);
  });
});
