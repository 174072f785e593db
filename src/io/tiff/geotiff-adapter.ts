/**
 * Lets geotiff read through our `ByteSource` (Node file handle, browser Blob, memory), so the
 * TIFF reader is isomorphic and only reads what it asks for. geotiff asks for speculative
 * ranges (1 KB for the header, 1–4 KB per IFD) that may run past the end of a small file:
 * those are clipped; a range that starts past the end means a truncated file and throws the
 * `ByteSource`'s "file is truncated" error. Implements the duck type of geotiff's `BaseSource`
 * (`fetch`, `fileSize`, `close`), which geotiff does not export as a value.
 */
import type { ByteSource } from "../../bytes/byte-source.js";
import { checkRange } from "../../bytes/byte-source.js";

interface Slice {
  offset: number;
  length: number;
}

export class ByteSourceAdapter {
  /** Set when a read was cut at the end of the file (a later out-of-bounds parse error then means truncation). */
  clipped = false;

  constructor(readonly source: ByteSource) {}

  get fileSize(): number {
    return this.source.size;
  }

  async fetch(slices: Slice[]): Promise<ArrayBuffer[]> {
    return Promise.all(slices.map((s) => this.fetchOne(s)));
  }

  private async fetchOne({ offset, length }: Slice): Promise<ArrayBuffer> {
    const size = this.source.size;
    if (offset >= size && length > 0) checkRange(this.source, offset, length); // throws "file is truncated"
    const clipped = Math.min(length, size - offset);
    if (clipped < length) this.clipped = true;
    const bytes = await this.source.read(offset, clipped);
    if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
      return bytes.buffer;
    }
    return new Uint8Array(bytes).buffer; // a copy (Buffer#slice would not copy)
  }

  async close(): Promise<void> {
    // The ByteSource belongs to the caller of openTiff (closed by TiffImageSource.close()).
  }
}
