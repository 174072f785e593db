/**
 * `predict` behaviour beyond the numbers: outputs (labels / probabilities / both,
 * min-confidence, class metadata), plane looping and filtering, batching rules, progress
 * events, band order, and failure handling (clear one-line errors, abort and sink failures
 * leave every sink aborted).
 */
import { ort } from "../../src/onnx/node/runtime.js";
import type { InferenceSession } from "onnxruntime-common";
import { beforeAll, describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { predictNode } from "../../src/engine/node/index.js";
import type { EngineModel, PredictProgress } from "../../src/engine/types.js";
import { MemoryImageSink, MemoryImageSource } from "../../src/io/memory/index.js";
import type { ImageSink, ImageSource } from "../../src/io/types.js";
import { fixtureBytes, rawFixture } from "./helpers.js";

const W = 184;
const H = 100;
let fcn3Bytes: Uint8Array;
let pixels: Uint16Array;
let seg: EngineModel;

beforeAll(async () => {
  fcn3Bytes = await fixtureBytes("fcn3.onnx");
  pixels = await rawFixture("fcn3_input.u16", (b) => new Uint16Array(b));
  seg = {
    name: "fcn3-seg",
    id: "00000000-0000-4000-8000-000000000000",
    kind: "segmentation",
    onnx: fcn3Bytes,
    tile: [64, 64],
    border: [4, 4],
    inputChannels: 1,
    classes: [{ name: "Background" }, { name: "Cells", color: [1, 2, 3] }],
    scaleInputs: true,
    tileMultiple: 1,
  };
});

const image = () => new MemoryImageSource({ width: W, height: H, planes: [pixels] });

/** A session factory whose session records the input dims of every run. */
function spyFactory(bytes: Uint8Array, calls: number[][]) {
  return async (): Promise<InferenceSession> => {
    const session = await ort.InferenceSession.create(bytes);
    const run = session.run.bind(session) as (feeds: InferenceSession.FeedsType) => Promise<InferenceSession.ReturnType>;
    (session as unknown as { run: unknown }).run = (feeds: InferenceSession.FeedsType, ...rest: unknown[]) => {
      calls.push([...feeds[session.inputNames[0]!]!.dims]);
      return (run as (...a: unknown[]) => Promise<InferenceSession.ReturnType>)(feeds, ...rest);
    };
    return session;
  };
}

describe("outputs", () => {
  it("labels + probabilities: labels are argmax+1 of the probabilities; metadata carries classes", async () => {
    const labels = new MemoryImageSink();
    const probs = new MemoryImageSink();
    const r = await predictNode(seg, image(), { labels, probabilities: probs }, { output: "both" });
    expect(r.outputs.map((o) => o.kind)).toEqual(["labels", "probabilities"]);
    expect(labels.info).toMatchObject({
      sampleType: "uint8",
      samplesPerPixel: 1,
      unclassifiedValue: 0,
      classes: [
        { value: 1, name: "Background", color: [255, 0, 0] },
        { value: 2, name: "Cells", color: [1, 2, 3] },
      ],
      description: { model: "fcn3-seg", modelId: seg.id, tile: [64, 64], border: [4, 4] },
    });
    expect(probs.info).toMatchObject({ sampleType: "float32", samplesPerPixel: 2, channelNames: ["Background", "Cells"] });
    const l = labels.plane();
    const p = probs.plane() as Float32Array;
    let ones = 0;
    let wrong = 0;
    for (let i = 0; i < l.length; i++) {
      if (l[i] !== (p[2 * i + 1]! > p[2 * i]! ? 2 : 1)) wrong++;
      if (l[i] === 1) ones++;
    }
    expect(wrong).toBe(0);
    expect(ones).toBeGreaterThan(0);
    expect(ones).toBeLessThan(l.length);
  });

  it("min-confidence: pixels whose best probability is below it become 0 (unclassified)", async () => {
    const probs = new MemoryImageSink();
    const labels = new MemoryImageSink();
    await predictNode(seg, image(), { labels, probabilities: probs }, { output: "both", minConfidence: 0.9 });
    const l = labels.plane();
    const p = probs.plane() as Float32Array;
    let unclassified = 0;
    let wrong = 0;
    for (let i = 0; i < l.length; i++) {
      const best = Math.max(p[2 * i]!, p[2 * i + 1]!);
      if (l[i] !== (best < 0.9 ? 0 : p[2 * i + 1]! > p[2 * i]! ? 2 : 1)) wrong++;
      if (l[i] === 0) unclassified++;
    }
    expect(wrong).toBe(0);
    expect(unclassified).toBeGreaterThan(0);
    await expect(predictNode(seg, image(), new MemoryImageSink(), { minConfidence: 2 })).rejects.toThrow(
      /--min-confidence: minimum confidence 2 is not valid \(allowed: a number in \[0, 1\]\)/,
    );
  });

  it("probabilities alone and a wrong sink shape are handled", async () => {
    const probs = new MemoryImageSink();
    await predictNode(seg, image(), probs, { output: "probabilities" });
    expect(probs.info?.kind).toBe("probabilities");
    await expect(predictNode(seg, image(), new MemoryImageSink(), { output: "both" })).rejects.toThrow(/sink pair/);
  });
});

describe("planes", () => {
  it("loops T and Z, keeps them in the output, honours a plane filter", async () => {
    // 2 T × 3 Z planes: plane k is the test image shifted by k rows (distinct content).
    const planes = Array.from({ length: 6 }, (_, k) => {
      const p = new Uint16Array(W * H);
      p.set(pixels.subarray(k * W), 0);
      return p;
    });
    const source = new MemoryImageSource({ width: W, height: H, planes, sizes: { t: 2, z: 3 } });
    const sink = new MemoryImageSink();
    const r = await predictNode({ ...seg, kind: "regression" }, source, sink, { planes: { t: [1], z: [0, 2] } });
    expect(sink.info?.sizes).toEqual({ scene: 1, t: 1, c: 1, z: 2 });
    expect(r.tiles).toBe(2 * r.tilesPerPlane);
    // Output z=1 is input (t=1, z=2) = plane 5: compare with predicting that plane alone.
    const alone = new MemoryImageSink();
    await predictNode({ ...seg, kind: "regression" }, new MemoryImageSource({ width: W, height: H, planes: [planes[5]!] }), alone, {});
    expect(sink.plane({ z: 1 })).toEqual(alone.plane());
    await expect(predictNode(seg, source, new MemoryImageSink(), { planes: { z: [3] } })).rejects.toThrow(
      /--plane z=: z index 3 is out of range \(allowed: 0\.\.2\)/,
    );
  });
});

describe("pipeline", () => {
  it("batches tiles when the batch dim is dynamic; progress events reach the totals", async () => {
    const calls: number[][] = [];
    const events: PredictProgress[] = [];
    const sink = new MemoryImageSink({ tiles: false });
    const r = await predictNode(seg, image(), sink, {
      createSession: spyFactory(fcn3Bytes, calls),
      batch: 3,
      onProgress: (e) => events.push(e),
    });
    // 100 × 184 with 64² tiles and border 4: 2 rows × 4 columns = 8 tiles → batches 3, 3, 2.
    expect(r.tilesPerPlane).toBe(8);
    expect(calls).toEqual([
      [3, 64, 64, 1],
      [3, 64, 64, 1],
      [2, 64, 64, 1],
    ]);
    expect(r.batches).toBe(3);
    expect(events.map((e) => e.tilesDone)).toEqual([3, 6, 8]);
    expect(events.at(-1)!.megapixelsDone).toBeCloseTo((W * H) / 1e6, 9);
    expect(events.at(-1)!.etaMs).toBe(0);
    // Crop-and-place writes one band per tile row, top to bottom.
    // Y: 100 = centres [0, 50) + [50, 100) (cztile: excess 20 spread, borders 14).
    expect(sink.bands.map(([, y, rows]) => [y, rows])).toEqual([
      [0, 50],
      [50, 50],
    ]);
  });

  it("a sink that takes rectangles gets each tile's centre as it comes, with the same pixels as bands", async () => {
    const bands = new MemoryImageSink({ tiles: false });
    const tiles = new MemoryImageSink();
    for (const output of ["labels", "probabilities"] as const) {
      const b = new MemoryImageSink({ tiles: false });
      const t = new MemoryImageSink();
      await predictNode(seg, image(), b, { batch: 3, output });
      await predictNode(seg, image(), t, { batch: 3, output });
      expect(b.tiles).toEqual([]);
      expect(t.bands).toEqual([]);
      expect(Buffer.from(t.plane().buffer).equals(Buffer.from(b.plane().buffer))).toBe(true);
      if (output === "labels") {
        await predictNode(seg, image(), bands, { batch: 3 });
        await predictNode(seg, image(), tiles, { batch: 3 });
      }
    }
    // 2 tile rows × 4 columns, raster order; centres abut: rows [0, 50) + [50, 100), columns sum to 184.
    expect(tiles.tiles.map(([, , y, , h]) => [y, h])).toEqual([...Array(4).fill([0, 50]), ...Array(4).fill([50, 50])]);
    const xs = tiles.tiles.slice(0, 4).map(([, x, , w]) => [x, w]);
    expect(xs[0]![0]).toBe(0);
    for (let i = 1; i < 4; i++) expect(xs[i]![0]).toBe(xs[i - 1]![0]! + xs[i - 1]![1]!);
    expect(xs[3]![0]! + xs[3]![1]!).toBe(W);
    expect(Buffer.from(tiles.plane().buffer).equals(Buffer.from(bands.plane().buffer))).toBe(true);
  });

  it("uses batch 1 for a model whose batch dim is fixed, and says so", async () => {
    const model: EngineModel = {
      name: "id",
      kind: "regression",
      onnx: await fixtureBytes("identity_rgb.onnx"),
      tile: [16, 16],
      border: [0, 0],
      inputChannels: 3,
      scaleInputs: true,
    };
    const src = new MemoryImageSource({ width: 40, height: 20, planes: [new Uint8Array(40 * 20 * 3)], samplesPerPixel: 3 });
    const r = await predictNode(model, src, new MemoryImageSink(), { batch: 4 });
    expect(r.batchSize).toBe(1);
    expect(r.notes.join()).toMatch(/batch size is fixed to 1; --batch 4 ignored/);
  });

  it("abort: rejects with CANCELLED and aborts the sink (no partial output)", async () => {
    const controller = new AbortController();
    const sink = new MemoryImageSink();
    const err = await predictNode(seg, image(), sink, {
      batch: 1,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CzmodelError);
    expect((err as CzmodelError).code).toBe("CANCELLED");
    expect(sink.aborted).toBe(true);
    expect(sink.finished).toBe(false);
  });

  it("a failing sink aborts every sink and the error comes through", async () => {
    const good = new MemoryImageSink();
    const bad = new MemoryImageSink();
    const failing: ImageSink = {
      begin: (info) => bad.begin(info),
      writeBand: async () => {
        throw new Error("disk full");
      },
      finish: () => bad.finish(),
      abort: () => bad.abort(),
    };
    await expect(predictNode(seg, image(), { labels: good, probabilities: failing }, { output: "both" })).rejects.toThrow("disk full");
    expect(good.aborted).toBe(true);
    expect(bad.aborted).toBe(true);
  });
});

describe("bounded memory", () => {
  it("reads at most one tile per region and writes bands of at most one tile row, whatever the image size", async () => {
    const width = 1500;
    const height = 700;
    const regions: number[] = [];
    const source: ImageSource = {
      info: {
        format: "generated",
        width,
        height,
        scenes: [{ width, height }],
        sizes: { scene: 1, t: 1, c: 1, z: 1 },
        samplesPerPixel: 1,
        sampleOrder: "gray",
        sampleType: "uint8",
      },
      async readRegion(_plane, rect) {
        regions.push(rect.width * rect.height);
        const out = new Uint8Array(rect.width * rect.height);
        for (let y = 0; y < rect.height; y++)
          for (let x = 0; x < rect.width; x++) out[y * rect.width + x] = ((rect.x + x) * 7 + (rect.y + y) * 3) & 255;
        return out;
      },
      async close() {},
    };
    let rows = 0;
    let maxBand = 0;
    const sink: ImageSink = {
      async begin() {},
      async writeBand(_p, _y, n) {
        rows += n;
        maxBand = Math.max(maxBand, n);
      },
      async finish() {},
      async abort() {},
    };
    const r = await predictNode({ ...seg, tile: [128, 128], border: [8, 8] }, source, sink, { batch: 8 });
    expect(rows).toBe(height);
    expect(Math.max(...regions)).toBe(128 * 128);
    expect(regions).toHaveLength(r.tiles);
    expect(maxBand).toBeLessThanOrEqual(128);
  });
});

describe("bad input: clear one-line errors", () => {
  const oneLine = async (p: Promise<unknown>): Promise<string> => {
    const e = await p.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CzmodelError);
    const msg = (e as Error).message;
    expect(msg).not.toContain("\n");
    return msg;
  };

  it("a model whose output is NCHW", async () => {
    const model: EngineModel = {
      name: "nchw_out",
      kind: "segmentation",
      onnx: await fixtureBytes("nchw_out.onnx"),
      tile: [32, 32],
      border: [0, 0],
      inputChannels: 1,
      scaleInputs: true,
    };
    const sink = new MemoryImageSink();
    const msg = await oneLine(predictNode(model, image(), sink, {}));
    expect(msg).toBe(
      "nchw_out: model output 'output' has shape [N, 2, 32, 32]; expected NHWC [N, H, W, K] with the input's spatial size (input [N, 32, 32, 1]); " +
        "the model looks channels-first (NCHW): pack it with --channels-first",
    );
    expect(sink.aborted).toBe(true);
  });

  it("a model whose input is not NHWC with the declared channels", async () => {
    const model: EngineModel = {
      name: "id",
      kind: "regression",
      onnx: await fixtureBytes("identity_rgb.onnx"),
      tile: [16, 16],
      border: [0, 0],
      inputChannels: 1,
      scaleInputs: true,
    };
    expect(await oneLine(predictNode(model, image(), new MemoryImageSink(), {}))).toBe(
      "id: model input 'input' [1, 16, 16, 3] is not NHWC [N, H, W, C] with 1 channel(s) as the metadata says",
    );
  });

  it("image channels the model cannot take", async () => {
    const rgb = new MemoryImageSource({ width: 8, height: 8, planes: [new Uint8Array(8 * 8 * 3)], samplesPerPixel: 3 });
    const msg = await oneLine(predictNode({ ...seg, inputChannels: 2 }, rgb, new MemoryImageSink(), {}));
    expect(msg).toMatch(/^cannot map the image's 3 sample\(s\) per pixel \(rgb\) to the model's 2 input channel\(s\)/);
  });

  it("a tile or border the model cannot use", async () => {
    const fixed: EngineModel = {
      name: "id",
      kind: "regression",
      onnx: await fixtureBytes("identity_rgb.onnx"),
      tile: [16, 16],
      border: [0, 0],
      inputChannels: 3,
      scaleInputs: true,
    };
    expect(await oneLine(predictNode(fixed, image(), new MemoryImageSink(), { tile: [32, 32] }))).toBe(
      "--tile: the model has a fixed input of 16x16; a different tile is not possible (allowed: 16,16)",
    );
    expect(await oneLine(predictNode(seg, image(), new MemoryImageSink(), { border: 32 }))).toBe(
      "--border: border 32 per side is too large for a tile of 64 (allowed: less than half the tile (< 32))",
    );
  });

  it("a thread count of 100000 (which hung session creation) is refused first (issue 12 point 4)", async () => {
    expect(await oneLine(predictNode(seg, image(), new MemoryImageSink(), { threads: 100_000 }))).toBe(
      "--threads: thread count 100000 is not an integer in 1..256",
    );
  });

  it("broken model bytes", async () => {
    const msg = await oneLine(predictNode({ ...seg, onnx: new Uint8Array([1, 2, 3]) }, image(), new MemoryImageSink(), {}));
    expect(msg).toMatch(/^fcn3-seg: onnxruntime cannot load the model: /);
  });
});
