/**
 * Bounds-checked little-endian field access on a byte buffer that holds one CZI structure.
 * Every read names the structure (`where`) and the field offset in its error, so a truncated
 * or corrupt structure gives "…: field at +52 (8 bytes) lies outside the 40-byte structure"
 * rather than a RangeError. 64-bit values come back as `number` only when they are exact
 * (≤ 2^53 − 1); anything larger is an error. Hand-written because it is a dozen lines and
 * no installed package offers checked reads with our error type.
 */
import { invalidImage } from "../../errors.js";

export class LeReader {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** Names the structure in errors, e.g. `file.czi: subblock directory (offset 544)`. */
    readonly where: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  private check(offset: number, size: number, field: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + size > this.bytes.byteLength) {
      throw invalidImage(
        `${field} at +${offset} (${size} bytes) lies outside the ${this.bytes.byteLength}-byte structure (truncated or corrupt)`,
        { where: this.where },
      );
    }
  }

  u8(offset: number, field = "field"): number {
    this.check(offset, 1, field);
    return this.view.getUint8(offset);
  }

  i32(offset: number, field = "field"): number {
    this.check(offset, 4, field);
    return this.view.getInt32(offset, true);
  }

  f32(offset: number, field = "field"): number {
    this.check(offset, 4, field);
    return this.view.getFloat32(offset, true);
  }

  /** A signed 64-bit value that must be exact as a JS number. */
  i64(offset: number, field = "field"): number {
    this.check(offset, 8, field);
    const v = this.view.getBigInt64(offset, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw invalidImage(`${field} = ${v} is out of range (more than 2^53)`, { where: this.where });
    }
    return Number(v);
  }

  /** ASCII text of `length` bytes, cut at the first NUL; non-printable bytes become `?`. */
  ascii(offset: number, length: number, field = "field"): string {
    this.check(offset, length, field);
    let s = "";
    for (let i = 0; i < length; i++) {
      const b = this.bytes[offset + i]!;
      if (b === 0) break;
      s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "?";
    }
    return s;
  }

  /** The raw bytes `[offset, offset + length)` (a view, not a copy). */
  slice(offset: number, length: number, field = "field"): Uint8Array {
    this.check(offset, length, field);
    return this.bytes.subarray(offset, offset + length);
  }
}

/** Text for a location inside a file: `file.czi: subblock #3 (offset 526656)`. */
export function at(fileName: string, what: string, offset?: number): string {
  return offset === undefined ? `${fileName}: ${what}` : `${fileName}: ${what} (offset ${offset})`;
}
