/**
 * A look at a model file without loading its payload: `inspect` and `validate` (without a
 * numeric run) need the metadata, the entry list and what the payload declares, not its
 * weights. An ONNX payload is scanned as a stream into its skeleton (`onnx/skeleton.ts`):
 * by range with the weights skipped when the entry is STORED, inflated on the fly and
 * discarded chunk by chunk when it is deflated. The facts are those `readPayloadFacts` gives
 * on the whole payload; when the scan or the skeleton fails, the payload is read whole so the
 * reason reported is the same (docs/streaming.md). Isomorphic.
 */
import type { ByteSource } from "../bytes/byte-source.js";
import { sniffPayload, type PayloadKind } from "../container/payload.js";
import { readModelHead, type ModelFileHead, type ReadModelOptions } from "../container/model-file.js";
import { checkEntrySize, zipLimits } from "../container/limits.js";
import { ZipArchive, type ZipCodec } from "../container/zip-reader.js";
import { onnxSkeleton, rangedChunks, type ChunkInput } from "../onnx/skeleton.js";
import { readPayloadFacts, type PayloadFacts } from "./payload.js";

export interface ModelLook {
  head: ModelFileHead;
  payloadKind: PayloadKind;
  /** The payload's size in bytes. */
  modelSize: number;
  payload: PayloadFacts;
}

export interface LookOptions extends ReadModelOptions {
  /** Inflater and CRC-32 (default: fflate; Node passes `node:zlib`). */
  codec?: ZipCodec;
  /** The file's path, recorded as `head.path` (Node). */
  path?: string;
  /** STORED payloads above this many bytes are read by range (default 64 MiB; tests lower it). */
  rangedFrom?: number;
}

/** STORED payloads above this size are read by range, weights skipped and CRC-32 unchecked. */
const RANGED_FROM = 64 << 20;
/** Thrown into the inflater to stop a stream whose rest is not needed. */
const STOP = Symbol("stop");

/** A payload (deflated or STORED) as a pull stream: the inflater waits until each chunk is taken. */
function inflatedInput(zip: ZipArchive, head: ModelFileHead, maxBytes: number): { input: ChunkInput; stop(): Promise<void> } {
  let offer: ((c: Uint8Array | null) => void) | undefined;
  let taken: (() => void) | undefined;
  let stopped = false;
  let chunks: Promise<Uint8Array | null> = new Promise((r) => (offer = r));
  const done = zip
    .stream(head.modelEntry, maxBytes, async (chunk) => {
      if (stopped) throw STOP;
      await new Promise<void>((r) => {
        taken = r;
        offer?.(chunk);
      });
      if (stopped) throw STOP;
    })
    .then(() => offer?.(null));
  done.catch(() => offer?.(null));
  return {
    input: {
      async next() {
        const chunk = await chunks;
        chunks = new Promise((r) => (offer = r));
        taken?.();
        if (chunk === null) await done; // the stream's own error (CRC, size) wins over an early end
        return chunk;
      },
    },
    async stop() {
      stopped = true;
      taken?.();
      await done.catch((e) => {
        if (e !== STOP) throw e;
      });
    },
  };
}

/** The skeleton of the ONNX payload, or `undefined` when it does not scan (the caller reads it whole). */
async function scanOnnx(input: ChunkInput, size: number): Promise<PayloadFacts | undefined> {
  try {
    const facts = readPayloadFacts(await onnxSkeleton(input, size), "onnx");
    return facts.failure === undefined ? facts : undefined;
  } catch {
    return undefined;
  }
}

async function lookAtPayload(
  zip: ZipArchive,
  head: ModelFileHead,
  options: LookOptions,
): Promise<{ kind: PayloadKind; payload: PayloadFacts }> {
  const maxBytes = zipLimits(options.limits).maxModelBytes;
  const entry = head.modelEntry;
  const whole = async () => {
    const bytes = await zip.read(entry, maxBytes);
    const kind = sniffPayload(bytes);
    return { kind, payload: readPayloadFacts(bytes, kind) };
  };
  // a small payload is streamed whole, so its CRC-32 is checked; a large STORED one is skipped through by range
  const range = entry.size > (options.rangedFrom ?? RANGED_FROM) ? await zip.storedRange(entry, maxBytes) : undefined;
  if (range) {
    const kind = sniffPayload(await zip.readRange(range.offset, Math.min(8, range.length)));
    if (kind !== "onnx") return kind === "savedmodel" ? whole() : { kind, payload: readPayloadFacts(new Uint8Array(0), kind) };
    const facts = await scanOnnx(rangedChunks({ read: (o, n) => zip.readRange(o, n) }, range.offset, range.length), range.length);
    return facts ? { kind, payload: facts } : whole();
  }
  const stream = inflatedInput(zip, head, maxBytes);
  const first = await stream.input.next();
  const kind = sniffPayload(first ?? new Uint8Array(0));
  if (kind !== "onnx" || !first) {
    await stream.stop();
    return kind === "savedmodel" ? whole() : { kind, payload: readPayloadFacts(new Uint8Array(0), kind) };
  }
  let pending: Uint8Array | null = first;
  const input: ChunkInput = {
    next: async () => {
      const chunk = pending ?? (await stream.input.next());
      pending = null;
      return chunk;
    },
  };
  const facts = await scanOnnx(input, entry.size);
  await stream.stop();
  return facts ? { kind, payload: facts } : whole();
}

/** Look at the model file in `source` (closed when done): metadata, entries and payload facts, not the weights. */
export async function lookAtModel(source: ByteSource, options: LookOptions = {}): Promise<ModelLook> {
  const limits = zipLimits(options.limits);
  const zip = await ZipArchive.open(source, { maxEntries: limits.maxEntries, ...(options.codec ? { codec: options.codec } : {}) });
  try {
    const head = await readModelHead(
      {
        name: zip.name,
        ...(options.path !== undefined ? { path: options.path } : {}),
        entries: zip.entries,
        read: async (entry, maxBytes) => {
          checkEntrySize(entry, maxBytes, limits, zip.name);
          return zip.read(entry, maxBytes);
        },
      },
      options,
    );
    const { kind, payload } = await lookAtPayload(zip, head, options);
    return { head, payloadKind: kind, modelSize: head.modelEntry.size, payload };
  } finally {
    await zip.close();
  }
}
