/**
 * Node: write a czmodel-compatible ZIP straight to disk (atomically, via `writeFileAtomic`),
 * with entry data from memory or streamed from a file. A file-backed entry is read twice —
 * once for its CRC-32 (STORED entries carry the CRC in the local header, before the data),
 * once to copy it — and never held in memory whole. `writeCzannFile` / `writeLegacyFile`
 * do this for the two model formats. Node only.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { crc32 as zlibCrc32 } from "node:zlib";
import { ioError } from "../../errors.js";
import { czannZipEntries, legacyZipEntries, type BuildOptions, type CzannInput, type LegacyInput } from "../build.js";
import type { ZipTimestamp } from "../dos-time.js";
import { zipHeaders, type ZipEntryHeader, type ZipEntryInput, type ZipWriteOptions } from "../zip-writer.js";
import { writeFileAtomic, type WriteFileAtomicOptions } from "./write-file-atomic.js";

/** An entry whose data is a file on disk. */
export interface ZipFileEntryInput {
  name: string;
  filePath: string;
  externalAttributes?: number;
  timestamp?: ZipTimestamp;
}

export type NodeZipEntryInput = ZipEntryInput | ZipFileEntryInput;

/** CRC-32 and size of a file, streamed. */
export async function crc32OfFile(path: string): Promise<{ crc32: number; size: number }> {
  let crc = 0;
  let size = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      crc = zlibCrc32(chunk, crc);
      size += chunk.length;
    }
  } catch (e) {
    throw ioError(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? "error"})`, { where: path, cause: e });
  }
  return { crc32: crc >>> 0, size };
}

/** Write a ZIP to `path` atomically; file-backed entries are streamed. */
export async function writeZipFile(
  path: string,
  entries: readonly NodeZipEntryInput[],
  options: ZipWriteOptions = {},
  fileOptions: WriteFileAtomicOptions = {},
): Promise<void> {
  const headers: ZipEntryHeader[] = [];
  for (const e of entries) {
    const common = {
      name: e.name,
      ...(e.externalAttributes !== undefined ? { externalAttributes: e.externalAttributes } : {}),
      ...(e.timestamp !== undefined ? { timestamp: e.timestamp } : {}),
    };
    if ("filePath" in e) {
      const before = await stat(e.filePath).catch((err) => {
        throw ioError("file not found", { where: e.filePath, cause: err });
      });
      const { crc32, size } = await crc32OfFile(e.filePath);
      if (size !== before.size) throw ioError("file changed while it was being read", { where: e.filePath });
      headers.push({ ...common, size, crc32 });
    } else {
      headers.push({ ...common, size: e.data.length, crc32: e.crc32 ?? zlibCrc32(e.data) >>> 0 });
    }
  }
  const layout = zipHeaders(headers, options);
  async function* pieces(): AsyncIterable<Uint8Array> {
    for (const [i, e] of entries.entries()) {
      yield layout.localHeaders[i] as Uint8Array;
      if ("filePath" in e) {
        let n = 0;
        for await (const chunk of createReadStream(e.filePath, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
          n += chunk.length;
          yield chunk;
        }
        if (n !== headers[i]?.size) throw ioError("file changed while it was being written into the archive", { where: e.filePath });
      } else {
        yield e.data;
      }
    }
    yield layout.tail;
  }
  await writeFileAtomic(path, pieces(), fileOptions);
}

type ModelSource = Uint8Array | { filePath: string };

function withModel(entries: ZipEntryInput[], modelIndex: number, model: ModelSource): NodeZipEntryInput[] {
  if (model instanceof Uint8Array) return entries;
  return entries.map((e, i) => (i === modelIndex ? { name: e.name, filePath: model.filePath } : e));
}

/** Write a `.czann` to `path` (model bytes in memory or streamed from a file). */
export async function writeCzannFile(
  path: string,
  input: Omit<CzannInput, "model"> & { model: ModelSource },
  options: BuildOptions = {},
  fileOptions: WriteFileAtomicOptions = {},
): Promise<void> {
  const placeholder = input.model instanceof Uint8Array ? input.model : new Uint8Array(0);
  const entries = czannZipEntries({ ...input, model: placeholder });
  await writeZipFile(path, withModel(entries, 1, input.model), options, fileOptions);
}

/** Write a legacy `.czmodel` to `path` (model bytes in memory or streamed from a file). */
export async function writeLegacyFile(
  path: string,
  input: Omit<LegacyInput, "model"> & { model: ModelSource },
  options: BuildOptions = {},
  fileOptions: WriteFileAtomicOptions = {},
): Promise<void> {
  const placeholder = input.model instanceof Uint8Array ? input.model : new Uint8Array(0);
  const entries = legacyZipEntries({ ...input, model: placeholder });
  await writeZipFile(path, withModel(entries, 1, input.model), options, fileOptions);
}

/** czmodel's host byte on this machine: 0x00 on Windows, 0x03 elsewhere. */
export function defaultHostByte(): 0x00 | 0x03 {
  return process.platform === "win32" ? 0x00 : 0x03;
}
