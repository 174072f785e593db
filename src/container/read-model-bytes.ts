/**
 * `readModelFileBytes(bytes, name)`: read a `.czann` / `.czmodel` / `.czseg` held in memory
 * (fetched bytes, small files in Node) with the ranged ZIP reader over a `MemoryByteSource`.
 * STORED entries are views into `bytes` (no copy). Isomorphic.
 */
import { MemoryByteSource } from "../bytes/byte-source.js";
import type { ModelFile, ReadModelOptions } from "./model-file.js";
import { readModelFromSource } from "./read-model-source.js";

export async function readModelFileBytes(bytes: Uint8Array, name = "<memory>", options: ReadModelOptions = {}): Promise<ModelFile> {
  return readModelFromSource(new MemoryByteSource(bytes, name), options);
}
