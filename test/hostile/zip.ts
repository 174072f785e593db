/**
 * Hostile ZIP generator for tests: archives whose central directory lies about its local
 * entries (many records sharing one entry), built with the raw writer of the container tests.
 */
import { rawZip } from "../container/helpers/raw-zip.js";

/**
 * One stored local entry of `data`, then `records` central records that all point at it under
 * the names `f0`, `f1` … (an unpacker that trusts the records writes `data` that many times).
 */
export function sharedEntryZip(records: number, data: Uint8Array): Uint8Array {
  const one = rawZip([{ name: "f0", data }]);
  const view = new DataView(one.buffer, one.byteOffset, one.byteLength);
  const cdOffset = view.getUint32(one.length - 22 + 16, true);
  const local = one.subarray(0, cdOffset);
  const record = one.subarray(cdOffset, one.length - 22);
  const central: Uint8Array[] = [];
  for (let i = 0; i < records; i++) {
    const name = new TextEncoder().encode(`f${i}`);
    const r = new Uint8Array(46 + name.length);
    r.set(record.subarray(0, 46));
    new DataView(r.buffer).setUint16(28, name.length, true);
    r.set(name, 46);
    central.push(r);
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, records, true);
  ev.setUint16(10, records, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, cdOffset, true);
  const out = new Uint8Array(cdOffset + cdSize + 22);
  out.set(local);
  let at = cdOffset;
  for (const c of central) {
    out.set(c, at);
    at += c.length;
  }
  out.set(eocd, at);
  return out;
}

/**
 * An empty ZIP64 archive whose ZIP64 end-of-central-directory record puts the central
 * directory at `cdOffset` (e.g. 2^63): EOCD64 record, its locator, and an EOCD of 0xffffffff.
 */
export function zip64WithCentralOffset(cdOffset: bigint): Uint8Array {
  const out = new Uint8Array(56 + 20 + 22);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x06064b50, true); // ZIP64 end of central directory record
  v.setBigUint64(4, 44n, true);
  v.setUint16(12, 45, true);
  v.setUint16(14, 45, true);
  v.setBigUint64(24, 1n, true); // entries on this disk
  v.setBigUint64(32, 1n, true); // entries
  v.setBigUint64(40, 46n, true); // central directory size
  v.setBigUint64(48, cdOffset, true);
  v.setUint32(56, 0x07064b50, true); // locator
  v.setBigUint64(64, 0n, true); // the record is at 0
  v.setUint32(72, 1, true);
  v.setUint32(76, 0x06054b50, true); // end of central directory
  v.setUint16(84, 0xffff, true);
  v.setUint16(86, 0xffff, true);
  v.setUint32(88, 0xffffffff, true);
  v.setUint32(92, 0xffffffff, true);
  return out;
}
