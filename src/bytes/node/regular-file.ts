/**
 * Reading a whole file the user named, safely (Node only): it must be a regular file (a folder,
 * a device such as /dev/zero or a FIFO would read forever or block), and its size is checked
 * against the caller's limit before a byte is read, then again on what was read.
 */
import { readFile, stat } from "node:fs/promises";
import { ioError } from "../../errors.js";

export interface RegularFileOptions {
  /** What the file is, for messages: "model", "licence file", "conversion spec". */
  what: string;
  /** The largest size accepted. */
  maxBytes: number;
}

/** Throws a one-line error unless `path` is a regular file of at most `maxBytes`. Returns its size. */
async function requireRegularFile(path: string, { what, maxBytes }: RegularFileOptions): Promise<number> {
  const found = await stat(path).catch((cause: unknown) => {
    throw ioError(`${what} not found`, { where: path, cause });
  });
  if (found.isDirectory()) throw ioError(`${what} is a folder, not a file`, { where: path });
  if (!found.isFile()) throw ioError(`${what} is not a regular file (a device, pipe or socket)`, { where: path });
  if (found.size > maxBytes) throw ioError(`${what} has ${found.size} bytes`, { where: path, allowed: `at most ${maxBytes} bytes` });
  return found.size;
}

/** The bytes of a regular file of at most `maxBytes` (see `requireRegularFile`). */
export async function readRegularFile(path: string, options: RegularFileOptions): Promise<Uint8Array> {
  await requireRegularFile(path, options);
  const bytes = await readFile(path).catch((cause: unknown) => {
    throw ioError(`cannot read the ${options.what}`, { where: path, cause });
  });
  if (bytes.byteLength > options.maxBytes) {
    throw ioError(`${options.what} grew to ${bytes.byteLength} bytes while read`, {
      where: path,
      allowed: `at most ${options.maxBytes} bytes`,
    });
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
