/**
 * Test-only ZIP builder for archives czmodel never writes: DEFLATE entries (fflate), the
 * UTF-8 flag, other attributes / made-by values, backslash or hostile names, and lying
 * headers (wrong CRC, declared size) for bad-input tests. Independent of src/container's writer.
 */
import { deflateSync } from "fflate";
import { crc32 as zlibCrc32 } from "node:zlib";

export interface RawEntry {
  name: string;
  data: Uint8Array | string;
  method?: number;
  flags?: number;
  externalAttributes?: number;
  versionMadeBy?: number;
  /** Override the CRC written in the headers. */
  crc32?: number;
  /** Override the uncompressed size written in the headers. */
  declaredSize?: number;
  /** Use these bytes as the stored/compressed data instead of compressing `data`. */
  rawData?: Uint8Array;
}

const enc = new TextEncoder();

export function rawZip(entries: RawEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = typeof e.data === "string" ? enc.encode(e.data) : e.data;
    const method = e.method ?? 0;
    const comp = e.rawData ?? (method === 8 ? deflateSync(data) : data);
    const crc = e.crc32 ?? zlibCrc32(data) >>> 0;
    const size = e.declaredSize ?? data.length;
    const name = enc.encode(e.name);
    const flags = e.flags ?? 0;
    const lh = Buffer.alloc(30 + name.length);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(0x6e9c, 10);
    lh.writeUInt16LE(0x589d, 12);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(comp.length, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(name.length, 26);
    lh.set(name, 30);
    const ch = Buffer.alloc(46 + name.length);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(e.versionMadeBy ?? 0x0014, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(flags, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt16LE(0x6e9c, 12);
    ch.writeUInt16LE(0x589d, 14);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(comp.length, 20);
    ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE((e.externalAttributes ?? 0) >>> 0, 38);
    ch.writeUInt32LE(offset, 42);
    ch.set(name, 46);
    parts.push(lh, comp);
    central.push(ch);
    offset += lh.length + comp.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdSize, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, ...central, eocd]));
}
