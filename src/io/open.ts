/**
 * Opens any supported image as an `ImageSource`, choosing the reader by content, never by
 * file name: PNG signature, TIFF `II*\0` / `MM\0*` (BigTIFF `II+\0` / `MM\0+`), CZI
 * `ZISRAWFILE`, XML (`<?xml`, `<OME`: a multi-file OME-TIFF's companion `.ome` metadata file),
 * and for folders/stores an OME-Zarr group (`.zattrs`/`.zgroup` or `zarr.json`).
 * Isomorphic; the Node entry that takes a path is `src/io/node/open-file.ts`.
 */
import type { Readable } from "@zarrita/storage";
import { invalidImage, unsupported } from "../errors.js";
import type { ByteSource } from "../bytes/byte-source.js";
import { openCzi, type CziOpenOptions } from "./czi/index.js";
import { selectedExtraDimensions, type ExtraSelection } from "./extra-dimensions.js";
import { openPng } from "./png/png-source.js";
import { openOmeCompanion, openTiff, type TiffOpenOptions } from "./tiff/tiff-source.js";
import { checkImageInfo } from "./limits.js";
import type { ImageSource } from "./types.js";
import { openOmeZarr } from "./zarr/zarr-source.js";
import { bytesToHex } from "../bytes/hex.js";

export type DetectedFormat = "png" | "tiff" | "czi" | "ome-xml" | "unknown";

/** A Zarr store (any zarrita `Readable`) with a name for messages. */
interface ZarrInput {
  store: Readable;
  name: string;
}

export type ImageInput = ByteSource | ZarrInput;

export interface OpenImageOptions {
  tiff?: TiffOpenOptions;
  /** CZI reader options, e.g. `{ otherDimensions: "first" }` for files with several B/H/V/… indices. */
  czi?: CziOpenOptions;
}

/** `options` with the CZI reader told to loop the extra dimensions that a plane selection names (`--plane h=0-3`). */
export function openOptionsForPlanes(options: OpenImageOptions | undefined, planes: ExtraSelection | undefined): OpenImageOptions {
  const dims = selectedExtraDimensions(planes);
  if (dims.length === 0) return options ?? {};
  return { ...options, czi: { ...options?.czi, planeDimensions: dims } };
}

export const SUPPORTED_INPUTS = "PNG, TIFF / BigTIFF / OME-TIFF, CZI, OME-Zarr folder (Zarr v2 or v3)";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CZI_MAGIC = "ZISRAWFILE";

/** Recognise a format from the first bytes of a file (16 are enough). */
export function detectFormat(head: Uint8Array): DetectedFormat {
  const starts = (bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(PNG_SIGNATURE)) return "png";
  if (starts([0x49, 0x49, 42, 0]) || starts([0x4d, 0x4d, 0, 42]) || starts([0x49, 0x49, 43, 0]) || starts([0x4d, 0x4d, 0, 43]))
    return "tiff";
  if (starts([...CZI_MAGIC].map((c) => c.charCodeAt(0)))) return "czi";
  // an OME-XML companion metadata file (`*.companion.ome`) of a multi-file OME-TIFF
  const text = new TextDecoder()
    .decode(head)
    .replace(/^\uFEFF/, "")
    .trimStart();
  if (text.startsWith("<?xml") || text.startsWith("<OME")) return "ome-xml";
  return "unknown";
}

function isZarrInput(input: ImageInput): input is ZarrInput {
  return "store" in input && typeof (input as ZarrInput).store?.get === "function";
}

function openByFormat(source: ByteSource, format: DetectedFormat, head: Uint8Array, options: OpenImageOptions): Promise<ImageSource> {
  switch (format) {
    case "png":
      return openPng(source);
    case "tiff":
      return openTiff(source, options.tiff);
    case "czi":
      return openCzi(source, options.czi);
    case "ome-xml":
      return openOmeCompanion(source, options.tiff);
    case "unknown": {
      const hex = bytesToHex(head.subarray(0, 8), " ");
      throw unsupported(`not a recognised image format (starts with bytes ${hex})`, { where: source.name, allowed: SUPPORTED_INPUTS });
    }
  }
}

/** Open an image from a byte source (file, Blob, memory) or a Zarr store. */
export async function openImageSource(input: ImageInput, options: OpenImageOptions = {}): Promise<ImageSource> {
  if (isZarrInput(input)) return openOmeZarr(input.store, input.name);
  const source = input;
  try {
    if (source.size === 0) throw invalidImage("file is empty", { where: source.name });
    const head = await source.read(0, Math.min(16, source.size));
    const image = await openByFormat(source, detectFormat(head), head, options);
    checkImageInfo(image.info, source.name);
    return image;
  } catch (e) {
    await source.close().catch(() => undefined);
    throw e;
  }
}
