/**
 * The instance image: every pixel of an object holds the object's id (uint32, 0 elsewhere and
 * for filtered objects). A streaming first pass cannot know an id when it passes a row (a U
 * closes rows later, an earlier-starting object may still be open), so the first pass records
 * which object states merged and which ids they got (`IdTrace`), and this second pass reads the
 * labels again, repeats the same unions row by row, and writes each run with its final id.
 */
import { type ImageSink, type ImageSource, planeIndices } from "../io/types.js";
import { type IdTrace, ObjectLabeler } from "./labeler.js";
import type { ObjectOptions } from "./types.js";

/** Begin `sink` and write the instance image into it; the caller then calls `sink.finish()` (or `abort()`). */
export async function writeInstances(
  labels: ImageSource,
  options: ObjectOptions & { bandRows?: number },
  trace: IdTrace,
  sink: ImageSink,
): Promise<void> {
  const { width, height, physicalSize } = labels.info;
  const sizes = { scene: 1, t: 1, c: 1, z: 1 };
  await sink.begin({
    width,
    height,
    sizes,
    samplesPerPixel: 1,
    sampleType: "uint32",
    kind: "labels",
    ...(physicalSize ? { physicalSize } : {}),
  });
  const plane = planeIndices(sizes).next().value!;
  const bandRows = Math.max(1, Math.floor(options.bandRows ?? 256));
  let band = new Uint32Array(0);
  let bandY = 0;
  const onRow = (y: number, runs: ArrayLike<number>, keys: readonly number[]) => {
    const offset = (y - bandY) * width;
    for (let i = 0; i < runs.length; i += 2) band.fill(trace.finalId(keys[i / 2]!), offset + runs[i]!, offset + runs[i + 1]! + 1);
  };
  const labeler = new ObjectLabeler(width, height, { ...options, outlines: false }, 0, () => undefined, { onRow });
  for (let y = 0; y < height; y += bandRows) {
    const rows = Math.min(bandRows, height - y);
    band = new Uint32Array(rows * width);
    bandY = y;
    labeler.addBand(await labels.readRegion(plane, { x: 0, y, width, height: rows }), rows);
    await sink.writeBand(plane, y, rows, band);
  }
  labeler.finish();
}
