/**
 * Opens an OME-Zarr folder on disk (Node only): a `ByteSourceStore` whose keys are files in
 * the folder, each read through a `FileByteSource`.
 */
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { invalidImage } from "../../../errors.js";
import { FileByteSource } from "../../../bytes/node/file-byte-source.js";
import { ByteSourceStore } from "../byte-source-store.js";
import { openOmeZarr, type ZarrImageSource } from "../zarr-source.js";

/** The store over the folder `root`: a missing file is a missing key; a symbolic link is refused, never followed. */
function folderStore(root: string): ByteSourceStore {
  return new ByteSourceStore(async (key) => {
    const path = join(root, key);
    if ((await lstat(path).catch(() => undefined))?.isSymbolicLink()) {
      throw invalidImage("is a symbolic link; the values of an OME-Zarr store must be regular files in it", { where: path });
    }
    try {
      return await FileByteSource.open(path);
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
