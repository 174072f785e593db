/**
 * Random-access byte sources: the one way image readers (TIFF, CZI, PNG, OME-Zarr zips) and
 * model-file readers (ZIP containers, zipped SavedModels) get at bytes.
 *
 * A reader that only asks a `ByteSource` for ranges works the same on a Node file handle,
 * a browser `Blob`/`File` (both stream: nothing is read that is not asked for) and an
 * in-memory buffer. A range past the end is an `OUT_OF_RANGE` error (the file is truncated),
 * whatever the format. Base layer, isomorphic: no `node:*` imports (the file-backed source
 * lives in `src/bytes/node/file-byte-source.ts`).
 */
import { outOfRange } from "../errors.js";

export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** A name for messages (file path or file name). */
  readonly name: string;
  /**
   * Read `length` bytes at `offset`. Throws a clear error when the range runs past the end
   * (a truncated file), never returns a short read.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Release the underlying handle. Safe to call twice. */
  close(): Promise<void>;
}

/** Throws the standard "truncated" error when `[offset, offset+length)` is outside `[0, size)`. */
export function checkRange(source: { size: number; name: string }, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw outOfRange(`invalid byte range offset=${offset} length=${length}`, { where: source.name });
  }
  if (offset + length > source.size) {
    throw outOfRange(`file is truncated: needs bytes ${offset}..${offset + length} but it has only ${source.size}`, { where: source.name });
  }
}

/** A source that can also read into a caller's buffer (no allocation per read). */
export interface ByteReaderInto {
  /** Like `read`, into `out` (at least `length` bytes); returns the view of `out` that holds the bytes. */
  readInto(offset: number, length: number, out: Uint8Array): Promise<Uint8Array>;
}

/** A `ByteSource` over bytes already in memory. */
export class MemoryByteSource implements ByteSource {
  readonly size: number;
  constructor(
    private readonly bytes: Uint8Array,
    readonly name = "<memory>",
  ) {
    this.size = bytes.byteLength;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
  async close(): Promise<void> {}
}

/** A `ByteSource` over a browser `Blob` / `File` (also works with Node's `Blob`). */
export class BlobByteSource implements ByteSource {
  readonly size: number;
  constructor(
    private readonly blob: Blob,
    readonly name = (blob as { name?: string }).name ?? "<blob>",
  ) {
    this.size = blob.size;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return new Uint8Array(await this.blob.slice(offset, offset + length).arrayBuffer());
  }
  async close(): Promise<void> {}
}
