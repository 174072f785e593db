/**
 * Names of the channels an output file stores (OME Channel names, OME-Zarr omero labels):
 * one per (C plane, output sample), C-major. A sample is named by the output
 * (`labels`, a class name, `ch0`…); with several C planes the input channel it was predicted
 * from is put in front (`DAPI labels`), or `c0`, `c1`… when the input named none. Isomorphic.
 */
import type { OutputImageInfo } from "./types.js";

export function outputChannelNames(info: OutputImageInfo): string[] {
  const names: string[] = [];
  for (let c = 0; c < info.sizes.c; c++) {
    for (let k = 0; k < info.samplesPerPixel; k++) {
      const base = info.channelNames?.[k] ?? (info.kind === "labels" ? "labels" : `ch${k}`);
      const plane = info.planeNames?.[c];
      names.push(plane ? `${plane} ${base}` : info.sizes.c > 1 ? `${base} c${c}` : base);
    }
  }
  return names;
}
