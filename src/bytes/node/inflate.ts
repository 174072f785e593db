/**
 * `InflateRaw` on `node:zlib` (native, faster than fflate on model-sized entries), for readers
 * that take an injected inflater, e.g. the ZIP reader in Node. Node only.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createInflateRaw } from "node:zlib";
import type { InflateRaw } from "../inflate.js";

export const zlibInflateRaw: InflateRaw = async (input, onChunk) => {
  // `pipeline` may report a consumer's error as a plain abort; keep the consumer's own error.
  let stopped: { error: unknown } | undefined;
  try {
    await pipeline(Readable.from(input), createInflateRaw(), async (output: AsyncIterable<Buffer>) => {
      for await (const chunk of output) {
        try {
          await onChunk(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
        } catch (error) {
          stopped = { error };
          throw error;
        }
      }
    });
  } catch (e) {
    throw stopped ? stopped.error : e;
  }
};
