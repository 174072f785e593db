/**
 * Node convenience: open a CZI file by path (positioned reads through one file handle;
 * `close()` on the image closes the file; JPEG-XR subblocks decoded in a worker thread).
 */
import { FileByteSource } from "../../../bytes/node/file-byte-source.js";
import { openCzi, type CziImage, type CziOpenOptions } from "../czi-image.js";
import { decodeJxrInWorker } from "./jxr-thread.js";

export async function openCziFile(path: string, options?: CziOpenOptions): Promise<CziImage> {
  const source = await FileByteSource.open(path);
  try {
    return await openCzi(source, { decodeJxr: decodeJxrInWorker, ...options });
  } catch (e) {
    await source.close();
    throw e;
  }
}
