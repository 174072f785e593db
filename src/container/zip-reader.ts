/**
 * ZIP reading by range, for model files and any other archive (zipped SavedModels,
 * bioimage.io packages, `unpack`). `ZipArchive.open(source)` reads through a `ByteSource`
 * only what it needs: the end-of-central-directory record (and the ZIP64 records when
 * present), the central directory, then for each entry read its local header and its data,
 * so a multi-GB model opens from a browser `File` or a Node file without being loaded whole.
 * STORED data comes back as read (a view for an in-memory source); DEFLATE data is inflated
 * by an injectable streaming inflater (fflate by default, `node:zlib` in Node) that is
 * stopped as soon as an entry inflates past its declared size (zip bomb), and the CRC-32 of
 * everything returned is verified. Names are decoded here (raw), so hostile names reach the
 * zip-slip checks. The synchronous `readZipDirectory` / `readZipEntryData` run the same
 * parsing on bytes already in memory. Size limits are the caller's job (`limits.ts`).
 * Isomorphic.
 */
import { checkRange, type ByteSource } from "../bytes/byte-source.js";
import { fflateInflateRaw, type InflateRaw } from "../bytes/inflate.js";
import { Inflate } from "fflate";
import { invalidContainer, isCzmodelError, unsupported } from "../errors.js";
import { crc32 } from "./crc32.js";
import type { DosDateTime } from "./dos-time.js";
import { decodeEntryName } from "./zip-names.js";

/** What a reader reports about one entry (from the central directory). */
export interface ZipEntryInfo {
  /** Name as stored (decoded; backslashes kept). */
  name: string;
  /** Uncompressed size. */
  size: number;
  compressedSize: number;
  method: "stored" | "deflate";
  crc32: number;
  /** General-purpose flag bit 11 (name is UTF-8). */
  utf8Flag: boolean;
  externalAttributes: number;
  /** Central directory "version made by" (high byte = host: 0 Windows, 3 Unix). */
  versionMadeBy: number;
  dosDateTime: DosDateTime;
}

/** A central-directory record with what is needed to find its data. */
export interface ZipEntryRecord extends ZipEntryInfo {
  flags: number;
  localHeaderOffset: number;
}

/** How entry data is inflated and checked; `DEFAULT_ZIP_CODEC` works everywhere. */
export interface ZipCodec {
  inflateRaw: InflateRaw;
  /** CRC-32 of `bytes` continuing from `previous`. */
  crc32(bytes: Uint8Array, previous: number): number;
}

const DEFAULT_ZIP_CODEC: ZipCodec = Object.freeze({ inflateRaw: fflateInflateRaw, crc32 });

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const LOCATOR_SIZE = 20;
const EOCD64_SIZE = 56;
const LOCAL_SIZE = 30;
const CENTRAL_SIZE = 46;
/** Entry data is read (and fed to the inflater) in ranges of this size. */
const READ_STEP = 1 << 20;

/** One range the parser needs next. */
interface ByteRange {
  offset: number;
  length: number;
}

/**
 * Parsing steps: a generator yields the ranges it needs (always inside the file: every range
 * is checked before it is asked for) and receives their bytes, so the same code runs on a
 * `ByteSource` (async) and on bytes in memory (sync).
 */
type Steps<T> = Generator<ByteRange, T, Uint8Array>;

function runSync<T>(steps: Steps<T>, bytes: Uint8Array): T {
  let step = steps.next();
  while (!step.done) step = steps.next(bytes.subarray(step.value.offset, step.value.offset + step.value.length));
  return step.value;
}

async function runAsync<T>(steps: Steps<T>, source: ByteSource): Promise<T> {
  let step = steps.next();
  while (!step.done) step = steps.next(await source.read(step.value.offset, step.value.length));
  return step.value;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** A little-endian 64-bit unsigned value, refused beyond 2^53. */
function u64(dv: DataView, at: number, where: string): number {
  const value = dv.getUint32(at + 4, true) * 2 ** 32 + dv.getUint32(at, true);
  if (!Number.isSafeInteger(value)) throw invalidContainer("corrupt ZIP archive: a ZIP64 size or offset is out of range", { where });
  return value;
}

function isZipStart(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6)
  );
}

const multiDisk = (where: string) => unsupported("multi-disk (split) ZIP archive", { where, allowed: "a single-file ZIP archive" });

/** Map a numeric compression method; other methods are refused. */
function compressionMethod(code: number, where: string): "stored" | "deflate" {
  if (code === 0) return "stored";
  if (code === 8) return "deflate";
  throw unsupported(`compression method ${code} is not supported`, { where, allowed: "0 (stored) or 8 (deflate)" });
}

/** Find the end of central directory (and ZIP64 records), then parse the central directory. */
function* directorySteps(size: number, fileName: string, maxEntries: number): Steps<ZipEntryRecord[]> {
  const tailLength = Math.min(size, EOCD_SIZE + 0xffff);
  const tailStart = size - tailLength;
  const tail = yield { offset: tailStart, length: tailLength };
  const dv = view(tail);
  let at = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (dv.getUint32(i, true) === SIG_EOCD && i + EOCD_SIZE + dv.getUint16(i + 20, true) <= tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    const head = size >= 4 ? yield { offset: 0, length: 4 } : new Uint8Array(0);
    if (isZipStart(head)) {
      throw invalidContainer("truncated ZIP archive: the end-of-central-directory record is missing", { where: fileName });
    }
    throw invalidContainer(
      "not a ZIP archive (no end-of-central-directory record); model files (.czann, .czmodel, .czseg) are ZIP archives",
      {
        where: fileName,
      },
    );
  }
  const eocd = tailStart + at;
  let count = dv.getUint16(at + 10, true);
  let cdSize = dv.getUint32(at + 12, true);
  let cdOffset = dv.getUint32(at + 16, true);
  let cdLimit = eocd;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locatorAt = eocd - LOCATOR_SIZE;
    const locator = locatorAt >= 0 ? view(yield { offset: locatorAt, length: LOCATOR_SIZE }) : undefined;
    if (!locator || locator.getUint32(0, true) !== SIG_EOCD64_LOCATOR) {
      throw invalidContainer("corrupt ZIP archive: the ZIP64 end-of-central-directory locator is missing", { where: fileName });
    }
    if (locator.getUint32(4, true) !== 0 || locator.getUint32(16, true) > 1) throw multiDisk(fileName);
    const recordAt = u64(locator, 8, fileName);
    if (recordAt + EOCD64_SIZE > locatorAt) {
      throw invalidContainer("truncated or corrupt ZIP archive: the ZIP64 end-of-central-directory record lies outside the file", {
        where: fileName,
      });
    }
    const record = view(yield { offset: recordAt, length: EOCD64_SIZE });
    if (record.getUint32(0, true) !== SIG_EOCD64) {
      throw invalidContainer("corrupt ZIP archive: bad ZIP64 end-of-central-directory signature", { where: fileName });
    }
    if (record.getUint32(16, true) !== 0 || record.getUint32(20, true) !== 0) throw multiDisk(fileName);
    count = u64(record, 32, fileName);
    cdSize = u64(record, 40, fileName);
    cdOffset = u64(record, 48, fileName);
    cdLimit = recordAt;
  } else if (dv.getUint16(at + 4, true) !== 0 || dv.getUint16(at + 6, true) !== 0) {
    throw multiDisk(fileName);
  }
  if (count > maxEntries)
    throw invalidContainer(`archive has ${count} entries`, { where: fileName, allowed: `at most ${maxEntries} entries` });
  if (cdOffset + cdSize > cdLimit) {
    throw invalidContainer(`truncated or corrupt ZIP archive: the central directory (${cdOffset}+${cdSize}) lies outside the file`, {
      where: fileName,
    });
  }
  const cd = yield { offset: cdOffset, length: cdSize };
  const entries = parseCentralDirectory(cd, count, fileName);
  checkNoOverlap(entries, cdOffset, fileName);
  return entries;
}

/**
 * Throws INVALID_CONTAINER when two central records share or overlap one local entry, or an
 * entry reaches into the central directory: each local entry takes at least its 30-byte
 * header and its compressed data. So 3000 records pointing at one 1 MB entry cannot expand a
 * small file to gigabytes.
 */
function checkNoOverlap(entries: ZipEntryRecord[], cdOffset: number, fileName: string): void {
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  sorted.forEach((e, i) => {
    const end = e.localHeaderOffset + LOCAL_SIZE + e.compressedSize;
    const next = sorted[i + 1];
    const limit = next ? next.localHeaderOffset : cdOffset;
    if (end > limit) {
      const other = next ? `entry ${JSON.stringify(next.name)}` : "the central directory";
      throw invalidContainer(
        `corrupt ZIP archive: entry ${JSON.stringify(e.name)} overlaps ${other} (shared or overlapping local entries)`,
        {
          where: fileName,
        },
      );
    }
  });
}

/** The ZIP64 extended-information extra field (0x0001) of one record, if any. */
function zip64Extra(extra: Uint8Array): DataView | undefined {
  const dv = view(extra);
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = dv.getUint16(p, true);
    const len = dv.getUint16(p + 2, true);
    if (id === 0x0001) return view(extra.subarray(p + 4, Math.min(extra.length, p + 4 + len)));
    p += 4 + len;
  }
  return undefined;
}

function parseCentralDirectory(cd: Uint8Array, count: number, fileName: string): ZipEntryRecord[] {
  const dv = view(cd);
  const entries: ZipEntryRecord[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_SIZE > cd.length || dv.getUint32(p, true) !== SIG_CENTRAL) {
      throw invalidContainer(`corrupt ZIP archive: central directory record ${i + 1} of ${count} is broken`, { where: fileName });
    }
    const flags = dv.getUint16(p + 8, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    if (p + CENTRAL_SIZE + nameLen + extraLen + commentLen > cd.length) {
      throw invalidContainer(`corrupt ZIP archive: central directory record ${i + 1} of ${count} runs past the directory`, {
        where: fileName,
      });
    }
    const utf8Flag = (flags & 0x0800) !== 0;
    const nameStart = p + CENTRAL_SIZE;
    const name = decodeEntryName(cd.subarray(nameStart, nameStart + nameLen), utf8Flag, fileName);
    const at = `${fileName}: ${name}`;
    if (flags & 0x0001) throw unsupported("entry is encrypted", { where: at, allowed: "unencrypted entries" });
    let size = dv.getUint32(p + 24, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let localHeaderOffset = dv.getUint32(p + 42, true);
    if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      const z = zip64Extra(cd.subarray(nameStart + nameLen, nameStart + nameLen + extraLen));
      let q = 0;
      const next = () => {
        if (!z || q + 8 > z.byteLength)
          throw invalidContainer("corrupt ZIP archive: the ZIP64 extra field is missing or short", { where: at });
        const v = u64(z, q, at);
        q += 8;
        return v;
      };
      if (size === 0xffffffff) size = next();
      if (compressedSize === 0xffffffff) compressedSize = next();
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
    }
    const rec: ZipEntryRecord = {
      name,
      size,
      compressedSize,
      method: compressionMethod(dv.getUint16(p + 10, true), at),
      crc32: dv.getUint32(p + 16, true),
      utf8Flag,
      externalAttributes: dv.getUint32(p + 38, true),
      versionMadeBy: dv.getUint16(p + 4, true),
      dosDateTime: { date: dv.getUint16(p + 14, true), time: dv.getUint16(p + 12, true) },
      flags,
      localHeaderOffset,
    };
    if (rec.method === "stored" && rec.size !== rec.compressedSize) {
      throw invalidContainer(`corrupt ZIP entry: stored with size ${rec.size} but compressed size ${rec.compressedSize}`, { where: at });
    }
    entries.push(rec);
    p += CENTRAL_SIZE + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Offset of an entry's data, after checking its local header. */
function* dataOffsetSteps(size: number, e: ZipEntryRecord, where: string): Steps<number> {
  const o = e.localHeaderOffset;
  if (o + LOCAL_SIZE > size) throw invalidContainer("truncated ZIP archive: local header lies outside the file", { where });
  const dv = view(yield { offset: o, length: LOCAL_SIZE });
  if (dv.getUint32(0, true) !== SIG_LOCAL) throw invalidContainer("corrupt ZIP archive: bad local header signature", { where });
  const start = o + LOCAL_SIZE + dv.getUint16(26, true) + dv.getUint16(28, true);
  if (start + e.compressedSize > size) {
    throw invalidContainer(`truncated ZIP archive: entry data (${e.compressedSize} bytes at ${start}) runs past the end of the file`, {
      where,
    });
  }
  return start;
}

/** Parse the central directory of an in-memory ZIP; `fileName` names the archive in errors. */
export function readZipDirectory(bytes: Uint8Array, fileName: string, maxEntries = 10000): ZipEntryRecord[] {
  return runSync(directorySteps(bytes.length, fileName, maxEntries), bytes);
}

const overflow = (size: number, where: string) =>
  invalidContainer(`entry inflates to more than its declared ${size} bytes (zip bomb?)`, { where });
const corruptDeflate = (e: unknown, where: string) =>
  invalidContainer(`corrupt DEFLATE data: ${e instanceof Error ? e.message : String(e)}`, { where, cause: e });
const wrongSize = (actual: number, size: number, where: string) =>
  invalidContainer(`entry inflates to ${actual} bytes but declares ${size}`, { where });

/** Inflate raw DEFLATE data into exactly `size` bytes, stopping as soon as output exceeds it (synchronous). */
function inflateLimited(data: Uint8Array, size: number, where: string): Uint8Array {
  const out = new Uint8Array(size);
  let pos = 0;
  let over = false;
  const inflater = new Inflate((chunk) => {
    if (pos + chunk.length > size) {
      over = true;
      throw new Error("overflow");
    }
    out.set(chunk, pos);
    pos += chunk.length;
  });
  const step = 1 << 16;
  try {
    if (data.length === 0) inflater.push(data, true);
    for (let i = 0; i < data.length; i += step) inflater.push(data.subarray(i, i + step), i + step >= data.length);
  } catch (e) {
    if (over) throw overflow(size, where);
    throw corruptDeflate(e, where);
  }
  if (pos !== size) throw wrongSize(pos, size, where);
  return out;
}

const crcHex = (v: number) => (v >>> 0).toString(16).padStart(8, "0");

/** Check an entry's CRC-32. */
function verifyCrc(actual: number, e: ZipEntryInfo, where: string): void {
  if (actual >>> 0 !== e.crc32 >>> 0) {
    throw invalidContainer(`CRC-32 mismatch: data has ${crcHex(actual)}, the directory says ${crcHex(e.crc32)} (corrupt file)`, { where });
  }
}

/** An entry's uncompressed bytes (a view for STORED entries), CRC-checked. Size limits are the caller's job. */
export function readZipEntryData(bytes: Uint8Array, e: ZipEntryRecord, fileName: string): Uint8Array {
  const where = `${fileName}: ${e.name}`;
  const start = runSync(dataOffsetSteps(bytes.length, e, where), bytes);
  const raw = bytes.subarray(start, start + e.compressedSize);
  const data = e.method === "stored" ? raw : inflateLimited(raw, e.size, where);
  verifyCrc(crc32(data), e, where);
  return data;
}

export interface OpenZipOptions {
  /** Most entries accepted (default 10000). */
  maxEntries?: number;
  /** Inflater and CRC-32 (default fflate and the built-in CRC-32). */
  codec?: ZipCodec;
}

/** Strip the reader-internal fields so `entries` holds plain `ZipEntryInfo`s. */
function publicInfo(r: ZipEntryRecord): ZipEntryInfo {
  const { flags: _flags, localHeaderOffset: _offset, ...info } = r;
  return info;
}

/** A ZIP archive read by range through a `ByteSource`; it owns the source (`close()` closes it). */
export class ZipArchive {
  /** Every entry, in central-directory order. */
  readonly entries: ZipEntryInfo[];
  private readonly records: Map<ZipEntryInfo, ZipEntryRecord>;

  private constructor(
    private readonly source: ByteSource,
    records: ZipEntryRecord[],
    private readonly codec: ZipCodec,
  ) {
    this.entries = records.map(publicInfo);
    this.records = new Map(this.entries.map((e, i) => [e, records[i] as ZipEntryRecord]));
  }

  /** Read the directory of the archive in `source`; on failure `source` is closed. */
  static async open(source: ByteSource, options: OpenZipOptions = {}): Promise<ZipArchive> {
    try {
      const records = await runAsync(directorySteps(source.size, source.name, options.maxEntries ?? 10000), source);
      return new ZipArchive(source, records, options.codec ?? DEFAULT_ZIP_CODEC);
    } catch (e) {
      await source.close().catch(() => undefined);
      throw e;
    }
  }

  /** The archive's name for messages (the source's). */
  get name(): string {
    return this.source.name;
  }

  private record(entry: ZipEntryInfo, maxBytes: number): { rec: ZipEntryRecord; where: string } {
    const where = `${this.name}: ${entry.name}`;
    const rec = this.records.get(entry);
    if (!rec) throw invalidContainer("internal: entry does not belong to this archive", { where });
    if (entry.size > maxBytes) {
      throw invalidContainer(`entry declares ${entry.size} bytes, more than the limit of ${maxBytes} (zip bomb?)`, {
        where,
        allowed: `at most ${maxBytes} bytes`,
      });
    }
    return { rec, where };
  }

  /** The compressed bytes of an entry, read range by range. */
  private async *raw(start: number, length: number): AsyncIterable<Uint8Array> {
    for (let done = 0; done < length; ) {
      const n = Math.min(READ_STEP, length - done);
      yield await this.source.read(start + done, n);
      done += n;
    }
  }

  /**
   * Hand an entry's uncompressed bytes to `onChunk` in order (awaited one at a time), never
   * more than its declared size nor `maxBytes`; CRC-32 checked at the end.
   */
  async stream(entry: ZipEntryInfo, maxBytes: number, onChunk: (chunk: Uint8Array) => void | Promise<void>): Promise<void> {
    const { rec, where } = this.record(entry, maxBytes);
    const start = await runAsync(dataOffsetSteps(this.source.size, rec, where), this.source);
    let crc = 0;
    let total = 0;
    if (rec.method === "stored") {
      for await (const chunk of this.raw(start, rec.compressedSize)) {
        crc = this.codec.crc32(chunk, crc);
        total += chunk.length;
        await onChunk(chunk);
      }
    } else {
      let chain: Promise<void> = Promise.resolve();
      let consumerFailed = false;
      try {
        await this.codec.inflateRaw(this.raw(start, rec.compressedSize), (chunk) => {
          total += chunk.length;
          if (total > rec.size) throw overflow(rec.size, where);
          crc = this.codec.crc32(chunk, crc);
          chain = chain.then(() => onChunk(chunk));
          chain.catch(() => {
            consumerFailed = true;
          });
          return chain;
        });
        await chain;
      } catch (e) {
        await chain.catch(() => undefined);
        if (consumerFailed || isCzmodelError(e)) throw e; // the consumer's own error, or ours
        throw corruptDeflate(e, where);
      }
    }
    if (total !== rec.size) throw wrongSize(total, rec.size, where);
    verifyCrc(crc, rec, where);
  }

  /**
   * Where a STORED entry's bytes lie in the source (`undefined` for a deflated one), for readers
   * that skip parts of a large entry by range. Bytes read this way are not CRC-checked.
   */
  async storedRange(entry: ZipEntryInfo, maxBytes: number): Promise<{ offset: number; length: number } | undefined> {
    const { rec, where } = this.record(entry, maxBytes);
    if (rec.method !== "stored") return undefined;
    const offset = await runAsync(dataOffsetSteps(this.source.size, rec, where), this.source);
    checkRange(this.source, offset, rec.size);
    return { offset, length: rec.size };
  }

  /** Read `length` bytes at `offset` of the archive (a range `storedRange` gave). */
  async readRange(offset: number, length: number): Promise<Uint8Array> {
    return this.source.read(offset, length);
  }

  /** An entry's bytes in one buffer of exactly its size (a STORED entry is one range read). */
  async read(entry: ZipEntryInfo, maxBytes: number): Promise<Uint8Array> {
    const { rec, where } = this.record(entry, maxBytes);
    if (rec.method === "stored") {
      const start = await runAsync(dataOffsetSteps(this.source.size, rec, where), this.source);
      const data = await this.source.read(start, rec.size);
      verifyCrc(this.codec.crc32(data, 0), rec, where);
      return data;
    }
    const out = new Uint8Array(rec.size);
    let pos = 0;
    await this.stream(entry, maxBytes, (chunk) => {
      out.set(chunk, pos);
      pos += chunk.length;
    });
    return out;
  }

  /** Close the source. Safe to call twice. */
  async close(): Promise<void> {
    await this.source.close();
  }
}
