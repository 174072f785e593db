/**
 * Streaming raw-DEFLATE inflation behind one small interface, so readers that fetch
 * compressed bytes by range (the ZIP reader) can use fflate anywhere and `node:zlib` in Node
 * (`src/bytes/node/inflate.ts`). Isomorphic: this file holds the interface and the fflate one.
 */
import { Inflate } from "fflate";

/**
 * Inflate the raw DEFLATE stream `input` (chunks in order), handing each output chunk to
 * `onChunk` in order. `onChunk` is called synchronously as output appears, so it can stop a
 * zip bomb at once by throwing; a promise it returns is awaited before more input is taken.
 * Rejects with the inflater's own error on corrupt or truncated data.
 */
export type InflateRaw = (input: AsyncIterable<Uint8Array>, onChunk: (chunk: Uint8Array) => void | Promise<void>) => Promise<void>;

/** Input is fed to fflate in steps of this size, which bounds the output of one step. */
const STEP = 1 << 16;

/** `InflateRaw` with fflate's streaming `Inflate` (browsers and Node). */
export const fflateInflateRaw: InflateRaw = async (input, onChunk) => {
  let pending: Array<void | Promise<void>> = [];
  const inflater = new Inflate((chunk) => {
    pending.push(onChunk(chunk));
  });
  const drain = async () => {
    const now = pending;
    pending = [];
    for (const p of now) await p;
  };
  const push = async (chunk: Uint8Array, final: boolean) => {
    if (chunk.length === 0) inflater.push(chunk, final);
    for (let i = 0; i < chunk.length; i += STEP) {
      inflater.push(chunk.subarray(i, i + STEP), final && i + STEP >= chunk.length);
      await drain();
    }
    await drain();
  };
  let held: Uint8Array | undefined;
  for await (const chunk of input) {
    if (held) await push(held, false);
    held = chunk;
  }
  await push(held ?? new Uint8Array(0), true);
};
