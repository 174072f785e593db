/**
 * In-memory ZIP reading for model files in the browser and for small files: parses the end
 * of central directory and the central directory, checks each local header, returns STORED
 * data as views (no copy), inflates DEFLATE with fflate's streaming `Inflate` so an entry
 * that inflates past its declared size is stopped at once (zip bomb), and verifies CRC-32
 * of everything it returns. Hand-written around fflate because fflate's `unzipSync` neither
 * reports made-by / attributes / DOS fields nor limits output sizes. No ZIP64 (files that
 * need it are > 4 GiB and read by the Node reader). Isomorphic.
 */
import { Inflate } from "fflate";
import { invalidContainer, unsupported } from "../errors.js";
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

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;

function isZipStart(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}

/** Map a numeric compression method; other methods are refused. */
export function compressionMethod(code: number, where: string): "stored" | "deflate" {
  if (code === 0) return "stored";
  if (code === 8) return "deflate";
  throw unsupported(`compression method ${code} is not supported`, { where, allowed: "0 (stored) or 8 (deflate)" });
}

/** Parse the central directory of an in-memory ZIP; `fileName` names the archive in errors. */
export function readZipDirectory(bytes: Uint8Array, fileName: string, maxEntries = 10000): ZipEntryRecord[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let eocd = -1;
  for (let i = n - 22; i >= Math.max(0, n - 22 - 0xffff); i--) {
    if (dv.getUint32(i, true) === SIG_EOCD && i + 22 + dv.getUint16(i + 20, true) <= n) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    if (isZipStart(bytes)) {
      throw invalidContainer("truncated ZIP archive: the end-of-central-directory record is missing", { where: fileName });
    }
    throw invalidContainer("not a ZIP archive (no end-of-central-directory record); model files (.czann, .czmodel, .czseg) are ZIP archives", {
      where: fileName,
    });
  }
  const count = dv.getUint16(eocd + 10, true);
  const cdSize = dv.getUint32(eocd + 12, true);
  const cdOffset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw unsupported("ZIP64 archive; the in-memory reader handles archives below 4 GiB only", { where: fileName, allowed: "a ZIP archive without ZIP64 (or read it with readModelFile in Node)" });
  }
  if (dv.getUint16(eocd + 4, true) !== 0 || dv.getUint16(eocd + 6, true) !== 0) {
    throw unsupported("multi-disk (split) ZIP archive", { where: fileName, allowed: "a single-file ZIP archive" });
  }
  if (count > maxEntries) throw invalidContainer(`archive has ${count} entries`, { where: fileName, allowed: `at most ${maxEntries} entries` });
  if (cdOffset + cdSize > eocd) {
    throw invalidContainer(`truncated or corrupt ZIP archive: the central directory (${cdOffset}+${cdSize}) lies outside the file`, { where: fileName });
  }
  const entries: ZipEntryRecord[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdOffset + cdSize || dv.getUint32(p, true) !== SIG_CENTRAL) {
      throw invalidContainer(`corrupt ZIP archive: central directory record ${i + 1} of ${count} is broken`, { where: fileName });
    }
    const flags = dv.getUint16(p + 8, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen + commentLen > cdOffset + cdSize) {
      throw invalidContainer(`corrupt ZIP archive: central directory record ${i + 1} of ${count} runs past the directory`, { where: fileName });
    }
    const utf8Flag = (flags & 0x0800) !== 0;
    const name = decodeEntryName(bytes.subarray(p + 46, p + 46 + nameLen), utf8Flag, fileName);
    const at = `${fileName}: ${name}`;
    if (flags & 0x0001) throw unsupported("entry is encrypted", { where: at, allowed: "unencrypted entries" });
    const rec: ZipEntryRecord = {
      name,
      size: dv.getUint32(p + 24, true),
      compressedSize: dv.getUint32(p + 20, true),
      method: compressionMethod(dv.getUint16(p + 10, true), at),
      crc32: dv.getUint32(p + 16, true),
      utf8Flag,
      externalAttributes: dv.getUint32(p + 38, true),
      versionMadeBy: dv.getUint16(p + 4, true),
      dosDateTime: { date: dv.getUint16(p + 14, true), time: dv.getUint16(p + 12, true) },
      flags,
      localHeaderOffset: dv.getUint32(p + 42, true),
    };
    if (rec.method === "stored" && rec.size !== rec.compressedSize) {
      throw invalidContainer(`corrupt ZIP entry: stored with size ${rec.size} but compressed size ${rec.compressedSize}`, { where: at });
    }
    entries.push(rec);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Offset of an entry's data, after checking its local header. */
function dataOffset(bytes: Uint8Array, e: ZipEntryRecord, where: string): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const o = e.localHeaderOffset;
  if (o + 30 > bytes.length) throw invalidContainer("truncated ZIP archive: local header lies outside the file", { where });
  if (dv.getUint32(o, true) !== SIG_LOCAL) throw invalidContainer("corrupt ZIP archive: bad local header signature", { where });
  const start = o + 30 + dv.getUint16(o + 26, true) + dv.getUint16(o + 28, true);
  if (start + e.compressedSize > bytes.length) {
    throw invalidContainer(`truncated ZIP archive: entry data (${e.compressedSize} bytes at ${start}) runs past the end of the file`, { where });
  }
  return start;
}

/** Inflate raw DEFLATE data into exactly `size` bytes, stopping as soon as output exceeds it. */
export function inflateLimited(data: Uint8Array, size: number, where: string): Uint8Array {
  const out = new Uint8Array(size);
  let pos = 0;
  let overflow = false;
  const inflater = new Inflate((chunk) => {
    if (pos + chunk.length > size) {
      overflow = true;
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
    if (overflow) {
      throw invalidContainer(`entry inflates to more than its declared ${size} bytes (zip bomb?)`, { where });
    }
    throw invalidContainer(`corrupt DEFLATE data: ${e instanceof Error ? e.message : String(e)}`, { where, cause: e });
  }
  if (pos !== size) throw invalidContainer(`entry inflates to ${pos} bytes but declares ${size}`, { where });
  return out;
}

const crcHex = (v: number) => (v >>> 0).toString(16).padStart(8, "0");

/** Check an entry's CRC-32. */
export function verifyCrc(actual: number, e: ZipEntryInfo, where: string): void {
  if (actual >>> 0 !== e.crc32 >>> 0) {
    throw invalidContainer(
      `CRC-32 mismatch: data has ${crcHex(actual)}, the directory says ${crcHex(e.crc32)} (corrupt file)`,
      { where },
    );
  }
}

/** An entry's uncompressed bytes (a view for STORED entries), CRC-checked. Size limits are the caller's job. */
export function readZipEntryData(bytes: Uint8Array, e: ZipEntryRecord, fileName: string): Uint8Array {
  const where = `${fileName}: ${e.name}`;
  const start = dataOffset(bytes, e, where);
  const raw = bytes.subarray(start, start + e.compressedSize);
  const data = e.method === "stored" ? raw : inflateLimited(raw, e.size, where);
  verifyCrc(crc32(data), e, where);
  return data;
}
