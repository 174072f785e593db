/**
 * Key/value targets: where the OME-Zarr sink writes its files (`.zgroup`, `.zattrs`,
 * `0/.zarray`, chunk files `0/t/c/z/y/x`). `commit()` makes the store visible under its final
 * name, `abort()` removes everything written. The Node target
 * (`src/io/zarr/node/folder-target.ts`) writes into a hidden temp folder beside the output and
 * renames it on commit. Isomorphic: no `node:*` imports.
 */

export interface KeyValueTarget {
  /** A name for messages (the final output path). */
  readonly name: string;
  /** Write one file of the store; `key` uses `/` separators, no leading slash. */
  set(key: string, bytes: Uint8Array): Promise<void>;
  commit(): Promise<void>;
  /** Remove anything written. Safe to call more than once. */
  abort(): Promise<void>;
}

/** A `KeyValueTarget` in memory (browser, tests). */
export class MemoryKeyValueTarget implements KeyValueTarget {
  readonly entries = new Map<string, Uint8Array>();
  committed = false;

  constructor(readonly name = "<memory>") {}

  async set(key: string, bytes: Uint8Array): Promise<void> {
    this.entries.set(key, bytes.slice());
  }
  async commit(): Promise<void> {
    this.committed = true;
  }
  async abort(): Promise<void> {
    this.entries.clear();
  }
}
