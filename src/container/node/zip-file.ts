/**
 * Node: a ZIP file on disk opened with the ranged ZIP reader (`../zip-reader.ts`) over a
 * `FileByteSource`, inflating with `node:zlib` and checking CRC-32 with `zlib.crc32`. Only
 * the central directory and the entries asked for are read; ZIP64 is supported. Node only.
 */
import { crc32 } from "node:zlib";
import { FileByteSource } from "../../bytes/node/file-byte-source.js";
import { zlibInflateRaw } from "../../bytes/node/inflate.js";
import { ioError, isCzmodelError } from "../../errors.js";
import { ZipArchive, type ZipCodec } from "../zip-reader.js";

/** `node:zlib` inflation and CRC-32 (identical results to the isomorphic ones, faster). */
export const NODE_ZIP_CODEC: ZipCodec = Object.freeze({
  inflateRaw: zlibInflateRaw,
  crc32: (bytes: Uint8Array, previous: number) => crc32(bytes, previous),
});

/** Open `path` as a byte source, with the model readers' wording for files that cannot be opened. */
export async function openZipSource(path: string): Promise<FileByteSource> {
  try {
    return await FileByteSource.open(path);
  } catch (e) {
    const code = ((e as { cause?: NodeJS.ErrnoException }).cause ?? (e as NodeJS.ErrnoException)).code;
    if (code === "ENOENT") throw ioError("file not found", { where: path, cause: e });
    if (code === "EISDIR" || (isCzmodelError(e) && e.problem === "is a folder, not a file"))
      throw ioError("is a folder, not a model file", { where: path, cause: e });
    if (isCzmodelError(e) && e.cause === undefined) throw e; // already worded (a device or a FIFO)
    if (code) throw ioError(`cannot read the file (${code})`, { where: path, cause: e });
    throw e;
  }
}

/** Open the ZIP archive at `path` (close it when done). */
export async function openZip(path: string, maxEntries = 10000): Promise<ZipArchive> {
  return ZipArchive.open(await openZipSource(path), { maxEntries, codec: NODE_ZIP_CODEC });
}
