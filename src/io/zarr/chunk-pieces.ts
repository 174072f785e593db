/**
 * Pieces of an output chunk that several writers share (work units whose pixels meet inside
 * one chunk, `engine/units.ts`): each writer stores the rectangles it computed as a piece,
 * and whoever holds every piece joins them into the chunk, exactly as one writer would have
 * filled it (zero past the image edge).
 *
 * A piece is `CZPC`, a little-endian u32 header length, a JSON header (sample type, samples
 * per pixel, chunk size, the chunk's in-image area, the rectangles as [x0, y0, x1, y1] in
 * image pixels, and the chunk origin) and then each rectangle's samples, row by row,
 * little-endian. Isomorphic.
 */
import { invalidMetadata } from "../../errors.js";
import type { PartialChunk } from "../chunk-grid.js";
import { allocSamples, bytesPerSample, type SampleArray, type SampleType } from "../types.js";

const MAGIC = [0x43, 0x5a, 0x50, 0x43]; // "CZPC"

interface PieceHeader {
  version: 1;
  sampleType: SampleType;
  samplesPerPixel: number;
  /** Chunk height and width. */
  chunk: [number, number];
  /** Image pixels of the chunk's top-left corner: [y, x]. */
  origin: [number, number];
  area: number;
  parts: number[];
}

export interface PieceLayout {
  sampleType: SampleType;
  samplesPerPixel: number;
  chunkWidth: number;
  chunkHeight: number;
}

/** The bytes of `chunk`'s written parts. */
export function encodePiece(chunk: PartialChunk, layout: PieceLayout): Uint8Array {
  const { chunkWidth: cw, chunkHeight: ch, samplesPerPixel: K, sampleType } = layout;
  const origin: [number, number] = [chunk.cy * ch, chunk.cx * cw];
  const header: PieceHeader = { version: 1, sampleType, samplesPerPixel: K, chunk: [ch, cw], origin, area: chunk.area, parts: chunk.parts };
  const head = new TextEncoder().encode(JSON.stringify(header));
  let samples = 0;
  for (let i = 0; i < chunk.parts.length; i += 4) samples += partSamples(chunk.parts, i, K);
  const body = allocSamples(sampleType, samples);
  let at = 0;
  forEachRow(chunk.parts, origin, cw, K, (offset, n) => {
    body.set(chunk.data.subarray(offset, offset + n), at);
    at += n;
  });
  const out = new Uint8Array(8 + head.length + body.byteLength);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, head.length, true);
  out.set(head, 8);
  out.set(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), 8 + head.length);
  return out;
}

const partSamples = (parts: number[], i: number, K: number) => (parts[i + 2]! - parts[i]!) * (parts[i + 3]! - parts[i + 1]!) * K;

/** Call `row(offset, n)` for every row of every part: `n` samples at `offset` in the chunk buffer. */
function forEachRow(parts: number[], origin: [number, number], cw: number, K: number, row: (offset: number, n: number) => void): void {
  for (let i = 0; i < parts.length; i += 4) {
    const [x0, y0, x1, y1] = parts.slice(i, i + 4) as [number, number, number, number];
    for (let y = y0; y < y1; y++) row(((y - origin[0]) * cw + (x0 - origin[1])) * K, (x1 - x0) * K);
  }
}

function readPiece(bytes: Uint8Array, where: string): { header: PieceHeader; body: SampleArray } {
  const bad = (why: string) => invalidMetadata(`not a chunk piece: ${why}`, { where });
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad("no CZPC signature");
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  if (8 + length > bytes.length) throw bad("truncated header");
  let header: PieceHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as PieceHeader;
  } catch {
    throw bad("header is not JSON");
  }
  if (header.version !== 1 || !Array.isArray(header.parts) || header.parts.length % 4) throw bad("unknown header");
  const rest = bytes.subarray(8 + length);
  const size = bytesPerSample(header.sampleType);
  if (rest.length % size) throw bad("truncated samples");
  const body = allocSamples(header.sampleType, rest.length / size);
  new Uint8Array(body.buffer).set(rest);
  return { header, body };
}

/** Join the pieces of one chunk into its full buffer; throws unless they cover its in-image pixels exactly once. */
export function joinPieces(pieces: { bytes: Uint8Array; where: string }[]): SampleArray {
  const read = pieces.map((p) => ({ ...readPiece(p.bytes, p.where), where: p.where }));
  const first = read[0]!.header;
  const [ch, cw] = first.chunk;
  const K = first.samplesPerPixel;
  const data = allocSamples(first.sampleType, ch * cw * K);
  const seen: number[] = [];
  let filled = 0;
  for (const { header, body, where } of read) {
    const same = JSON.stringify([header.sampleType, K, header.chunk, header.origin, header.area]);
    if (same !== JSON.stringify([first.sampleType, K, first.chunk, first.origin, first.area]))
      throw invalidMetadata("the pieces of one chunk disagree on its layout", { where });
    for (let i = 0; i < header.parts.length; i += 4)
      if (!insideChunk(header.parts.slice(i, i + 4), header.origin, header.chunk))
        throw invalidMetadata("a piece reaches outside its chunk", { where });
    if (body.length !== partsSamples(header.parts, K)) throw invalidMetadata("a piece holds the wrong number of samples", { where });
    for (let i = 0; i < header.parts.length; i += 4) {
      const part = header.parts.slice(i, i + 4);
      if (overlapsAny(seen, part)) throw invalidMetadata("two pieces of one chunk overlap", { where });
      seen.push(...part);
      filled += partSamples(header.parts, i, 1);
    }
    let at = 0;
    forEachRow(header.parts, header.origin, cw, K, (offset, n) => {
      data.set(body.subarray(at, at + n), offset);
      at += n;
    });
  }
  if (filled !== first.area)
    throw invalidMetadata(`the pieces cover ${filled} of the chunk's ${first.area} pixels`, { where: read[0]!.where });
  return data;
}

function partsSamples(parts: number[], K: number): number {
  let n = 0;
  for (let i = 0; i < parts.length; i += 4) n += partSamples(parts, i, K);
  return n;
}

function insideChunk([x0, y0, x1, y1]: number[], [oy, ox]: [number, number], [ch, cw]: [number, number]): boolean {
  const whole = [x0, y0, x1, y1].every((v) => Number.isInteger(v));
  return whole && x0! >= ox && y0! >= oy && x1! <= ox + cw && y1! <= oy + ch && x0! < x1! && y0! < y1!;
}

function overlapsAny(seen: number[], [x0, y0, x1, y1]: number[]): boolean {
  for (let i = 0; i < seen.length; i += 4) {
    if (x0! < seen[i + 2]! && seen[i]! < x1! && y0! < seen[i + 3]! && seen[i + 1]! < y1!) return true;
  }
  return false;
}
