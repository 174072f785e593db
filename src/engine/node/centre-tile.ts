/** Node: the numeric check's input tile cut from the centre of an image file (see `../centre-tile.ts`). */
import type { ModelFile } from "../../container/index.js";
import { openImageFile } from "../../io/node/open-file.js";
import { tileFromSource } from "../centre-tile.js";

export async function tileFromImage(file: ModelFile, imagePath: string): Promise<Float32Array> {
  const source = await openImageFile(imagePath);
  try {
    return await tileFromSource(file, source);
  } finally {
    await source.close();
  }
}
