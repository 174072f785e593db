/**
 * Packing an ONNX file that needs no graph edit without loading it: the graph is looked at
 * through its skeleton (`onnx/skeleton.ts`, weights skipped by range), validated from those
 * facts, and the archive is written piece by piece through the atomic writer: headers from
 * `archivePieces`, the model copied in chunks (each written while the next is read and its
 * CRC-32 computed with `zlib.crc32`),
 * then the model's local header patched with that CRC (the central directory comes after).
 * The bytes equal those `writeArchive` writes (docs/streaming.md). Node only.
 */
import { type FileHandle, open, stat } from "node:fs/promises";
import { crc32 } from "node:zlib";
import { FileByteSource } from "../../bytes/node/file-byte-source.js";
import { archivePieces } from "../../container/build.js";
import { outputFileName } from "../../container/index.js";
import { DEFAULT_ZIP_LIMITS } from "../../container/limits.js";
import { defaultHostByte } from "../../container/node/index.js";
import { readPayloadFacts, type PayloadFacts } from "../../inspect/payload.js";
import type { LegacyModelMetadata, ModelMetadata } from "../../metadata/index.js";
import { onnxSkeleton, rangedChunks } from "../../onnx/skeleton.js";
import { requireFileName } from "../../paths/portable-path.js";
import type { ConvertOptions } from "../options.js";
import { prepareModel } from "../pack.js";
import { loadLicense, writeCreatingFolder, type ConvertResult } from "./convert.js";

/** An ONNX file looked at, not loaded. */
export interface OnnxFileLook {
  path: string;
  size: number;
  facts: PayloadFacts;
}

const CHUNK = 4 << 20;

/**
 * Look at the ONNX file at `path`; `undefined` when it is not a regular file within the model
 * limit, not ONNX, or its graph does not read (the caller then takes the whole-file path, whose
 * messages say why).
 */
export async function lookAtOnnxFile(path: string): Promise<OnnxFileLook | undefined> {
  const found = await stat(path).catch(() => undefined);
  if (!found?.isFile() || found.size === 0 || found.size > DEFAULT_ZIP_LIMITS.maxModelBytes) return undefined;
  const source = await FileByteSource.open(path).catch(() => undefined);
  if (!source) return undefined;
  try {
    if ((await source.read(0, 1))[0] !== 0x08) return undefined;
    const facts = readPayloadFacts(await onnxSkeleton(rangedChunks(source, 0, source.size), source.size), "onnx");
    return facts.onnx && facts.failure === undefined ? { path, size: source.size, facts } : undefined;
  } catch {
    return undefined;
  } finally {
    await source.close();
  }
}

/**
 * The file's chunks in order, read into two buffers in turn: the atomic writer writes a chunk
 * while the next one is read, and is done with it before the one after is asked for.
 */
async function* fileChunks(fh: FileHandle, size: number, buffers: [Uint8Array, Uint8Array]): AsyncIterable<Uint8Array> {
  for (let at = 0, turn = 0; at < size; turn ^= 1) {
    const buffer = buffers[turn]!;
    const { bytesRead } = await fh.read(buffer, 0, Math.min(buffer.length, size - at), at);
    if (bytesRead === 0) throw new Error(`the file shrank while read (at byte ${at} of ${size})`);
    at += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** `writeArchive` for an ONNX file that needs no graph edit (`hasAdaptation` false), in bounded memory. */
export async function writeStreamedArchive(
  look: OnnxFileLook,
  metadata: ModelMetadata | LegacyModelMetadata,
  licenseFile: string | null | undefined,
  outputPath: string,
  outputName: string | undefined,
  options: ConvertOptions,
  where = "pack",
  inputs: (string | null | undefined)[] = [],
): Promise<ConvertResult> {
  if (outputName !== undefined) requireFileName(outputName, "NAME");
  const license = await loadLicense(licenseFile);
  const empty = new Uint8Array(0);
  const input = { payload: { kind: "onnx" as const, bytes: empty }, metadata, license };
  const prepared = prepareModel(input, options, { bytes: empty, warnings: [], steps: [] }, where, look.facts);
  const fh = await open(look.path, "r");
  try {
    const buffers: [Uint8Array, Uint8Array] = [new Uint8Array(CHUNK), new Uint8Array(CHUNK)];
    const zip = { hostByte: defaultHostByte(), ...options };
    // one pass: the model's CRC-32 is computed as it is copied; its local header is patched at the end
    let pieces = archivePieces(prepared.metadata, { size: look.size, crc32: 0 }, license, zip);
    const modelAt = pieces.indexOf(null);
    const headerOffset = pieces.slice(0, modelAt - 1).reduce((n, p) => n + (p?.length ?? 0), 0);
    async function* archive(): AsyncIterable<Uint8Array> {
      for (const piece of pieces.slice(0, modelAt)) if (piece) yield piece;
      let crc = 0;
      for await (const chunk of fileChunks(fh, look.size, buffers)) {
        crc = crc32(chunk, crc);
        yield chunk;
      }
      pieces = archivePieces(prepared.metadata, { size: look.size, crc32: crc }, license, zip);
      for (const piece of pieces.slice(modelAt + 1)) if (piece) yield piece;
    }
    const finish = (patch: (bytes: Uint8Array, position: number) => Promise<void>) => patch(pieces[modelAt - 1]!, headerOffset);
    const guard = { refuse: options.existing === "refuse", inputs: [...inputs, licenseFile] };
    const path = await writeCreatingFolder(outputPath, outputFileName(outputName, prepared.format), archive(), guard, { finish });
    return {
      path,
      format: prepared.format,
      metadata: prepared.metadata,
      ...(prepared.onnx ? { onnx: prepared.onnx } : {}),
      report: prepared.report,
      warnings: prepared.warnings,
      steps: prepared.steps,
    };
  } finally {
    await fh.close();
  }
}
