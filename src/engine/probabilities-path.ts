/**
 * The name of the second output of a segmentation run with `output: "both"`: the label file's
 * name with `.probabilities` before its extension. Shared by the file runner and the checks the
 * CLI runs before it (so two outputs of one run never share a path).
 */

/** out.ome.tif → out.probabilities.ome.tif (the second output of `output: "both"`). */
export function probabilitiesPath(out: string): string {
  const m = /(\.ome\.tiff?|\.ome\.zarr|\.[^./\\]+)$/i.exec(out);
  return m ? `${out.slice(0, m.index)}.probabilities${m[1]}` : `${out}.probabilities`;
}
