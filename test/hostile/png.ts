/**
 * Hostile PNG generator for tests: a small valid grey PNG (fast-png) whose IHDR is rewritten
 * to declare any width and height, with a correct CRC, so only the declared size lies.
 */
import { encode } from "fast-png";
import { crc32 } from "../../src/container/crc32.js";

/** A `width`×`height` 8-bit grey PNG, then its IHDR declaring `declared` instead (CRC kept valid). */
export function pngDeclaring(declared: { width: number; height: number }, width = 8, height = 8): Uint8Array {
  const bytes = new Uint8Array(encode({ width, height, data: new Uint8Array(width * height).fill(100), channels: 1, depth: 8 }));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(16, declared.width);
  view.setUint32(20, declared.height);
  view.setUint32(29, crc32(bytes.subarray(12, 29)));
  return bytes;
}
