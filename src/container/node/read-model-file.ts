/**
 * `readModelFile(path)`: read a `.czann` / `.czmodel` / `.czseg` from disk through yauzl.
 * Only the central directory and the needed entries are read; the model payload is streamed
 * once into one buffer of its exact size (a multi-GB model is never held twice) and its
 * CRC-32 verified. Node only.
 */
import { checkEntrySize, zipLimits } from "../limits.js";
import { readModelFromZip, type ModelFile, type ReadModelOptions } from "../model-file.js";
import { openZip } from "./yauzl-zip.js";

export async function readModelFile(path: string, options: ReadModelOptions = {}): Promise<ModelFile> {
  const limits = zipLimits(options.limits);
  const zip = await openZip(path, limits.maxEntries);
  try {
    return await readModelFromZip(
      {
        name: path,
        path,
        entries: zip.entries,
        read: async (entry, maxBytes) => {
          checkEntrySize(entry, maxBytes, limits, path);
          return zip.read(entry, maxBytes);
        },
      },
      options,
    );
  } finally {
    await zip.close();
  }
}
