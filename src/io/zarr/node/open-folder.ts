/**
 * Opens an OME-Zarr folder on disk (Node only): a `ByteSourceStore` whose keys are files in
 * the folder, each read through a `FileByteSource`.
 */
import { join } from "node:path";
import { FileByteSource } from "../../../bytes/node/file-byte-source.js";
import { ByteSourceStore } from "../byte-source-store.js";
import { openOmeZarr, type ZarrImageSource } from "../zarr-source.js";

/** The store over the folder `root`: a missing file is a missing key. */
function folderStore(root: string): ByteSourceStore {
  return new ByteSourceStore(async (key) => {
    try {
      return await FileByteSource.open(join(root, key));
    } catch (e) {
      const code = ((e as { cause?: NodeJS.ErrnoException }).cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw e;
    }
  });
}

export function openOmeZarrFolder(path: string): Promise<ZarrImageSource> {
  return openOmeZarr(folderStore(path), path);
}
