/**
 * `readModelFromSource(source)`: read a `.czann` / `.czmodel` / `.czseg` through any
 * `ByteSource` (a browser `File`/`Blob`, a Node file, bytes in memory) with the ranged ZIP
 * reader: only the directory and the entries the model file needs are read, so a large model
 * picked in the browser is never loaded whole before its payload is. Isomorphic.
 */
import type { ByteSource } from "../bytes/byte-source.js";
import { checkEntrySize, zipLimits } from "./limits.js";
import { readModelFromZip, type ModelFile, type ReadModelOptions } from "./model-file.js";
import { ZipArchive, type ZipCodec } from "./zip-reader.js";

export interface ReadModelSourceOptions extends ReadModelOptions {
  /** Inflater and CRC-32 (default: fflate; Node passes `node:zlib`). */
  codec?: ZipCodec;
  /** The file's path, recorded as `ModelFile.path` (Node). */
  path?: string;
}

/** Read a model file from `source`, which is closed when done (also on failure). */
export async function readModelFromSource(source: ByteSource, options: ReadModelSourceOptions = {}): Promise<ModelFile> {
  const limits = zipLimits(options.limits);
  const zip = await ZipArchive.open(source, { maxEntries: limits.maxEntries, ...(options.codec ? { codec: options.codec } : {}) });
  try {
    return await readModelFromZip(
      {
        name: zip.name,
        ...(options.path !== undefined ? { path: options.path } : {}),
        entries: zip.entries,
        read: async (entry, maxBytes) => {
          checkEntrySize(entry, maxBytes, limits, zip.name);
          return zip.read(entry, maxBytes);
        },
      },
      options,
    );
  } finally {
    await zip.close();
  }
}
