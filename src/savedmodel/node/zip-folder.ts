/**
 * Zips a TensorFlow SavedModel folder the way czmodel's TensorFlow fallback does (docs/formats.md#model-payload):
 * a STORED zip whose entries are the folder's files only (no directory entries), named by their
 * path relative to the folder with `/` separators.
 *
 * Order: Python's `os.walk` (top-down: a folder's files, then each subfolder in turn). `os.walk`
 * lists names in the filesystem's directory order, which is not reproducible across machines, so
 * we sort names (by UTF-16 code unit, = Python's code-point order for BMP names) at every level.
 * Each entry carries the file's mtime and, like Python's `ZipFile.write`, Unix host byte and
 * `(st_mode & 0xFFFF) << 16` external attributes. Symbolic links to folders are not followed
 * (`os.walk` default); symbolic links to files are read through.
 *
 * Writer: fflate `zipSync` at level 0 (STORED), because the project's own zip writer
 * (`src/container/zip-writer.ts`) did not exist yet when this was written; byte-compatibility
 * with Python's zipfile is not required for this payload. Node only.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { zipSync, type Zippable } from "fflate";
import { invalidModel, ioError } from "../../errors.js";

/** Relative paths (with `/`) of every file under `dir`, in the order described above. */
export async function listSavedModelFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(abs: string, rel: string): Promise<void> {
    const entries = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const dirs: string[] = [];
    for (const e of entries) {
      const path = join(abs, e.name);
      if (e.isDirectory()) dirs.push(e.name);
      else if (e.isFile()) out.push(rel + e.name);
      else if (e.isSymbolicLink()) {
        const s = await stat(path).catch(() => undefined);
        if (s?.isFile()) out.push(rel + e.name);
      }
    }
    for (const d of dirs) await walk(join(abs, d), `${rel}${d}/`);
  }
  await walk(dir, "");
  return out;
}

/** Bytes of a STORED zip of the SavedModel folder `dir`. */
export async function zipSavedModelFolder(dir: string): Promise<Uint8Array> {
  const s = await stat(dir).catch((cause: unknown) => {
    throw ioError("cannot read the SavedModel folder", { where: dir, cause });
  });
  if (!s.isDirectory()) throw invalidModel("not a TensorFlow SavedModel: not a folder", { where: dir });
  const pb = await stat(join(dir, "saved_model.pb")).catch(() => undefined);
  if (!pb?.isFile()) throw invalidModel("not a TensorFlow SavedModel: saved_model.pb is missing", { where: dir });

  const files = await listSavedModelFiles(dir);
  const zippable: Zippable = {};
  for (const rel of files) {
    const abs = join(dir, ...rel.split("/"));
    const [data, st] = await Promise.all([readFile(abs), stat(abs)]);
    zippable[rel] = [
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      { level: 0, mtime: st.mtime, os: 3, attrs: (st.mode & 0xffff) << 16 },
    ];
  }
  return zipSync(zippable, { level: 0 });
}
