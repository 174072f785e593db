/**
 * Shared helpers of the CZI tests: the independent reference (test/fixtures/czi/reference.json,
 * made by scripts/fixtures/czi_reference.py from the real sample files), opening samples,
 * hashing samples, a byte source that records what was read, and byte patching.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { MemoryByteSource, type ByteSource } from "../../src/bytes/byte-source.js";
import type { SampleArray } from "../../src/io/types.js";
import { openCzi, type CziImage, type CziOpenOptions } from "../../src/io/czi/index.js";
import { openCziFile } from "../../src/io/czi/node/open-czi-file.js";
import { fixture, testdata } from "../helpers/paths.js";

export interface RefDim {
  start: number;
  size: number;
  stored: number;
}
export interface RefEntry {
  pixelType: number;
  compression: number;
  filePosition: number;
  pyramidType: number;
  dims: Record<string, RefDim>;
  sha256: string;
  dataOffset: number;
  dataSize: number;
  metadataSize: number;
}
export interface RefPlane {
  scene: number;
  t: number;
  c: number;
  z: number;
  tiles: number;
  sha256: string;
  probes: { x: number; y: number; value: number[] }[];
}
export interface RefFile {
  bytes: number;
  version: [number, number];
  entries: RefEntry[];
  pixelTypes: string[];
  compressions: number[];
  dimensionLetters: string[];
  sizes: { scene: number; t: number; c: number; z: number };
  scenes: {
    index: number;
    name: string | null;
    x: number;
    y: number;
    width: number;
    height: number;
    origin: [number, number];
    tiles: number;
  }[];
  planes: RefPlane[];
  pyramid: { entry: number; sha256: string; size: [number, number]; stored: [number, number] }[];
  channelNames: (string | null)[];
  displayChannelNames: (string | null)[];
  scaling: Record<string, number>;
  componentBitCount: number | null;
  xmlSize: number;
  attachments: { name: string; contentType: string; size: number; sha256: string }[];
}

export const reference: Record<string, RefFile> = JSON.parse(readFileSync(fixture("czi", "reference.json"), "utf8"));

export const SAMPLE_FILES = Object.keys(reference).sort();

export function samplePath(name: string): string {
  return testdata("czi", name);
}

export function sampleBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(samplePath(name)));
}

export function openSample(name: string, options?: CziOpenOptions): Promise<CziImage> {
  return openCziFile(samplePath(name), options);
}

export function openBytes(bytes: Uint8Array, name = "mutated.czi", options?: CziOpenOptions): Promise<CziImage> {
  return openCzi(new MemoryByteSource(bytes, name), options);
}

/** SHA-256 of the samples' little-endian bytes (the host is little-endian). */
export function sha256(samples: SampleArray | Uint8Array): string {
  return createHash("sha256")
    .update(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength))
    .digest("hex");
}

/** A byte source that records every range read. */
export class RecordingByteSource implements ByteSource {
  readonly reads: [number, number][] = [];
  constructor(private readonly inner: ByteSource) {}
  get size(): number {
    return this.inner.size;
  }
  get name(): string {
    return this.inner.name;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push([offset, length]);
    return this.inner.read(offset, length);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  bytesRead(): number {
    return this.reads.reduce((s, [, n]) => s + n, 0);
  }
}

export function writeI32(bytes: Uint8Array, offset: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setInt32(offset, value, true);
}

export function writeI64(bytes: Uint8Array, offset: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setBigInt64(offset, BigInt(value), true);
}

export function readI32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getInt32(offset, true);
}

export function readI64(bytes: Uint8Array, offset: number): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset).getBigInt64(offset, true));
}

/** File offset of the subblock directory segment (from the file header). */
export function directoryPosition(bytes: Uint8Array): number {
  return readI64(bytes, 32 + 52);
}

/** File offset of directory entry `i` (walking the variable-size DV entries). */
export function directoryEntryOffset(bytes: Uint8Array, i: number): number {
  let p = directoryPosition(bytes) + 32 + 128;
  for (let k = 0; k < i; k++) p += 32 + 20 * readI32(bytes, p + 28);
  return p;
}

/** File offsets of the DV entry of subblock `i`: in the directory and its copy in the segment. */
export function entryCopies(bytes: Uint8Array, ref: RefFile, i: number): number[] {
  return [directoryEntryOffset(bytes, i), ref.entries[i]!.filePosition + 32 + 16];
}

/** Offset (relative to a DV entry) of field `field` (4 = Start, 8 = Size, 16 = StoredSize) of dimension `letter`. */
export function dimensionFieldOffset(bytes: Uint8Array, entryOffset: number, letter: string, field: 4 | 8 | 16): number {
  const n = readI32(bytes, entryOffset + 28);
  for (let k = 0; k < n; k++) {
    const p = entryOffset + 32 + 20 * k;
    if (String.fromCharCode(bytes[p]!) === letter) return p + field;
  }
  throw new Error(`no dimension ${letter}`);
}
