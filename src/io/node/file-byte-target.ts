/**
 * `ByteTarget` on a file (Node only): bytes go to a hidden temp file beside the output
 * (`.<name>.<random>.partial`), which `commit()` renames to the output path and `abort()`
 * deletes, so a failed or cancelled job leaves no partial output. The temp file is created
 * by `create()`, so an unwritable output folder fails before any work is done.
 */
import { open, type FileHandle } from "node:fs/promises";
import { discardTemp, tempPathFor } from "../../bytes/node/atomic.js";
import { writeFully } from "../../bytes/node/write-fully.js";
import { cancelled, internalError, ioError } from "../../errors.js";
import type { ByteTarget } from "../byte-target.js";
import { checkTarget, describeWriteError, renameIntoPlace } from "./output-path.js";

export interface FileTargetOptions {
  /** Replace an existing output (default false: an existing output is an error). */
  overwrite?: boolean;
}

export class FileByteTarget implements ByteTarget {
  private handle: FileHandle | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private finished = false;
  private aborted = false;

  private constructor(
    readonly name: string,
    readonly tempPath: string,
    handle: FileHandle,
    private readonly overwrite: boolean,
  ) {
    this.handle = handle;
  }

  static async create(path: string, options: FileTargetOptions = {}): Promise<FileByteTarget> {
    const overwrite = options.overwrite ?? false;
    await checkTarget(path, overwrite);
    const temp = tempPathFor(path);
    try {
      return new FileByteTarget(path, temp, await open(temp, "wx"), overwrite);
    } catch (e) {
      throw ioError(describeWriteError(e), { where: path, cause: e });
    }
  }

  async write(offset: number, bytes: Uint8Array): Promise<void> {
    const handle = this.handle;
    if (this.aborted) throw cancelled("output aborted", { where: this.name });
    if (!handle) throw internalError("write after the output was committed", { where: this.name });
    const write = writeFully(handle, bytes, offset);
    this.inFlight.add(write);
    try {
      await write;
    } catch (e) {
      throw ioError(describeWriteError(e), { where: this.name, cause: e });
    } finally {
      this.inFlight.delete(write);
    }
  }

  async commit(): Promise<void> {
    if (this.finished) return;
    const handle = this.handle;
    this.handle = undefined;
    await Promise.allSettled([...this.inFlight]);
    try {
      await handle?.close();
    } catch (e) {
      throw ioError(describeWriteError(e), { where: this.name, cause: e });
    }
    await renameIntoPlace(this.tempPath, this.name, this.overwrite);
    this.finished = true;
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.aborted = true;
    const handle = this.handle;
    this.handle = undefined;
    await Promise.allSettled([...this.inFlight]);
    await handle?.close().catch(() => undefined);
    await discardTemp(this.tempPath);
  }
}
