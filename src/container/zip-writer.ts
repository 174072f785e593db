/**
 * STORED-only ZIP writer that reproduces Python `zipfile` output byte for byte
 * (docs/formats.md#zip-layout): version needed 20, made-by `(host << 8) | 20`, flags 0 (0x0800 only for a non-ASCII
 * name), no extra fields, no data descriptor, external attributes `0o600 << 16` (what
 * `writestr` sets) unless given, DOS time from the local wall clock, no ZIP64, no comment.
 * No npm zip library writes these bytes (yazl sets flag 0x0800 and made-by 0x033F), hence
 * this module.
 *
 * `zipParts` returns the archive as a list of pieces that reference the entry data without
 * copying it (a multi-GB model is never duplicated); `writeZip` joins them. `zipHeaders`
 * gives only the headers, for writers that stream entry data from elsewhere. Isomorphic.
 */
import { invalidArgument } from "../errors.js";
import { crc32 } from "./crc32.js";
import { toDos, type ZipTimestamp } from "./dos-time.js";

/** External attributes Python's `ZipFile.writestr(name, data)` gives an entry: `0o600 << 16`. */
const WRITESTR_EXTERNAL_ATTRIBUTES = 0o600 << 16;
/** Host byte of "version made by": 0 = MS-DOS/Windows, 3 = Unix. */
export type ZipHostByte = 0x00 | 0x03;

export interface ZipWriteOptions {
  /** 0x00 (Windows, as czmodel on Windows) or 0x03 (Unix; default). */
  hostByte?: ZipHostByte;
  /** Timestamp of every entry that has none of its own; default: now. */
  date?: ZipTimestamp;
}

/** What the headers of one entry need to know. */
export interface ZipEntryHeader {
  name: string;
  size: number;
  crc32: number;
  /** Default `0o600 << 16`. */
  externalAttributes?: number;
  /** Default: `options.date`. */
  timestamp?: ZipTimestamp;
}

export interface ZipEntryInput {
  name: string;
  data: Uint8Array;
  /** Precomputed CRC-32 of `data` (saves a pass over a big payload). */
  crc32?: number;
  externalAttributes?: number;
  timestamp?: ZipTimestamp;
}

export interface ZipLayout {
  /** One local file header per entry; entry i's data follows `localHeaders[i]`. */
  localHeaders: Uint8Array[];
  /** Central directory + end-of-central-directory record. */
  tail: Uint8Array;
  /** Total archive size in bytes. */
  totalSize: number;
}

const MAX32 = 0xffffffff;

function encodeName(name: string): { bytes: Uint8Array; flags: number } {
  // Python: ASCII names as is, others UTF-8 with flag bit 11.
  const ascii = /^\p{ASCII}*$/u.test(name);
  return { bytes: new TextEncoder().encode(name), flags: ascii ? 0 : 0x0800 };
}

/** Lay out the headers of an archive whose entries hold `entries[i].size` bytes each, in order. */
export function zipHeaders(entries: readonly ZipEntryHeader[], options: ZipWriteOptions = {}): ZipLayout {
  const hostByte = options.hostByte ?? 0x03;
  if (hostByte !== 0x00 && hostByte !== 0x03) {
    throw invalidArgument(`ZIP host byte ${String(hostByte)} is not supported`, { allowed: "0 (Windows) or 3 (Unix)" });
  }
  if (entries.length > 0xffff)
    throw invalidArgument(`${entries.length} entries need ZIP64, which model files never use`, { allowed: "at most 65535 entries" });
  const defaultDos = toDos(options.date ?? new Date());
  const seen = new Set<string>();
  const localHeaders: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    if (seen.has(e.name)) throw invalidArgument(`duplicate ZIP entry name ${JSON.stringify(e.name)}`);
    seen.add(e.name);
    if (!Number.isSafeInteger(e.size) || e.size < 0 || e.size > MAX32) {
      throw invalidArgument(
        `entry ${JSON.stringify(e.name)} has ${e.size} bytes; sizes over 4 GiB need ZIP64, which model files never use`,
        {
          allowed: "at most 4294967295 bytes per entry",
        },
      );
    }
    if (offset > MAX32)
      throw invalidArgument("the archive would exceed 4 GiB before its last entry; ZIP64 is not written", {
        allowed: "an archive below 4 GiB",
      });
    const { bytes: nameBytes, flags } = encodeName(e.name);
    if (nameBytes.length > 0xffff)
      throw invalidArgument(`entry name is too long (${nameBytes.length} bytes)`, { allowed: "at most 65535 bytes" });
    const dos = e.timestamp ? toDos(e.timestamp) : defaultDos;
    const ext = (e.externalAttributes ?? WRITESTR_EXTERNAL_ATTRIBUTES) >>> 0;

    const lh = new Uint8Array(30 + nameBytes.length);
    const l = new DataView(lh.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true);
    l.setUint16(6, flags, true);
    l.setUint16(8, 0, true);
    l.setUint16(10, dos.time, true);
    l.setUint16(12, dos.date, true);
    l.setUint32(14, e.crc32 >>> 0, true);
    l.setUint32(18, e.size, true);
    l.setUint32(22, e.size, true);
    l.setUint16(26, nameBytes.length, true);
    l.setUint16(28, 0, true);
    lh.set(nameBytes, 30);
    localHeaders.push(lh);

    const ch = new Uint8Array(46 + nameBytes.length);
    const c = new DataView(ch.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, (hostByte << 8) | 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, flags, true);
    c.setUint16(10, 0, true);
    c.setUint16(12, dos.time, true);
    c.setUint16(14, dos.date, true);
    c.setUint32(16, e.crc32 >>> 0, true);
    c.setUint32(20, e.size, true);
    c.setUint32(24, e.size, true);
    c.setUint16(28, nameBytes.length, true);
    // extra length, comment length, disk number start, internal attributes: all 0
    c.setUint32(38, ext, true);
    c.setUint32(42, offset, true);
    ch.set(nameBytes, 46);
    centrals.push(ch);

    offset += lh.length + e.size;
  }
  const cdSize = centrals.reduce((n, x) => n + x.length, 0);
  if (offset > MAX32 || offset + cdSize > MAX32) {
    throw invalidArgument("the archive would exceed 4 GiB; ZIP64 is not written (czmodel files never use it)", {
      allowed: "an archive below 4 GiB",
    });
  }
  const tail = new Uint8Array(cdSize + 22);
  let p = 0;
  for (const ch of centrals) {
    tail.set(ch, p);
    p += ch.length;
  }
  const eocd = new DataView(tail.buffer, p, 22);
  eocd.setUint32(0, 0x06054b50, true);
  eocd.setUint16(4, 0, true);
  eocd.setUint16(6, 0, true);
  eocd.setUint16(8, entries.length, true);
  eocd.setUint16(10, entries.length, true);
  eocd.setUint32(12, cdSize, true);
  eocd.setUint32(16, offset, true);
  eocd.setUint16(20, 0, true);
  return { localHeaders, tail, totalSize: offset + tail.length };
}

/** The archive as pieces: `[header0, data0, header1, data1, …, centralDirectory+EOCD]` (data not copied). */
function zipParts(entries: readonly ZipEntryInput[], options: ZipWriteOptions = {}): Uint8Array[] {
  const layout = zipHeaders(
    entries.map((e) => ({
      name: e.name,
      size: e.data.length,
      crc32: e.crc32 ?? crc32(e.data),
      ...(e.externalAttributes !== undefined ? { externalAttributes: e.externalAttributes } : {}),
      ...(e.timestamp !== undefined ? { timestamp: e.timestamp } : {}),
    })),
    options,
  );
  const parts: Uint8Array[] = [];
  for (const [i, e] of entries.entries()) parts.push(layout.localHeaders[i] as Uint8Array, e.data);
  parts.push(layout.tail);
  return parts;
}

/** Join pieces into one buffer. */
function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The whole archive in one buffer. */
export function writeZip(entries: readonly ZipEntryInput[], options: ZipWriteOptions = {}): Uint8Array {
  return concatBytes(zipParts(entries, options));
}
