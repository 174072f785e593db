/**
 * `unpackModel(path, targetDir)`: extract every entry of a model file (or any ZIP).
 *
 * Safety: all names are checked first (no absolute paths, drive letters, `..`, NUL; `\` is
 * a separator), sizes are checked against the limits and every entry's CRC-32 is verified,
 * so nothing is ever written outside `targetDir`. All-or-nothing: entries are extracted into
 * a hidden staging folder *inside* `targetDir` (`.czmodel-unpack-XXXX`, same file system),
 * and only when every entry is complete are the files renamed into place (one atomic rename
 * per file, replacing files of the same name). On error the staging folder is removed, and
 * `targetDir` too if this call created it and it is empty. Node only.
 */
import { mkdir, mkdtemp, open, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { invalidContainer, ioError, isCzmodelError } from "../../errors.js";
import { checkEntrySize, zipLimits, type ZipLimits } from "../limits.js";
import { safeEntryPath } from "../zip-names.js";
import { openZip } from "./zip-file.js";

export interface UnpackOptions {
  limits?: Partial<ZipLimits>;
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
      await writeStreamed(dest, (write) => zip.stream(p.entry, limits.maxModelBytes, write));
    }

    // 3. Move into place.
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
