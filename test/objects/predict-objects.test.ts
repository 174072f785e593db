/**
 * Objects in the prediction's own pass (`PredictOptions.objects`, `src/objects/predict-tee.ts`)
 * with the real nuclei model into memory sinks: the objects (every measurement, outlines,
 * confidence) equal `objectsFromImage` run afterwards on the labels, probabilities and input the
 * run produced, whether the sink takes tiles or only bands, with blending, and with filters,
 * 4-connectivity and filled holes, with the confidence column or without; ids recorded in the pass write the same instance image.
 * Refusals: no label output, a regression model, filled holes with confidence.
 */
import { describe, expect, it } from "vitest";
import { predictNode } from "../../src/engine/node/index.js";
import type { PredictOptions } from "../../src/engine/types.js";
import {
  IdTrace,
  MemoryImageSink,
  MemoryImageSource,
  objectsFromImage,
  writeInstances,
  type MeasuredObject,
  type ObjectOptions,
} from "../../src/browser.js";
import type { ImageSource } from "../../src/io/types.js";
import { testdata } from "../helpers/paths.js";
import { nucleiEngineModel, pngSource } from "../engine/helpers.js";

/** A memory image of what a sink received (K interleaved samples → K C planes). */
function sourceOf(sink: MemoryImageSink): MemoryImageSource {
  const info = sink.info!;
  const data = sink.plane();
  const k = info.samplesPerPixel;
  const planes = Array.from({ length: k }, (_, c) => {
    if (k === 1) return data;
    const out = new Float32Array(info.width * info.height);
    for (let i = 0; i < out.length; i++) out[i] = data[i * k + c]!;
    return out;
  });
  return new MemoryImageSource({ width: info.width, height: info.height, sizes: { c: k }, planes });
}

const CASES: { name: string; tiles: boolean; run: Partial<PredictOptions>; objects: ObjectOptions; confidence: boolean }[] = [
  { name: "tiles, both outputs", tiles: true, run: {}, objects: { outlines: true }, confidence: true },
  { name: "bands only (as PNG)", tiles: false, run: {}, objects: { outlines: true, classes: [1, 2] }, confidence: true },
  { name: "blended bands", tiles: false, run: { blend: "linear" }, objects: { outlines: true }, confidence: true },
  { name: "blended bands, labels only", tiles: false, run: { blend: "linear" }, objects: { outlines: true }, confidence: false },
  {
    name: "filters, 4-connectivity, filled holes",
    tiles: true,
    run: { blend: "gaussian", minConfidence: 0.7 },
    objects: { connectivity: 4, minArea: 30, excludeBorder: true, fillHoles: true, outlines: true },
    confidence: false,
  },
];

describe("objects in the prediction's pass", () => {
  for (const c of CASES) {
    it(`${c.name}: the same objects as measuring the outputs afterwards, and the same instance image`, async () => {
      const model = await nucleiEngineModel();
      const input = await pngSource(testdata("images", "nuclei_0000.png"));
      const labelsSink = new MemoryImageSink({ tiles: c.tiles });
      const probabilitiesSink = new MemoryImageSink({ tiles: c.tiles });
      const got: MeasuredObject[] = [];
      const layouts: unknown[] = [];
      const trace = new IdTrace();
      // the intensity columns come from the rows the tiles read: no full-width second read
      const readWidths: number[] = [];
      const recorded: ImageSource = {
        info: input.info,
        readRegion: (plane, rect) => {
          readWidths.push(rect.width);
          return input.readRegion(plane, rect);
        },
        close: () => input.close(),
      };
      const result = await predictNode(
        model,
        recorded,
        c.confidence ? { labels: labelsSink, probabilities: probabilitiesSink } : labelsSink,
        {
          ...c.run,
          worker: false,
          output: c.confidence ? "both" : "labels",
          objects: {
            ...c.objects,
            onObject: (o) => got.push(o),
            onBegin: (layout) => layouts.push(layout),
            ...(c.confidence ? { confidence: {} } : {}),
            trace,
          },
        },
      );
      const labels = sourceOf(labelsSink);
      const want: MeasuredObject[] = [];
      const refTrace = new IdTrace();
      const summary = await objectsFromImage(
        labels,
        input,
        { ...c.objects, trace: refTrace, ...(c.confidence ? { probabilities: { source: sourceOf(probabilitiesSink) } } : {}) },
        (o) => want.push(o),
      );
      expect(got.length).toBeGreaterThan(300);
      expect(readWidths.length).toBeGreaterThan(1);
      expect(Math.max(...readWidths)).toBeLessThan(input.info.width);
      // (strings: a deep comparison of hundreds of outlines is slow)
      expect(JSON.stringify(got)).toBe(JSON.stringify(want));
      expect(result.objects).toEqual(summary);
      expect(layouts).toEqual([{ channels: 1, hasAreaUm2: false, hasConfidence: c.confidence }]);
      if (c.confidence) expect(got.every((o) => o.confidence! > 0.5 && o.confidence! <= 1)).toBe(true);
      const instances = new MemoryImageSink();
      const refInstances = new MemoryImageSink();
      await writeInstances(labels, c.objects, trace, instances);
      await writeInstances(labels, c.objects, refTrace, refInstances);
      await instances.finish();
      await refInstances.finish();
      const bytes = (s: MemoryImageSink) => Buffer.from(s.plane().buffer);
      expect(bytes(instances).equals(bytes(refInstances))).toBe(true);
      expect(Math.max(...new Set(instances.plane()))).toBe(summary.objects);
    });
  }

  it("refuses objects without a label output, of a regression model, and filled holes with confidence", async () => {
    const model = await nucleiEngineModel();
    const input = await pngSource(testdata("images", "nuclei_0000.png"));
    const objects = { onObject: () => undefined };
    const sink = new MemoryImageSink();
    await expect(predictNode(model, input, sink, { worker: false, output: "probabilities", objects })).rejects.toThrow(/label output/);
    await expect(
      predictNode({ ...model, kind: "regression", classes: [] }, input, sink, { worker: false, objects: { ...objects } }),
    ).rejects.toThrow(/segmentation model; this is a regression model/);
    const pair = { labels: new MemoryImageSink(), probabilities: new MemoryImageSink() };
    await expect(
      predictNode(model, input, pair, { worker: false, output: "both", objects: { ...objects, fillHoles: true, confidence: {} } }),
    ).rejects.toThrow(/filled holes/);
    await expect(predictNode(model, input, sink, { worker: false, objects: { ...objects, confidence: {} } })).rejects.toThrow(
      /probabilities output/,
    );
    expect([sink.info, pair.labels.info]).toEqual([undefined, undefined]);
  });
});
