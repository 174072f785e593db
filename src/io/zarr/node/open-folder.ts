/**
 * Opens an OME-Zarr folder on disk (Node only) with zarrita's `FileSystemStore`.
 */
import FileSystemStore from "@zarrita/storage/fs";
import { openOmeZarr, type ZarrImageSource } from "../zarr-source.js";

export function openOmeZarrFolder(path: string): Promise<ZarrImageSource> {
  return openOmeZarr(new FileSystemStore(path), path);
}
