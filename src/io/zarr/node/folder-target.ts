/**
 * `KeyValueTarget` on a folder (Node only): files go into a hidden temp folder beside the
 * output (`.<name>.<random>.partial`), which `commit()` renames to the output path and
 * `abort()` deletes. The temp folder is created by `create()`, so an unwritable output folder
 * fails before any work is done.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { discardTemp, tempPathFor } from "../../../bytes/node/atomic.js";
import { cancelled, ioError } from "../../../errors.js";
import { checkTarget, describeWriteError, renameIntoPlace } from "../../node/output-path.js";
import type { KeyValueTarget } from "../key-value-target.js";

export class FolderTarget implements KeyValueTarget {
  private readonly madeDirs = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private finished = false;
  private aborted = false;

  private constructor(
    readonly name: string,
    readonly tempPath: string,
    private readonly overwrite: boolean,
  ) {}

  static async create(path: string, options: { overwrite?: boolean } = {}): Promise<FolderTarget> {
    const overwrite = options.overwrite ?? false;
    await checkTarget(path, overwrite);
    const temp = tempPathFor(path);
    try {
      await mkdir(temp);
    } catch (e) {
      throw ioError(describeWriteError(e), { where: path, cause: e });
    }
    return new FolderTarget(path, temp, overwrite);
  }

  async set(key: string, bytes: Uint8Array): Promise<void> {
    if (this.aborted) throw cancelled("output aborted", { where: this.name });
    const write = this.write(key, bytes);
    this.inFlight.add(write);
    try {
      await write;
    } finally {
      this.inFlight.delete(write);
    }
  }

  private async write(key: string, bytes: Uint8Array): Promise<void> {
    const file = join(this.tempPath, ...key.split("/"));
    const dir = dirname(file);
    try {
      if (!this.madeDirs.has(dir)) {
        await mkdir(dir, { recursive: true });
        this.madeDirs.add(dir);
      }
      await writeFile(file, bytes);
    } catch (e) {
      throw ioError(describeWriteError(e), { where: this.name, cause: e });
    }
  }

  async commit(): Promise<void> {
    if (this.finished) return;
    await renameIntoPlace(this.tempPath, this.name, this.overwrite);
    this.finished = true;
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.aborted = true;
    await Promise.allSettled([...this.inFlight]); // a write still running could recreate folders
    await discardTemp(this.tempPath);
  }
}
