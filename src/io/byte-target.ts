/**
 * Byte targets: where a single-file image sink (PNG, OME-TIFF) writes its bytes.
 *
 * A target takes positioned writes (appends in practice, plus a header patch at the end),
 * then `commit()` makes the output visible under its final name or `abort()` removes
 * everything written. The Node target (`src/io/node/file-byte-target.ts`) writes a temp file
 * beside the output and renames it on commit, so an interrupted job leaves no partial output.
 * Isomorphic: no `node:*` imports.
 */

export interface ByteTarget {
  /** A name for messages (the final output path or file name). */
  readonly name: string;
  /** Write `bytes` at byte `offset` of the output. */
  write(offset: number, bytes: Uint8Array): Promise<void>;
  /** All bytes written: make the output visible. */
  commit(): Promise<void>;
  /** Give up: remove anything written. Safe to call more than once, and after a failed commit. */
  abort(): Promise<void>;
}

/** A `ByteTarget` that keeps the output in memory (browser downloads, tests). */
export class MemoryByteTarget implements ByteTarget {
  private parts: { offset: number; bytes: Uint8Array }[] = [];
  private result: Uint8Array | undefined;
  committed = false;
  aborted = false;

  constructor(readonly name = "<memory>") {}

  async write(offset: number, bytes: Uint8Array): Promise<void> {
    this.parts.push({ offset, bytes: bytes.slice() });
  }

  async commit(): Promise<void> {
    const size = this.parts.reduce((max, p) => Math.max(max, p.offset + p.bytes.byteLength), 0);
    const out = new Uint8Array(size);
    for (const p of this.parts) out.set(p.bytes, p.offset);
    this.parts = [];
    this.result = out;
    this.committed = true;
  }

  async abort(): Promise<void> {
    this.parts = [];
    this.result = undefined;
    this.aborted = true;
  }

  /** The committed output. */
  get bytes(): Uint8Array {
    if (!this.result) throw new Error("MemoryByteTarget: nothing committed");
    return this.result;
  }
}
