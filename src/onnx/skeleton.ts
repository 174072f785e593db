/**
 * The skeleton of an ONNX payload, read as a stream: a protobuf scan over the `ModelProto`
 * that copies every field except the large data fields of tensors (`raw_data` and the packed
 * `*_data` lists over `KEEP_BYTES`), which are skipped by length without being held. The result
 * is a valid, small `ModelProto` with the same graph (nodes, inputs, outputs, opsets,
 * initializer names, dims and types), so `decodeModel` and the summaries read it as they read
 * the whole payload. Used by `inspect` and `validate` to look at multi-GB models in bounded
 * memory (docs/streaming.md). Isomorphic.
 */
import { invalidModel } from "../errors.js";

/** Where the payload's bytes come from, in order. */
export interface ChunkInput {
  /** The next bytes of the payload (any length > 0), or `null` at its end. */
  next(): Promise<Uint8Array | null>;
  /** Skip `n` bytes that have not been handed out yet without reading them (ranged sources). */
  skip?(n: number): void;
}

const RANGE_STEP = 1 << 16;

/** The `length` bytes at `offset` of a random-access source as a `ChunkInput` whose `skip` reads nothing. */
export function rangedChunks(
  source: { read(offset: number, length: number): Promise<Uint8Array> },
  offset: number,
  length: number,
): ChunkInput {
  let at = offset;
  const end = offset + length;
  return {
    async next() {
      if (at >= end) return null;
      const n = Math.min(RANGE_STEP, end - at);
      const chunk = await source.read(at, n);
      at += n;
      return chunk;
    },
    skip(n: number) {
      at += n;
    },
  };
}

/** Tensor data fields at most this long are kept (small constants such as Reduce axes are read from them). */
const KEEP_BYTES = 1 << 16;
/** Deeper nesting than this (subgraphs in subgraphs …) is refused; the caller reads the payload whole instead. */
const MAX_DEPTH = 64;

type Kind = "model" | "graph" | "node" | "attribute" | "tensor" | "sparse";

/** Fields that hold messages worth descending into (they may hold tensors), by message kind. */
const CHILDREN: Record<Kind, Record<number, Kind>> = {
  model: { 7: "graph" },
  graph: { 1: "node", 5: "tensor", 15: "sparse" },
  node: { 5: "attribute" },
  attribute: { 5: "tensor", 6: "graph", 10: "tensor", 11: "graph", 22: "sparse", 23: "sparse" },
  sparse: { 1: "tensor", 2: "tensor" },
  tensor: {},
};
/** TensorProto's data fields: float, int32, string, int64, raw, double, uint64. */
const TENSOR_DATA = new Set([4, 5, 6, 7, 9, 10, 11]);

const broken = (why: string) => invalidModel(`the ONNX protobuf cannot be scanned: ${why}`, { where: "ONNX model" });

/** Pulls bytes from a `ChunkInput` with a running position. */
class Reader {
  position = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private at = 0;
  constructor(private readonly input: ChunkInput) {}

  private async fill(): Promise<void> {
    const chunk = await this.input.next();
    if (!chunk) throw broken(`the payload ends early at byte ${this.position}`);
    this.buf = chunk;
    this.at = 0;
  }

  async byte(): Promise<number> {
    if (this.at >= this.buf.length) await this.fill();
    this.position++;
    return this.buf[this.at++] as number;
  }

  /** A varint as a number (ONNX lengths and tags fit in 2^53). */
  async varint(): Promise<number> {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      const b = await this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
    throw broken("a varint is longer than 10 bytes");
  }

  async bytes(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    for (let done = 0; done < n; ) {
      if (this.at >= this.buf.length) await this.fill();
      const take = Math.min(n - done, this.buf.length - this.at);
      out.set(this.buf.subarray(this.at, this.at + take), done);
      this.at += take;
      done += take;
    }
    this.position += n;
    return out;
  }

  async skip(n: number): Promise<void> {
    const held = Math.min(n, this.buf.length - this.at);
    this.at += held;
    let rest = n - held;
    if (rest > 0 && this.input.skip) {
      this.input.skip(rest);
      rest = 0;
    }
    while (rest > 0) {
      await this.fill();
      const take = Math.min(rest, this.buf.length);
      this.at = take;
      rest -= take;
    }
    this.position += n;
  }
}

function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function join(parts: Array<Uint8Array | number[]>): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Copy (or, for tensor data, maybe skip) the fields of one message that ends at byte `end`. */
async function scanMessage(r: Reader, kind: Kind, end: number, depth: number): Promise<Uint8Array> {
  if (depth > MAX_DEPTH) throw broken(`messages nest deeper than ${MAX_DEPTH}`);
  const parts: Array<Uint8Array | number[]> = [];
  while (r.position < end) {
    const tag = await r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) parts.push(varintBytes(tag), varintBytes(await r.varint()));
    else if (wire === 1 || wire === 5) parts.push(varintBytes(tag), await r.bytes(wire === 1 ? 8 : 4));
    else if (wire === 2) {
      const length = await r.varint();
      if (r.position + length > end) throw broken(`field ${field} runs past the end of its message`);
      const child = CHILDREN[kind][field];
      if (child) {
        const body = await scanMessage(r, child, r.position + length, depth + 1);
        parts.push(varintBytes(tag), varintBytes(body.length), body);
      } else if (kind === "tensor" && TENSOR_DATA.has(field) && length > KEEP_BYTES) {
        await r.skip(length);
      } else {
        parts.push(varintBytes(tag), varintBytes(length), await r.bytes(length));
      }
    } else throw broken(`wire type ${wire} of field ${field} is not used by ONNX`);
  }
  if (r.position !== end) throw broken(`a message overruns its declared length`);
  return join(parts);
}

/**
 * The skeleton of the `size`-byte ONNX payload read from `input`: a `ModelProto` without the
 * large tensor data. Throws `INVALID_MODEL` on bytes that do not scan as protobuf; the caller
 * then reads the payload whole, so the reason shown is the decoder's own.
 */
export async function onnxSkeleton(input: ChunkInput, size: number): Promise<Uint8Array> {
  return scanMessage(new Reader(input), "model", size, 0);
}
