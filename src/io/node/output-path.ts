/**
 * Temp-then-rename for outputs (Node only): the temp name beside the target, the checks that
 * run before any work (target exists, folder writable) and the final rename. Shared by the
 * file target (PNG, OME-TIFF) and the folder target (OME-Zarr).
 */
import { randomBytes } from "node:crypto";
import { rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ioError } from "../../errors.js";

/** `<dir>/.<name>.<random>.partial`: hidden, in the same folder so that rename is atomic. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(4).toString("hex")}.partial`);
}

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
  let aside: string | undefined;
  try {
    const s = await stat(target).catch(() => undefined);
    if (s?.isDirectory()) {
      aside = tempPathFor(target) + ".old";
      await rename(target, aside);
    }
    await rename(temp, target);
  } catch (e) {
    if (aside) await rename(aside, target).catch(() => undefined);
    throw ioError(describeWriteError(e), { where: target, cause: e });
  }
  if (aside) await rm(aside, { recursive: true, force: true });
}
