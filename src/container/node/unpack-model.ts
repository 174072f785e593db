/**
 * `unpackModel(path, targetDir)`: extract every entry of a model file (or any ZIP).
 *
 * Safety: all names are checked first (no absolute paths, drive letters, `..`, NUL; `\` is
 * a separator), sizes are checked against the limits and every entry's CRC-32 is verified,
 * so nothing is ever written outside `targetDir`. All-or-nothing: entries are extracted into
 * a hidden staging folder *inside* `targetDir` (`.czmodel-unpack-XXXX`, same file system),
 * and only when every entry is complete are the files renamed into place (one atomic rename
 * per file). A file of the same name already in the target is refused before anything is
 * written, unless `overwrite` is set (then it is replaced); other files are kept. On error or abort (`signal`, Ctrl-C) the staging
 * folder is removed, and `targetDir` too if this call created it and it is empty. Overlapping
 * entries are refused by the reader, the declared sizes together are bounded, and no folder
 * inside the target that is a symbolic link is written through. Node only.
 */
import { lstat, mkdir, mkdtemp, open, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { cancelled, invalidContainer, ioError, isCzmodelError } from "../../errors.js";
import { checkEntrySize, zipLimits, type ZipLimits } from "../limits.js";
import { safeEntryPath } from "../zip-names.js";
import { openZip } from "./zip-file.js";

export interface UnpackOptions {
  limits?: Partial<ZipLimits>;
  /** Abort (e.g. on Ctrl-C): extraction stops with the signal's reason and the staging folder is removed. */
  signal?: AbortSignal;
  /** Replace files of the same name in the target (default: refuse them, writing nothing). */
  overwrite?: boolean;
}

/** Most bytes one unpack writes in all (README "Limits"): the largest payload plus room for the other entries. */
const MAX_TOTAL_BYTES = 5 * 1024 * 1024 * 1024;

/**
 * Throws when an existing folder between `target` and an entry's place is a symbolic link:
 * extraction never writes through a link it finds inside the target (`checked` caches folders already seen).
 */
async function checkNoSymlinkOnTheWay(target: string, rel: string, checked: Set<string>, archive: string): Promise<void> {
  let at = target;
  for (const part of rel.split("/")) {
    at = join(at, part);
    if (checked.has(at)) continue;
    const found = await lstat(at).catch(() => undefined);
    if (!found) return;
    if (found.isSymbolicLink()) {
      throw invalidContainer(`${at} is a symbolic link; unpack never writes through a link inside the target folder`, { where: archive });
    }
    checked.add(at);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Create `file` (must not exist) and fill it with the chunks `feed` produces. */
async function writeStreamed(file: string, feed: (write: (chunk: Uint8Array) => Promise<void>) => Promise<void>): Promise<void> {
  const fh = await open(file, "wx");
  try {
    await feed(async (chunk) => {
      let off = 0;
      while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
    });
  } finally {
    await fh.close();
  }
}

/** Extract all entries into `targetDir`; returns the absolute paths of the files written, in archive order. */
export async function unpackModel(path: string, targetDir: string, options: UnpackOptions = {}): Promise<string[]> {
  const limits = zipLimits(options.limits);
  const zip = await openZip(path, limits.maxEntries);
  const target = resolve(targetDir);
  let createdTarget = false;
  let staging: string | undefined;
  let succeeded = false;
  try {
    // 1. Check everything before writing anything.
    const plan: Array<{ entry: (typeof zip.entries)[number]; rel: string; dir: boolean }> = [];
    const seen = new Set<string>();
    for (const entry of zip.entries) {
      const rel = safeEntryPath(entry.name, path);
      const dir = rel.endsWith("/");
      const key = rel.replace(/\/$/, "");
      if (!dir) {
        if (seen.has(key)) throw invalidContainer(`entry ${JSON.stringify(entry.name)} appears twice`, { where: path });
        checkEntrySize(entry, limits.maxModelBytes, limits, path);
      }
      seen.add(key);
      plan.push({ entry, rel: key, dir });
    }
    const total = plan.reduce((sum, p) => sum + (p.dir ? 0 : p.entry.size), 0);
    if (total > MAX_TOTAL_BYTES) {
      throw invalidContainer(`entries declare ${total} bytes in all, more than the limit of ${MAX_TOTAL_BYTES} (zip bomb?)`, {
        where: path,
        allowed: `at most ${MAX_TOTAL_BYTES} bytes unpacked`,
      });
    }
    const checked = new Set<string>();
    for (const p of plan) await checkNoSymlinkOnTheWay(target, p.rel, checked, path);
    if (!options.overwrite) {
      for (const p of plan) {
        const final = join(target, ...p.rel.split("/"));
        if (!p.dir && (await exists(final)))
          throw ioError("output already exists", { where: final, allowed: "a new folder, or --overwrite" });
      }
    }
    const dirs = new Set(plan.filter((p) => p.dir).map((p) => p.rel));
    for (const p of plan) {
      if (!p.dir && dirs.has(p.rel))
        throw invalidContainer(`entry ${JSON.stringify(p.entry.name)} is both a file and a folder`, { where: path });
    }

    // 2. Extract into a staging folder inside the target.
    if (!(await exists(target))) {
      await mkdir(target, { recursive: true });
      createdTarget = true;
    }
    staging = await mkdtemp(join(target, ".czmodel-unpack-"));
    for (const p of plan) {
      const dest = join(staging, ...p.rel.split("/"));
      if (!dest.startsWith(staging + sep))
        throw invalidContainer(`entry ${JSON.stringify(p.entry.name)} would leave the target folder`, { where: path });
      if (p.dir) {
        await mkdir(dest, { recursive: true });
        continue;
      }
      await mkdir(join(dest, ".."), { recursive: true });
      options.signal?.throwIfAborted();
      await writeStreamed(dest, (write) =>
        zip.stream(p.entry, limits.maxModelBytes, (chunk) => {
          options.signal?.throwIfAborted();
          return write(chunk);
        }),
      );
    }

    // 3. Move into place (the last moment an abort still leaves nothing).
    options.signal?.throwIfAborted();
    const written: string[] = [];
    for (const p of plan) {
      const final = join(target, ...p.rel.split("/"));
      if (p.dir) {
        await mkdir(final, { recursive: true });
        continue;
      }
      await mkdir(join(final, ".."), { recursive: true });
      await rename(join(staging, ...p.rel.split("/")), final);
      written.push(final);
    }
    succeeded = true;
    return written;
  } catch (e) {
    if (options.signal?.aborted) throw isCzmodelError(options.signal.reason) ? options.signal.reason : cancelled("unpack cancelled");
    if (isCzmodelError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw ioError(`cannot extract into ${target}${code ? ` (${code})` : `: ${e instanceof Error ? e.message : String(e)}`}`, {
      where: path,
      cause: e,
    });
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    if (createdTarget && !succeeded) {
      const left = await readdir(target).catch(() => ["?"]);
      if (left.length === 0) await rmdir(target).catch(() => undefined);
    }
    await zip.close();
  }
}
