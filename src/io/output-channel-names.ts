/**
 * Names of the channels an output file stores (OME Channel names, OME-Zarr omero labels):
 * one per (C plane, output sample), C-major. A sample is named by the output
 * (`labels`, a class name, `ch0`…); with several C planes the input channel it was predicted
 * from is put in front (`DAPI labels`), or `c0`, `c1`… when the input named none. A converted
 * image (`kind` "image") keeps the input's channel names as they are (`DAPI`; `DAPI R` … for
 * colour), `c0`, `c1`… when it had none. Their display colours, in the same order: a
 * probability channel's class colour, a converted grey image's input channel colour. Isomorphic.
 */
import type { OutputImageInfo, RgbColor } from "./types.js";

export function outputChannelNames(info: OutputImageInfo): string[] {
  if (info.kind === "image") return imageChannelNames(info);
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

function imageChannelNames(info: OutputImageInfo): string[] {
  const names: string[] = [];
  for (let c = 0; c < info.sizes.c; c++) {
    const plane = info.planeNames?.[c] ?? `c${c}`;
    for (let k = 0; k < info.samplesPerPixel; k++) {
      const sample = info.channelNames?.[k];
      names.push(sample ? `${plane} ${sample}` : info.samplesPerPixel > 1 ? `${plane} s${k}` : plane);
    }
  }
  return names;
}

/** Display colour of each channel `outputChannelNames` names (undefined: none known). */
export function outputChannelColors(info: OutputImageInfo): (RgbColor | undefined)[] {
  const K = info.samplesPerPixel;
  const classes = info.kind === "probabilities" && info.classes?.length === K ? info.classes : undefined;
  const colors: (RgbColor | undefined)[] = [];
  for (let c = 0; c < info.sizes.c; c++)
    for (let k = 0; k < K; k++) {
      if (classes) colors.push(classes[k]!.color);
      else colors.push(info.kind === "image" && K === 1 ? (info.planeColors?.[c] ?? undefined) : undefined);
    }
  return colors;
}
