/**
 * Trust nothing a Zarr chunk says: the chunk shape in the array metadata is bounded before any
 * chunk is fetched, and every chunk that is present must decode to exactly one chunk of the
 * array's data type. A chunk that inflates to the wrong size, fails its codec or does not
 * match the dtype is an error naming its key; only a missing chunk reads as the fill value.
 * Isomorphic.
 */
import type { Readable } from "@zarrita/storage";
import * as zarr from "zarrita";
import { invalidImage, isCzmodelError } from "../../errors.js";
import { MAX_BLOCK_BYTES } from "../limits.js";

type ZarrArray = zarr.Array<zarr.DataType, Readable>;

const BYTES: Record<string, number> = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 };

async function readJson(store: Readable, key: string): Promise<Record<string, unknown> | undefined> {
  try {
    const bytes = await store.get(key as `/${string}`);
    return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The store key of each chunk (`0/1.2`, `0/c/1/2` …), from the array's own metadata file. */
async function chunkKeys(array: ZarrArray): Promise<(coords: number[]) => string> {
  const base = array.path.replace(/^\/+|\/+$/g, "");
  const prefix = base ? `${base}/` : "";
  const v3 = await readJson(array.store, `/${prefix}zarr.json`);
  const encoding = v3?.chunk_key_encoding as { name?: string; configuration?: { separator?: string } } | undefined;
  if (encoding && encoding.name !== "v2") {
    const sep = encoding.configuration?.separator ?? "/";
    return (c) => prefix + ["c", ...c].join(sep);
  }
  const v2 = await readJson(array.store, `/${prefix}.zarray`);
  const sep = encoding?.configuration?.separator ?? (v2?.dimension_separator as string | undefined) ?? ".";
  return (c) => prefix + (c.join(sep) || "0");
}

/**
 * Byte length of each buffer a store read or a decompressor produced. The bytes codec views a
 * chunk over that buffer and silently drops a trailing partial value (33 bytes give 16
 * uint16), so the check looks the chunk's buffer up here to see the bytes it really had.
 */
const producedBytes = new WeakMap<ArrayBufferLike, number>();

function noted(bytes: Uint8Array): Uint8Array {
  producedBytes.set(bytes.buffer, bytes.byteLength);
  return bytes;
}

const COMPRESSORS = ["blosc", "lz4", "zstd", "gzip", "zlib"].flatMap((n) => [n, `numcodecs.${n}`]);

interface BytesCodec {
  kind: string;
  decode(bytes: Uint8Array): Promise<Uint8Array> | Uint8Array;
}
type CodecClass = { fromConfig(config: unknown, meta: unknown): BytesCodec };

/** Wrap zarrita's decompressors (once) so their outputs are noted in `producedBytes`. */
let decompressorsWrapped = false;

function noteDecompressorOutputs(): void {
  if (decompressorsWrapped) return;
  decompressorsWrapped = true;
  for (const name of COMPRESSORS) {
    const load = zarr.registry.get(name) as (() => Promise<CodecClass>) | undefined;
    if (!load) continue;
    const wrapped = async (): Promise<CodecClass> => {
      const Codec = await load();
      return {
        fromConfig(config, meta) {
          const codec = Codec.fromConfig(config, meta);
          const decode = codec.decode.bind(codec);
          codec.decode = async (bytes) => noted(await decode(bytes));
          return codec;
        },
      };
    };
    zarr.registry.set(name, wrapped as never);
  }
}

/** A store that notes the byte length of every value it returns. */
export function notingStore(store: Readable): Readable {
  noteDecompressorOutputs();
  const get: Readable["get"] = async (key, options) => {
    const value = await store.get(key, options);
    return value ? noted(value) : value;
  };
  return { ...store, get, ...(store.getRange ? { getRange: store.getRange.bind(store) } : {}) } as Readable;
}

/** Throws INVALID_IMAGE when a chunk dimension is not a positive integer or one chunk is too big to decode. */
function checkChunkShape(array: ZarrArray, where: string): void {
  const chunks = array.chunks;
  if (!chunks.every((n) => Number.isSafeInteger(n) && n >= 1)) {
    throw invalidImage(`chunk shape [${chunks.join(", ")}] is impossible`, { where, allowed: "positive integers" });
  }
  const bytes = chunks.reduce((a, b) => a * b, 1) * (BYTES[array.dtype] ?? 8);
  if (bytes > MAX_BLOCK_BYTES) {
    throw invalidImage(`chunk shape [${chunks.join(", ")}] makes chunks of ${bytes} bytes`, {
      where,
      allowed: `at most ${MAX_BLOCK_BYTES} bytes a chunk`,
    });
  }
}

/**
 * The array with every chunk read checked: a present chunk must decode to exactly the chunk's
 * element count; anything else (codec error, wrong size, a store error) names the chunk key.
 */
export async function checkedArray(array: ZarrArray, where: string): Promise<ZarrArray> {
  checkChunkShape(array, where);
  const keyOf = await chunkKeys(array);
  const elements = array.chunks.reduce((a, b) => a * b, 1);
  const withChecks = zarr.defineArrayExtension((inner: ZarrArray) => ({
    async getChunk(coords: number[], options?: Parameters<ZarrArray["getChunk"]>[1]) {
      let chunk: zarr.Chunk<zarr.DataType>;
      try {
        chunk = await inner.getChunk(coords, options);
      } catch (e) {
        if (isCzmodelError(e)) throw e;
        const why = e instanceof Error ? e.message : String(e);
        throw invalidImage(`chunk ${keyOf(coords)} is corrupt (${why})`, { where, cause: e });
      }
      const data = chunk.data as { length: number; buffer?: ArrayBufferLike };
      const had = data.buffer ? producedBytes.get(data.buffer) : undefined;
      if (had !== undefined && had !== elements * (BYTES[array.dtype] ?? 1)) {
        throw invalidImage(`chunk ${keyOf(coords)} holds ${had} bytes, not the ${elements * (BYTES[array.dtype] ?? 1)} of one chunk`, {
          where,
        });
      }
      const length = data.length;
      if (length !== elements) {
        throw invalidImage(`chunk ${keyOf(coords)} decodes to ${length} ${array.dtype} values, not the ${elements} of its chunk shape`, {
          where,
        });
      }
      return chunk;
    },
  }));
  return withChecks(array);
}
