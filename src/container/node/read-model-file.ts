/**
 * `readModelFile(path)`: read a `.czann` / `.czmodel` / `.czseg` from disk with the ranged
 * ZIP reader (`node:zlib` inflation). Only the central directory and the needed entries are
 * read; the model payload goes into one buffer of its exact size (a multi-GB model is never
 * held twice) and its CRC-32 is verified. Node only.
 */
import type { ModelFile, ReadModelOptions } from "../model-file.js";
import { readModelFromSource } from "../read-model-source.js";
import { NODE_ZIP_CODEC, openZipSource } from "./zip-file.js";

export async function readModelFile(path: string, options: ReadModelOptions = {}): Promise<ModelFile> {
  return readModelFromSource(await openZipSource(path), { ...options, codec: NODE_ZIP_CODEC, path });
}
