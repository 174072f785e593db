/**
 * `writeFileAtomic(path, data)`: write a file so that readers see either the old file or
 * the complete new one, never a partial one: the bytes go to a temporary file beside `path`
 * (`src/bytes/node/atomic.ts`, the same temp-then-rename the image outputs use), are flushed
 * to disk, and the temp file is moved over `path`. On any failure the temp file is removed and `path` is
 * untouched. Accepts one buffer or a (sync or async) sequence of chunks, so a multi-GB
 * archive can be written piece by piece without joining it. Node only.
 */
import { type FileHandle, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { discardTemp, moveIntoPlace, tempPathFor } from "../../bytes/node/atomic.js";
import { ioError, isCzmodelError } from "../../errors.js";

export type WriteData = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface WriteFileAtomicOptions {
  /** File mode for a new file (default 0o666 minus umask). */
  mode?: number;
  /** Create the parent folder if missing (default false). */
  createDir?: boolean;
  /** Flush to disk before the rename (default true). */
  fsync?: boolean;
  /**
   * Called after the data is written, before the flush: `patch` overwrites bytes already written
   * (a streaming writer fills in a header whose checksum it knew only at the end).
   */
  finish?: (patch: (bytes: Uint8Array, position: number) => Promise<void>) => Promise<void>;
}

async function* chunksOf(data: WriteData): AsyncIterable<Uint8Array> {
  if (data instanceof Uint8Array) {
    yield data;
    return;
  }
  for await (const chunk of data as AsyncIterable<Uint8Array>) yield chunk;
}

export async function writeFileAtomic(path: string, data: WriteData, options: WriteFileAtomicOptions = {}): Promise<void> {
  if (options.createDir) await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, "wx", options.mode ?? 0o666);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    throw ioError(`cannot create a file in ${dirname(path)} (${code})`, { where: path, cause: e });
  }
  try {
    for await (const chunk of chunksOf(data)) {
      let off = 0;
      while (off < chunk.length) {
        const { bytesWritten } = await fh.write(chunk, off, Math.min(chunk.length - off, 1 << 30));
        off += bytesWritten;
      }
    }
    const handle = fh;
    await options.finish?.(async (bytes, position) => {
      for (let off = 0; off < bytes.length; ) off += (await handle.write(bytes, off, bytes.length - off, position + off)).bytesWritten;
    });
    if (options.fsync ?? true) await fh.datasync();
    await fh.close();
    fh = undefined;
    await moveIntoPlace(tmp, path);
  } catch (e) {
    if (fh) await fh.close().catch(() => undefined);
    await discardTemp(tmp).catch(() => undefined);
    if (isCzmodelError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw ioError(`cannot write the file${code ? ` (${code})` : `: ${e instanceof Error ? e.message : String(e)}`}`, {
      where: path,
      cause: e,
    });
  }
}
