/**
 * Node: a ZIP file opened with yauzl (central directory only; entry data streamed on demand,
 * ZIP64 supported). Adds what yauzl lacks: CRC-32 verification of every entry read (yauzl
 * does not check it), a hard size cap while streaming, our own name decoding (raw names, so
 * hostile names reach our zip-slip check instead of a yauzl error), and clear errors for
 * "not a ZIP" vs "truncated". Node only.
 */
import { open as openFile } from "node:fs/promises";
import type { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import yauzl from "yauzl";
import { invalidContainer, ioError, isCzmodelError, unsupported } from "../../errors.js";
import { compressionMethod, verifyCrc, type ZipEntryInfo } from "../zip-reader.js";
import { decodeEntryName } from "../zip-names.js";

export interface OpenedZip {
  name: string;
  entries: ZipEntryInfo[];
  /** Stream an entry's uncompressed bytes; CRC-checked at the end; fails past `maxBytes`. */
  stream(entry: ZipEntryInfo, maxBytes: number, onChunk: (chunk: Buffer) => void | Promise<void>): Promise<void>;
  /** An entry's bytes in one buffer of exactly its size (allocated once). */
  read(entry: ZipEntryInfo, maxBytes: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

async function startsLikeZip(path: string): Promise<boolean> {
  const fh = await openFile(path, "r");
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    return bytesRead === 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4;
  } finally {
    await fh.close();
  }
}

export async function openZip(path: string, maxEntries = 10000): Promise<OpenedZip> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw ioError("file not found", { where: path, cause: e });
    if (code === "EISDIR") throw ioError("is a folder, not a model file", { where: path, cause: e });
    if (code) throw ioError(`cannot read the file (${code})`, { where: path, cause: e });
    const msg = e instanceof Error ? e.message : String(e);
    if (/end of central directory record signature not found/i.test(msg)) {
      if (await startsLikeZip(path)) {
        throw invalidContainer("truncated ZIP archive: the end-of-central-directory record is missing", { where: path, cause: e });
      }
      throw invalidContainer("not a ZIP archive (no end-of-central-directory record); model files (.czann, .czmodel, .czseg) are ZIP archives", {
        where: path,
        cause: e,
      });
    }
    if (/multi-disk/i.test(msg)) throw unsupported("multi-disk (split) ZIP archive", { where: path, allowed: "a single-file ZIP archive", cause: e });
    throw invalidContainer(`corrupt ZIP archive: ${msg}`, { where: path, cause: e });
  }
  const raw = new Map<ZipEntryInfo, yauzl.Entry>();
  const entries: ZipEntryInfo[] = [];
  try {
    if (zip.entryCount > maxEntries) throw invalidContainer(`archive has ${zip.entryCount} entries`, { where: path, allowed: `at most ${maxEntries} entries` });
    await new Promise<void>((resolve, reject) => {
      zip.on("error", (e: Error) => reject(isCzmodelError(e) ? e : invalidContainer(`corrupt ZIP archive: ${e.message}`, { where: path, cause: e })));
      zip.on("end", () => resolve());
      zip.on("entry", (entry: yauzl.Entry) => {
        try {
          const utf8Flag = (entry.generalPurposeBitFlag & 0x0800) !== 0;
          const nameRaw = (entry.fileNameRaw ?? entry.fileName) as unknown as Buffer;
          const name = decodeEntryName(new Uint8Array(nameRaw.buffer, nameRaw.byteOffset, nameRaw.length), utf8Flag, path);
          const at = `${path}: ${name}`;
          if (entry.generalPurposeBitFlag & 0x0001) throw unsupported("entry is encrypted", { where: at, allowed: "unencrypted entries" });
          const info: ZipEntryInfo = {
            name,
            size: entry.uncompressedSize,
            compressedSize: entry.compressedSize,
            method: compressionMethod(entry.compressionMethod, at),
            crc32: entry.crc32 >>> 0,
            utf8Flag,
            externalAttributes: entry.externalFileAttributes >>> 0,
            versionMadeBy: entry.versionMadeBy,
            dosDateTime: { date: entry.lastModFileDate, time: entry.lastModFileTime },
          };
          raw.set(info, entry);
          entries.push(info);
          zip.readEntry();
        } catch (e) {
          reject(e);
        }
      });
      zip.readEntry();
    });
  } catch (e) {
    zip.close();
    throw e;
  }

  const stream = async (entry: ZipEntryInfo, maxBytes: number, onChunk: (chunk: Buffer) => void | Promise<void>) => {
    const at = `${path}: ${entry.name}`;
    const y = raw.get(entry);
    if (!y) throw invalidContainer("internal: entry does not belong to this archive", { where: at });
    if (entry.size > maxBytes) {
      throw invalidContainer(`entry declares ${entry.size} bytes, more than the limit of ${maxBytes} (zip bomb?)`, { where: at, allowed: `at most ${maxBytes} bytes` });
    }
    let rs: Readable;
    try {
      rs = await zip.openReadStreamPromise(y);
    } catch (e) {
      throw invalidContainer(`cannot read entry: ${e instanceof Error ? e.message : String(e)}`, { where: at, cause: e });
    }
    let crc = 0;
    let total = 0;
    try {
      for await (const chunk of rs as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > entry.size || total > maxBytes) {
          throw invalidContainer(`entry inflates to more than its declared ${entry.size} bytes (zip bomb?)`, { where: at });
        }
        crc = crc32(chunk, crc);
        await onChunk(chunk);
      }
    } catch (e) {
      rs.destroy();
      if (isCzmodelError(e)) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      if (/too many bytes/i.test(msg)) throw invalidContainer(`entry inflates to more than its declared ${entry.size} bytes (zip bomb?)`, { where: at, cause: e });
      throw invalidContainer(`corrupt or truncated entry data: ${msg}`, { where: at, cause: e });
    }
    if (total !== entry.size) throw invalidContainer(`entry holds ${total} bytes but declares ${entry.size}`, { where: at });
    verifyCrc(crc, entry, at);
  };

  return {
    name: path,
    entries,
    stream,
    async read(entry, maxBytes) {
      if (entry.size > maxBytes) {
        throw invalidContainer(`entry declares ${entry.size} bytes, more than the limit of ${maxBytes} (zip bomb?)`, {
          where: `${path}: ${entry.name}`,
          allowed: `at most ${maxBytes} bytes`,
        });
      }
      const out = Buffer.allocUnsafe(entry.size);
      let pos = 0;
      await stream(entry, maxBytes, (chunk) => {
        chunk.copy(out, pos);
        pos += chunk.length;
      });
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    },
    async close() {
      zip.close();
    },
  };
}
