/**
 * Image outputs on top of the temp-then-rename helper (`src/bytes/node/atomic.ts`), Node
 * only: the checks that run before any work (target exists, folder writable), the final move
 * with the outputs' own error wording, and that wording. Shared by the file target (PNG,
 * OME-TIFF) and the folder target (OME-Zarr).
 */
import { stat } from "node:fs/promises";
import { moveIntoPlace } from "../../bytes/node/atomic.js";
import { ioError } from "../../errors.js";

/** Why a write failed, in words, from a Node error code. */
export function describeWriteError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "cannot write output: the folder does not exist";
    case "ENOTDIR":
      return "cannot write output: a part of the path is not a folder";
    case "EACCES":
    case "EPERM":
      return "cannot write output: permission denied";
    case "EROFS":
      return "cannot write output: read-only file system";
    case "ENOSPC":
      return "cannot write output: no space left on device";
    case "EISDIR":
      return "cannot write output: a folder of that name exists";
    default:
      return `cannot write output (${code ?? String(e)})`;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Throws the standard error when `target` exists and may not be replaced. */
export async function checkTarget(target: string, overwrite: boolean): Promise<void> {
  if (!overwrite && (await exists(target))) {
    throw ioError("output already exists", { where: target, allowed: "a new path, or --overwrite" });
  }
}

/**
 * Move `temp` to `target`. A file replaces a file atomically; an existing folder (OME-Zarr) is
 * moved aside first and removed after the new one is in place.
 */
export async function renameIntoPlace(temp: string, target: string, overwrite: boolean): Promise<void> {
  await checkTarget(target, overwrite);
  try {
    await moveIntoPlace(temp, target, { replaceFolder: true });
  } catch (e) {
    throw ioError(describeWriteError(e), { where: target, cause: e });
  }
}
