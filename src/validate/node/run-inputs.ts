/** Node: a numeric-check input tile cut from an image file (see `../run-inputs.ts`). */
import type { ModelFile } from "../../container/index.js";
import { openImageFile } from "../../io/node/open-file.js";
import { tileFromSource } from "../run-inputs.js";

export { numericMetaFor } from "../run-inputs.js";

export async function tileFromImage(file: ModelFile, imagePath: string): Promise<Float32Array> {
  const source = await openImageFile(imagePath);
  try {
    return await tileFromSource(file, source);
  } finally {
    await source.close();
  }
}
