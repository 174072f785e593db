/**
 * Temp-then-rename, the one way files and folders are written so that readers see the old
 * output or the complete new one, never a partial one (Node only). The temp path lies beside
 * the target (same folder, so same file system and the final rename is atomic) and is hidden:
 * `.<name>.<host>-<pid>-<8 hex digits>.partial`. Callers write the temp file or folder, then
 * either `moveIntoPlace` it or `discardTemp` it. Errors are Node's own; callers word them.
 *
 * A process killed with SIGKILL (or a lost machine) cannot remove its temp; the host and pid in
 * the name let the next run to the same target find it and remove it once that process is gone
 * (`removeStaleTemps`). Temps of other machines are left alone (their pids mean nothing here),
 * unless they are older than a day.
 */
import { randomBytes } from "node:crypto";
import { readdir, rename, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";

/** This machine's name as it goes into temp names: letters, digits and dashes only. */
const HOST =
  hostname()
    .replace(/[^A-Za-z0-9-]/g, "")
    .slice(0, 40) || "host";

/** A temp whose owner cannot be checked is stale after this long. */
const STALE_AFTER_MS = 24 * 3600 * 1000;

/** `<dir>/.<name>.<host>-<pid>-<random>.partial`: hidden, in the same folder as `target`. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${HOST}-${process.pid}-${randomBytes(4).toString("hex")}.partial`);
}

/** Whether process `pid` of this machine still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Remove the temp outputs of `target` that nothing will finish: those of a process of this
 * machine that no longer runs, and any older than a day. Returns the names removed.
 */
async function removeStaleTemps(target: string): Promise<string[]> {
  const dir = dirname(target);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.(?:([A-Za-z0-9-]+)-(\\d+)-)?[0-9a-f]{8}\\.partial(?:\\.old)?$`);
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = pattern.exec(name);
    if (!m) continue;
    const ownerGone = m[1] === HOST && !alive(Number(m[2]));
    const old = !ownerGone && Date.now() - ((await stat(join(dir, name)).catch(() => undefined))?.mtimeMs ?? Date.now()) > STALE_AFTER_MS;
    if (!ownerGone && !old) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * `removeStaleTemps` for each of a run's `targets`, before the run creates its own: the
 * warnings it reports, one per temp removed.
 */
export async function removeStaleTempsOf(targets: readonly string[]): Promise<string[]> {
  const warnings: string[] = [];
  for (const target of targets)
    for (const name of await removeStaleTemps(target)) warnings.push(`removed ${name}, a temp output that a killed run left behind`);
  return warnings;
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
