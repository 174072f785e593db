/**
 * A read-only zarrita store whose values come from `ByteSource`s: one source per key, opened
 * by an injected function (Node: a file in the store's folder; a browser could open `File`s
 * of a picked folder). So the Zarr reader gets its bytes through the same `ByteSource` layer
 * as the TIFF, CZI and PNG readers: `get` reads a whole value, `getRange` only the asked
 * range (or suffix), and each source is closed after use. Isomorphic.
 */
import type { AbsolutePath, AsyncReadable, RangeQuery } from "@zarrita/storage";
import type { ByteSource } from "../../bytes/byte-source.js";
import { invalidImage } from "../../errors.js";
import { MAX_BLOCK_BYTES } from "../limits.js";

/** Largest stored value read whole: a chunk of `MAX_BLOCK_BYTES` that a codec made slightly bigger. */
const MAX_VALUE_BYTES = MAX_BLOCK_BYTES + 16 * 1024 * 1024;

/** Largest Zarr metadata document (`.zattrs`, `.zarray`, `zarr.json` …), parsed whole as JSON. */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;
const METADATA_KEY = /(^|\/)(\.zattrs|\.zarray|\.zgroup|\.zmetadata|zarr\.json)$/;

/** Opens the value stored under `key` (`/`-separated, no leading `/`), or `undefined` when there is none. */
export type OpenKey = (key: string) => Promise<ByteSource | undefined>;

export class ByteSourceStore implements AsyncReadable {
  constructor(private readonly openKey: OpenKey) {}

  private async withSource(key: AbsolutePath, read: (source: ByteSource) => Promise<Uint8Array>): Promise<Uint8Array | undefined> {
    const source = await this.openKey(key.replace(/^\/+/, ""));
    if (!source) return undefined;
    try {
      return await read(source);
    } finally {
      await source.close();
    }
  }

  /**
   * A whole value; one larger than any chunk may be (`MAX_BLOCK_BYTES` plus codec overhead),
   * or a metadata document over `MAX_METADATA_BYTES`, is refused unread.
   */
  get(key: AbsolutePath): Promise<Uint8Array | undefined> {
    return this.withSource(key, (s) => {
      const metadata = METADATA_KEY.test(key);
      const max = metadata ? MAX_METADATA_BYTES : MAX_VALUE_BYTES;
      if (s.size > max) {
        throw invalidImage(`${metadata ? "metadata document" : "value"} of ${s.size} bytes is too large`, {
          where: s.name,
          allowed: `at most ${max} bytes`,
        });
      }
      return s.read(0, s.size);
    });
  }

  getRange(key: AbsolutePath, range: RangeQuery): Promise<Uint8Array | undefined> {
    return this.withSource(key, (s) =>
      "suffixLength" in range
        ? s.read(Math.max(0, s.size - range.suffixLength), Math.min(range.suffixLength, s.size))
        : s.read(range.offset, range.length),
    );
  }
}
