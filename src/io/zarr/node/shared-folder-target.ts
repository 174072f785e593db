/**
 * `KeyValueTarget` on a folder that several processes write at once (Node only): the shards
 * of one sharded prediction (`src/engine/node/shards.ts`). Every file goes through `write`, a
 * temp-then-rename writer (the container layer's `writeFileAtomic` over `bytes/node/atomic.ts`),
 * so a reader or another shard sees a chunk whole or not at all, and writing the same key twice
 * with the same bytes is harmless. There is no temp folder: `commit` and `abort` do nothing, and
 * the chunks a failed shard wrote are complete and stay. `redirect` may store a key elsewhere in
 * the folder (metadata held back until the output is finalized).
 */
import { join } from "node:path";
import type { KeyValueTarget } from "../key-value-target.js";

/** Writes a whole file atomically, creating its folder. */
export type AtomicWriter = (file: string, bytes: Uint8Array) => Promise<void>;

export class SharedFolderTarget implements KeyValueTarget {
  constructor(
    readonly name: string,
    private readonly write: AtomicWriter,
    private readonly redirect: (key: string) => string = (key) => key,
  ) {}

  async set(key: string, bytes: Uint8Array): Promise<void> {
    await this.write(join(this.name, ...this.redirect(key).split("/")), bytes);
  }

  async commit(): Promise<void> {}

  async abort(): Promise<void> {}
}
