/**
 * `readModelFileBytes(bytes, name)`: read a `.czann` / `.czmodel` / `.czseg` held in memory
 * (browser `File`, fetched bytes, small files in Node). STORED entries are views into
 * `bytes` (no copy). Isomorphic.
 */
import { internalError } from "../errors.js";
import { checkEntrySize, zipLimits } from "./limits.js";
import { readModelFromZip, type ModelFile, type ReadModelOptions } from "./model-file.js";
import { readZipDirectory, readZipEntryData, type ZipEntryInfo, type ZipEntryRecord } from "./zip-reader.js";

/** Strip the reader-internal fields so `entries` matches the Node reader's. */
function publicInfo(r: ZipEntryRecord): ZipEntryInfo {
  const { flags: _flags, localHeaderOffset: _offset, ...info } = r;
  return info;
}

export async function readModelFileBytes(bytes: Uint8Array, name = "<memory>", options: ReadModelOptions = {}): Promise<ModelFile> {
  const limits = zipLimits(options.limits);
  const records = readZipDirectory(bytes, name, limits.maxEntries);
  const entries = records.map(publicInfo);
  const byInfo = new Map<ZipEntryInfo, ZipEntryRecord>(entries.map((e, i) => [e, records[i] as ZipEntryRecord]));
  return readModelFromZip(
    {
      name,
      entries,
      async read(entry, maxBytes) {
        checkEntrySize(entry, maxBytes, limits, name);
        const rec = byInfo.get(entry);
        if (!rec) throw internalError(`unknown entry ${entry.name}`, { where: name });
        return readZipEntryData(bytes, rec, name);
      },
    },
    options,
  );
}
