/**
 * The files of a multi-file OME-TIFF. `tiffDataFile` decides which file holds a TiffData's
 * planes: the file being read when its `UUID` is the file's own root UUID (whatever FileName
 * says: a renamed file), else when its FileName is the file's name, else the sibling named by
 * FileName — a plain name in the same folder, never a path. `SiblingFiles` opens siblings
 * through a callback (Node gives one for files opened by path), keeps at most `maxOpen` of
 * them open (least recently used closed first, never one being read), checks each the first
 * time it is used, and names a missing sibling with its UUID. Isomorphic.
 */
import { invalidImage, invalidMetadata, ioError, unsupported } from "../../errors.js";
import type { ByteSource } from "../../bytes/byte-source.js";
import { MAX_COMPANION_BYTES } from "../limits.js";
import type { BlockReader } from "./block-reader.js";
import type { OmeTiffData } from "./ome-xml-read.js";
import { readTiffPages, type TiffPages } from "./tiff-pages.js";

/** Files beside the input, by plain name. */
export interface OpenSibling {
  /** Open one; `null` when there is no such file. */
  open(fileName: string): Promise<ByteSource | null>;
  /** Whether it is there (without opening it). */
  exists(fileName: string): Promise<boolean>;
}

/** A TIFF of the set, open, with its block reader. */
export interface OpenTiff extends TiffPages {
  blocks: BlockReader;
}

/** The file being read: its name (no folder) and root UUID. */
export interface SelfFile {
  name: string;
  uuid?: string;
}

/** The whole text of an OME-XML metadata file (a companion `.ome`), at most `MAX_COMPANION_BYTES`. */
export async function readMetadataText(source: ByteSource): Promise<string> {
  if (source.size > MAX_COMPANION_BYTES) {
    throw unsupported(`OME-XML metadata file of ${source.size} bytes is too large`, {
      where: source.name,
      allowed: `at most ${MAX_COMPANION_BYTES} bytes`,
    });
  }
  return new TextDecoder().decode(await source.read(0, source.size));
}

/** The last part of a path (either separator). */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** Refuse a FileName that is not a plain file name in the input's folder. */
export function checkSiblingName(name: string, where: string): void {
  if (name === "" || name === "." || name === ".." || /[\\/\0]/.test(name) || /^[A-Za-z]:/.test(name)) {
    throw invalidMetadata(`OME-XML names the file "${name}", which is not a plain file name`, {
      where,
      allowed: "a file name in the same folder (no folders, no ..)",
    });
  }
}

/** Which file holds `td`'s planes: `null` for the file being read, else a sibling's name. */
export function tiffDataFile(td: OmeTiffData, self: SelfFile, where: string): string | null {
  if (td.uuid !== undefined && td.uuid === self.uuid) return null;
  if (td.fileName === undefined) {
    if (td.uuid === undefined) return null;
    throw invalidMetadata(`OME-XML stores planes in the file with UUID ${td.uuid} but gives no FileName to find it by`, { where });
  }
  if (td.fileName === self.name) return null;
  checkSiblingName(td.fileName, where);
  return td.fileName;
}

/** The one-line refusal where a set of files cannot be reached (a single Blob in the browser). */
export function noSiblings(fileName: string, uuid: string | undefined, where: string): Error {
  return unsupported(
    `multi-file OME-TIFF: data is stored in "${fileName}"${uuid ? ` (UUID ${uuid})` : ""}, which cannot be reached from a single file`,
    { where, allowed: "a file set opened by path (Node: czmodel or openImageFile)" },
  );
}

/** The root `UUID` of the OME-XML in a TIFF's first ImageDescription, if any. */
function rootUuid(description: string | undefined): string | undefined {
  return description?.slice(0, 4096).match(/<(?:[\w.-]+:)?OME\b[^>]*?\sUUID\s*=\s*"([^"]*)"/)?.[1];
}

interface Entry {
  users: number;
  checked: boolean;
  ready: Promise<OpenTiff>;
}

export interface SiblingOptions {
  maxOpen: number;
  maxPages?: number;
  /** A block reader for a sibling's pages. */
  blocks: (pages: TiffPages) => BlockReader;
}

export class SiblingFiles {
  private readonly entries = new Map<string, Entry>();
  private readonly uuids = new Map<string, string>();
  /** Checks a sibling's pages against the layout; set once the layout is known. */
  check: ((name: string, tiff: OpenTiff) => void) | undefined;

  constructor(
    private readonly inputName: string,
    private readonly open: OpenSibling,
    private readonly options: SiblingOptions,
  ) {}

  /** Record the UUID a TiffData gives for `name` (a sibling holding another UUID is refused). */
  note(name: string, uuid: string | undefined): void {
    if (uuid !== undefined && !this.uuids.has(name)) this.uuids.set(name, uuid);
  }

  /** Names of the siblings met so far. */
  get names(): string[] {
    return [...this.uuids.keys()];
  }

  private missing(name: string): Error {
    const uuid = this.uuids.get(name);
    return ioError(`file "${name}"${uuid ? ` (UUID ${uuid})` : ""} of this multi-file OME-TIFF is missing from its folder`, {
      where: this.inputName,
    });
  }

  private async openSource(name: string): Promise<ByteSource> {
    const source = await this.open.open(name);
    if (source) return source;
    throw this.missing(name);
  }

  /** Refuse the set now when a sibling met so far is not in the folder (files are only looked at, not opened). */
  async checkPresent(): Promise<void> {
    const names = this.names;
    for (let i = 0; i < names.length; i += 64) {
      const batch = names.slice(i, i + 64);
      const found = await Promise.all(batch.map((n) => this.open.exists(n)));
      const gone = found.indexOf(false);
      if (gone >= 0) throw this.missing(batch[gone]!);
    }
  }

  /** The text of a sibling metadata file (a companion `.ome`), read whole and closed. */
  async readText(name: string, uuid: string | undefined): Promise<string> {
    this.note(name, uuid);
    const source = await this.openSource(name);
    try {
      return await readMetadataText(source);
    } finally {
      await source.close();
    }
  }

  private async load(name: string): Promise<OpenTiff> {
    const source = await this.openSource(name);
    try {
      const pages = await readTiffPages(source, this.options.maxPages);
      const expected = this.uuids.get(name);
      const found = rootUuid(pages.ifds[0]?.description);
      if (expected !== undefined && found !== undefined && found !== expected) {
        throw invalidImage(`holds UUID ${found} but the OME-XML expects ${expected} for "${name}"`, { where: source.name });
      }
      return { ...pages, blocks: this.options.blocks(pages) };
    } catch (e) {
      await source.close();
      throw e;
    }
  }

  /** Open (or reuse) sibling `name` for a read; pair with `release`. */
  async acquire(name: string): Promise<OpenTiff> {
    if (!this.entries.has(name)) await this.evict(this.options.maxOpen - 1); // make room before opening
    let entry = this.entries.get(name);
    if (entry) this.entries.delete(name);
    else entry = { users: 0, checked: false, ready: this.load(name) };
    this.entries.set(name, entry); // most recently used last
    entry.users++;
    try {
      const tiff = await entry.ready;
      if (!entry.checked && this.check) {
        this.check(name, tiff);
        entry.checked = true;
      }
      return tiff;
    } catch (e) {
      entry.users--;
      if (this.entries.get(name) === entry) this.entries.delete(name);
      throw e;
    } finally {
      await this.evict(this.options.maxOpen);
    }
  }

  release(name: string): void {
    const entry = this.entries.get(name);
    if (entry) entry.users--;
    void this.evict(this.options.maxOpen);
  }

  /** Close least recently used files nobody is reading until at most `limit` stay open. */
  private async evict(limit: number): Promise<void> {
    for (const [name, entry] of this.entries) {
      if (this.entries.size <= limit) break;
      if (entry.users > 0) continue;
      this.entries.delete(name);
      await entry.ready.then(
        (tiff) => tiff.source.close(),
        () => undefined,
      );
    }
  }

  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.ready.then((t) => t.source.close()).catch(() => undefined)));
  }
}
