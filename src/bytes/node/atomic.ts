/**
 * Temp-then-rename, the one way files and folders are written so that readers see the old
 * output or the complete new one, never a partial one (Node only). The temp path lies beside
 * the target (same folder, so same file system and the final rename is atomic) and is hidden:
 * `.<name>.<8 hex digits>.partial`. Callers write the temp file or folder, then either
 * `moveIntoPlace` it or `discardTemp` it. Errors are Node's own; callers word them.
 */
import { randomBytes } from "node:crypto";
import { rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** `<dir>/.<name>.<random>.partial`: hidden, in the same folder as `target`. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(4).toString("hex")}.partial`);
}

export interface MoveIntoPlaceOptions {
  /**
   * Replace an existing folder at `target` (default false): it is moved aside, the temp is
   * renamed into place, and the old folder is removed; if the rename fails the old folder is
   * moved back. Without it, a folder at `target` makes the rename fail.
   */
  replaceFolder?: boolean;
}

/** Rename `temp` to `target` (a file replaces a file atomically). Throws Node's error. */
export async function moveIntoPlace(temp: string, target: string, options: MoveIntoPlaceOptions = {}): Promise<void> {
  let aside: string | undefined;
  if (options.replaceFolder) {
    const s = await stat(target).catch(() => undefined);
    if (s?.isDirectory()) {
      aside = `${tempPathFor(target)}.old`;
      await rename(target, aside);
    }
  }
  try {
    await rename(temp, target);
  } catch (e) {
    if (aside) await rename(aside, target).catch(() => undefined);
    throw e;
  }
  if (aside) await discardTemp(aside);
}

/** Remove a temp file or folder; a missing one is fine. */
export async function discardTemp(temp: string): Promise<void> {
  await rm(temp, { recursive: true, force: true });
}
