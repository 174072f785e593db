/**
 * Optional capabilities that let a caller reading or writing tile after tile reuse its
 * buffers instead of allocating new ones per tile (a long prediction then allocates almost no
 * memory per tile, which keeps the garbage collector out of the way). Each is a method or flag
 * an implementation may add to the plain contract; callers check with the `…Into` / `releases…`
 * helpers and fall back to the plain calls. Isomorphic.
 */
import type { ByteReaderInto, ByteSource } from "../bytes/byte-source.js";
import type { ImageSink, ImageSource, PlaneIndex, Rect, SampleArray } from "./types.js";

/** An `ImageSource` that reads a region into a buffer the caller owns. */
export interface RegionReaderInto {
  /**
   * Like `readRegion`, but writes into `out` (at least `width × height × samplesPerPixel`
   * samples of the source's `sampleType`) and returns the view of `out` that holds the region.
   */
  readRegionInto(plane: PlaneIndex, rect: Rect, out: SampleArray): Promise<SampleArray>;
}

export function readsRegionsInto(source: ImageSource): source is ImageSource & RegionReaderInto {
  return typeof (source as Partial<RegionReaderInto>).readRegionInto === "function";
}

export type { ByteReaderInto } from "../bytes/byte-source.js";

export function readsBytesInto(source: ByteSource): source is ByteSource & ByteReaderInto {
  return typeof (source as Partial<ByteReaderInto>).readInto === "function";
}

/** An `ImageSink` that is done with a band's samples once its `writeBand` promise resolves (it copies or encodes them). */
export interface ReleasesBands {
  readonly releasesBands: true;
}

export function releasesBands(sink: ImageSink): boolean {
  return (sink as Partial<ReleasesBands>).releasesBands === true;
}
