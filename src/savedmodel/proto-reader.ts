/**
 * A minimal protobuf wire-format reader: iterates the fields of one message (varint, 64-bit,
 * length-delimited, 32-bit) so `inspect.ts` can pick the few SavedModel fields it needs.
 *
 * Hand-written because no npm package ships TensorFlow's `.proto` files (or code generated from
 * them), and pulling in protobufjs plus copies of TF's schema for five fields is not worth it.
 * Isomorphic.
 */

type WireValue =
  | { wire: 0; value: bigint } // varint
  | { wire: 1; value: Uint8Array } // fixed64
  | { wire: 2; value: Uint8Array } // length-delimited (bytes, string, sub-message, packed)
  | { wire: 5; value: Uint8Array }; // fixed32

export interface WireField {
  field: number;
  data: WireValue;
}

/** Thrown for malformed bytes; the caller turns it into a `CzmodelError` with a location. */
export class ProtoDecodeError extends Error {}

class Cursor {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) throw new ProtoDecodeError("truncated varint");
      const b = this.bytes[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new ProtoDecodeError("varint longer than 10 bytes");
  }

  take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.bytes.length) throw new ProtoDecodeError("field runs past the end of the message");
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** All fields of one message, in wire order (repeated fields appear several times). */
export function readFields(bytes: Uint8Array): WireField[] {
  const c = new Cursor(bytes);
  const out: WireField[] = [];
  while (c.pos < bytes.length) {
    const key = c.varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtoDecodeError("field number 0");
    switch (wire) {
      case 0:
        out.push({ field, data: { wire: 0, value: c.varint() } });
        break;
      case 1:
        out.push({ field, data: { wire: 1, value: c.take(8) } });
        break;
      case 2: {
        const len = c.varint();
        if (len > BigInt(bytes.length)) throw new ProtoDecodeError("length prefix larger than the message");
        out.push({ field, data: { wire: 2, value: c.take(Number(len)) } });
        break;
      }
      case 5:
        out.push({ field, data: { wire: 5, value: c.take(4) } });
        break;
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wire} (field ${field})`);
    }
  }
  return out;
}

const utf8 = new TextDecoder("utf-8");

/** Helpers to read typed values out of a field list. */
export function bytesOf(f: WireField): Uint8Array {
  if (f.data.wire !== 2) throw new ProtoDecodeError(`field ${f.field}: expected a length-delimited value`);
  return f.data.value;
}

export function stringOf(f: WireField): string {
  return utf8.decode(bytesOf(f));
}

/** A varint field as a signed 64-bit integer (int64/enum encoding), converted to a number. */
export function int64Of(f: WireField): number {
  if (f.data.wire !== 0) throw new ProtoDecodeError(`field ${f.field}: expected a varint`);
  return Number(BigInt.asIntN(64, f.data.value));
}

/** Fields of a `map<string, V>` entry message: key = 1, value = 2. */
export function mapEntry(f: WireField): { key: string; value: Uint8Array } {
  let key = "";
  let value: Uint8Array = new Uint8Array(0);
  for (const e of readFields(bytesOf(f))) {
    if (e.field === 1) key = stringOf(e);
    else if (e.field === 2) value = bytesOf(e);
  }
  return { key, value };
}
