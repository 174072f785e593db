/**
 * Node entry for reading images: `openImageFile(path)` opens a file (PNG, TIFF, CZI; detected
 * by content) through a `FileByteSource`, or a folder that is an OME-Zarr store (it holds
 * `.zattrs`, `.zgroup` or `zarr.json`) through a store of `FileByteSource`s. TIFF deflate tiles
 * are inflated with `node:zlib`; CZI JPEG-XR subblocks are decoded in a worker thread. The other
 * files of a multi-file OME-TIFF are opened from the input's folder only (`siblingOpener`).
 */
import { stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { invalidMetadata, ioError, unsupported } from "../../errors.js";
import { openImageSource, SUPPORTED_INPUTS, type OpenImageOptions } from "../open.js";
import type { OpenSibling } from "../tiff/ome-files.js";
import type { ImageSource } from "../types.js";
import { openOmeZarrFolder } from "../zarr/node/open-folder.js";
import { FileByteSource } from "../../bytes/node/file-byte-source.js";
import { nodeInflate } from "./zlib-compressor.js";
import { decodeJxrInWorker } from "../czi/node/jxr-thread.js";

const ZARR_MARKERS = [".zattrs", ".zgroup", "zarr.json"];

export async function openImageFile(path: string, options: OpenImageOptions = {}): Promise<ImageSource> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw ioError(code === "ENOENT" ? "file not found" : `cannot open (${code ?? String(e)})`, { where: path, cause: e });
  }
  if (isDir) {
    for (const marker of ZARR_MARKERS) {
      if (
        await stat(join(path, marker)).then(
          () => true,
          () => false,
        )
      )
        return openOmeZarrFolder(path);
    }
    throw unsupported("folder is not a Zarr store (no .zattrs, .zgroup or zarr.json)", { where: path, allowed: SUPPORTED_INPUTS });
  }
  const tiff = { inflate: nodeInflate, siblings: siblingOpener(path), ...options.tiff };
  const czi = { decodeJxr: decodeJxrInWorker, ...options.czi };
  return openImageSource(await FileByteSource.open(path), { ...options, tiff, czi });
}

/** Opens the files of a multi-file OME-TIFF beside `path`: a plain name in its folder, never elsewhere. */
function siblingOpener(path: string): OpenSibling {
  const folder = dirname(path);
  const inFolder = (name: string): string => {
    if (basename(name) !== name || name === ".." || name === ".")
      throw invalidMetadata(`OME-XML names the file "${name}", which is not a plain file name`, { where: path });
    return join(folder, name);
  };
  const exists = (name: string) =>
    stat(inFolder(name)).then(
      () => true,
      (e: NodeJS.ErrnoException) => e.code !== "ENOENT",
    );
  return {
    exists,
    open: async (name) => ((await exists(name)) ? FileByteSource.open(inFolder(name)) : null),
  };
}
