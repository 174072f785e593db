/** `lookAtModelFile`: the Node file form of `lookAtModel` (ranged reads of the zip on disk, `node:zlib`). */
import { NODE_ZIP_CODEC, openZipSource } from "../../container/node/zip-file.js";
import { lookAtModel, type LookOptions, type ModelLook } from "../look.js";

/** Metadata, entries and payload facts of a model file, without loading its weights (`inspect`). */
export async function lookAtModelFile(path: string, options: Pick<LookOptions, "rangedFrom"> = {}): Promise<ModelLook> {
  return lookAtModel(await openZipSource(path), { ...options, codec: NODE_ZIP_CODEC, path });
}
