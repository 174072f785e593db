/**
 * Image outputs on top of the temp-then-rename helper (`src/bytes/node/atomic.ts`), Node
 * only: the checks that run before any work (target exists, folder writable), the final move
 * with the outputs' own error wording, and that wording. Shared by the file target (PNG,
 * OME-TIFF) and the folder target (OME-Zarr).
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
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

/** A Zarr hierarchy (v2 `.zgroup`/`.zarray`/`.zattrs` or v3 `zarr.json` at its root): what an OME-Zarr output replaces. */
async function isZarrFolder(path: string): Promise<boolean> {
  for (const marker of [".zgroup", ".zattrs", ".zarray", "zarr.json"]) if (await exists(join(path, marker))) return true;
  return false;
}

/**
 * Throws the standard error when `target` exists and may not be replaced. `--overwrite`
 * replaces a file, or a folder only when it is a Zarr hierarchy (an earlier OME-Zarr output):
 * any other folder is the user's and is never removed.
 */
export async function checkTarget(target: string, overwrite: boolean): Promise<void> {
  const found = await stat(target).catch(() => undefined);
  if (!found) return;
  if (!overwrite) throw ioError("output already exists", { where: target, allowed: "a new path, or --overwrite" });
  if (found.isDirectory() && !(await isZarrFolder(target))) {
    throw ioError("a folder that is not an OME-Zarr output is in the way; --overwrite never removes it", {
      where: target,
      allowed: "another output path, or remove the folder yourself",
    });
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
