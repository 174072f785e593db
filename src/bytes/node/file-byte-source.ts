/**
 * `ByteSource` over a file on disk (Node only): positioned reads through one `FileHandle`,
 * so a multi-GB file is never loaded whole; `readInto` reads into the caller's buffer.
 */
import { open, stat as statPath, type FileHandle } from "node:fs/promises";
import { internalError, ioError } from "../../errors.js";
import { checkRange, type ByteReaderInto, type ByteSource } from "../byte-source.js";

export class FileByteSource implements ByteSource, ByteReaderInto {
  private closed = false;
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    readonly name: string,
  ) {}

  static async open(path: string): Promise<FileByteSource> {
    // opening a FIFO blocks until a writer comes, and a device never ends: refuse both first
    const found = await statPath(path).catch(() => undefined);
    if (found && !found.isFile() && !found.isDirectory())
      throw ioError("is not a regular file (a device, pipe or socket)", { where: path });
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a folder, not a file" : `cannot open (${code ?? String(e)})`;
      throw ioError(why, { where: path, cause: e });
    }
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      await handle.close();
      throw ioError("is a folder, not a file", { where: path });
    }
    return new FileByteSource(handle, stat.size, path);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    return this.readInto(offset, length, new Uint8Array(length));
  }

  /** `read` into `out` (`ByteReaderInto`), which must hold at least `length` bytes. */
  async readInto(offset: number, length: number, into: Uint8Array): Promise<Uint8Array> {
    checkRange(this, offset, length);
    if (into.byteLength < length)
      throw internalError(`readInto: a ${into.byteLength}-byte buffer cannot hold ${length} bytes`, { where: this.name });
    const out = into.byteLength === length ? into : into.subarray(0, length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(out, done, length - done, offset + done);
      if (bytesRead === 0) throw ioError(`unexpected end of file at byte ${offset + done}`, { where: this.name });
      done += bytesRead;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
