/**
 * Options shared by the commands that open images (`predict`, `image-info`): how the readers
 * treat what they cannot show as planes. `--czi-other-dimensions` is the CZI reader's
 * `otherDimensions` (src/io/czi/czi-image.ts): a B/H/V/R/I … dimension with several indices
 * is refused (`error`, the default) or read at its lowest index only (`first`, with a warning).
 */
import { Option } from "commander";
import type { CziOpenOptions } from "../io/czi/index.js";
import type { OpenImageOptions } from "../io/open.js";

const CZI_OTHER_DIMENSIONS = ["error", "first"] as const;

export interface ImageOpenCliOptions {
  cziOtherDimensions?: NonNullable<CziOpenOptions["otherDimensions"]>;
}

/** `--czi-other-dimensions error|first`. */
export function cziOtherDimensionsOption(): Option {
  return new Option(
    "--czi-other-dimensions <mode>",
    "CZI whose subblocks have several indices of a dimension other than S/T/C/Z/M (B, H, V, R, I …): error = refuse the file (default), first = read only the lowest index; --plane h=0-3 (b, v, r, i) predicts every index instead",
  ).choices(CZI_OTHER_DIMENSIONS);
}

/** The `openImageFile` options the CLI flags ask for. */
export function imageOpenOptionsFrom(o: ImageOpenCliOptions): OpenImageOptions {
  return o.cziOtherDimensions ? { czi: { otherDimensions: o.cziOtherDimensions } } : {};
}
