/**
 * The decoded-block cache of the TIFF reader (`block-reader.ts`), with an eviction policy
 * made for how the prediction engine reads: model tiles (ROIs) in raster order, tile row after
 * tile row, left to right, neighbouring ROIs overlapping by twice the border.
 *
 * Why not plain LRU: a block in the bottom block row of a tile row is read again only by the
 * next tile row, a whole image width later, while the blocks above it are not read again once
 * the next tile to the right has been read. Plain LRU evicts by age, so it keeps the bottom
 * row only if the ~3 block rows a tile row touches fit — a cache that grows with the width of
 * the image (4 block rows: 128 MiB for a 32768-wide uint16 image with 512² blocks).
 *
 * The policy keeps two tiers:
 * - **recent**: every block touched by the last `window` region reads (`window` = how many
 *   reads pass between two reads of the same plane, 1 when one plane is read per tile, so a
 *   tile's blocks live until the next tile has read the ones it shares), and at least
 *   `recentFloorBytes` of the most recently used blocks whatever their age (small reads,
 *   random access).
 * - **carry**: a read marks the blocks that reach into its last `carryRows` rows (or below
 *   them) — the rows the next tile row reads again. When a marked block leaves the recent
 *   tier it is trimmed to those rows (a copy of its lower part; copying is far cheaper than
 *   decoding again) and kept here until a read touches it (it rejoins the recent tier,
 *   unmarked), a read of the same page starts below it (in raster order it is never read
 *   again), or the total passes `limitBytes` (oldest first). A read that reaches the bottom of
 *   its page marks nothing.
 *
 * `carryRows` is the vertical overlap of two tile rows plus a margin. The reader cannot know
 * the border, so it is learnt: the largest overlap seen between the bottom of one tile row
 * and the top of the next (cztile's overlaps along an axis differ by at most one pixel), plus
 * 8 rows. Before the first change of tile row (of a pass over the image) it is the larger of
 * half the read's rows + 64 and the rows of min(16 MiB, limitBytes / 8): cztile's overlap is at
 * most about half a tile (+ 64 for borders up to 128 px) once the image is two tiles high, and
 * on narrower images the byte budget covers more (e.g. 640 rows at 8192 uint16 pixels wide
 * with the default cap of 80 MiB). Row 0's
 * reads end on a block boundary when the tile is a multiple of the block height, so this
 * costs no more than the later bands (a 1024 tile carries rows 448..1023: 36 MiB at 32768
 * uint16 pixels wide). Should a trimmed block still turn out short, `carryRows` grows by the
 * shortfall.
 *
 * Held for the engine's raster: the blocks of about two reads (recent) plus, per plane read
 * per tile, one band of `carryRows + blockHeight` rows across the width — about one block row,
 * instead of the ~3 block rows plain LRU needs, with every block decoded once. The total cap
 * `limitBytes` only bounds other access patterns.
 *
 * Written by hand: no installed cache library has a policy that knows about rows of blocks.
 * Isomorphic.
 */
import type { SampleArray } from "../types.js";

/** Where a cached block lies, for trimming it and for dropping it once reads have passed it. */
export interface BlockPlace {
  /** IFD (page) index. */
  page: number;
  /** Image row one past the block's last row. */
  bottom: number;
  /** Rows a decoded block holds (tile height, or rows per strip). */
  blockRows: number;
  /** Samples per block row. */
  rowSamples: number;
  bytesPerSample: number;
}

/** A cached block: its decoded samples from row `firstRow` of the block down to its end. */
export interface CachedBlock {
  readonly data: Promise<SampleArray>;
  readonly firstRow: number;
}

interface Entry extends CachedBlock {
  readonly place: BlockPlace;
  readonly bytes: number;
  /** The read sequence number of the last read that touched it. */
  stamp: number;
  /** First block row the next tile row may need (it is then a carry block), or null. */
  keepFrom: number | null;
}

const MIB = 1024 * 1024;
/** Before the overlap of tile rows is known: bytes of rows carried (at most an eighth of the cap)… */
const FIRST_CARRY_BYTES = 16 * MIB;
/** …or half the read's rows plus these, when more. */
const FIRST_CARRY_EXTRA_ROWS = 64;
/** Rows carried beyond the largest overlap seen. */
const CARRY_MARGIN_ROWS = 8;
/** Most reads counted as one tile's worth (`window`). */
const MAX_WINDOW = 64;

export class BlockCache {
  private readonly recent = new Map<string, Entry>();
  private readonly carry = new Map<string, Entry>();
  private recentSize = 0;
  private carrySize = 0;
  private seq = 0;
  private window = 1;
  private readonly lastRead = new Map<string, number>();
  /** Per plane: top and bottom of the current row of reads. */
  private readonly rowOfReads = new Map<string, { top: number; bottom: number }>();
  /** Largest overlap seen between two rows of reads, or null before the first row change. */
  private overlap: number | null = null;
  /** Rows added after a trimmed block turned out short. */
  private extraRows = 0;

  /**
   * @param limitBytes most bytes held in all (the newest block is kept even when larger)
   * @param recentFloorBytes bytes of most recently used blocks kept whatever their age
   */
  constructor(
    readonly limitBytes: number,
    readonly recentFloorBytes: number,
  ) {}

  /** Bytes held (decoded blocks and trimmed carry blocks). */
  get bytes(): number {
    return this.recentSize + this.carrySize;
  }

  /** Bytes held by trimmed and marked blocks waiting for the next tile row. */
  get carryBytes(): number {
    return this.carrySize;
  }

  /**
   * Rows at the bottom of a read of `readRows` rows that the next row of reads is expected
   * to read again (pixel rows of the page take `rowBytes` bytes).
   */
  carryRows(rowBytes: number, readRows: number): number {
    if (this.overlap !== null) return this.overlap + CARRY_MARGIN_ROWS + this.extraRows;
    const budget = Math.min(FIRST_CARRY_BYTES, this.limitBytes / 8);
    return Math.max(Math.floor(budget / Math.max(1, rowBytes)), Math.floor(readRows / 2) + FIRST_CARRY_EXTRA_ROWS) + this.extraRows;
  }

  /**
   * Start a region read of rows `[top, bottom)` of `plane` (a page, or one sample plane of
   * it) on page `page` of `pageHeight` rows whose pixel rows take `rowBytes` bytes. Returns
   * the image row from which blocks should be marked as carry blocks (`keepFrom` of `get` /
   * `add`), or null when none should (the read reaches the bottom of the page).
   */
  beginRead(page: number, plane: string, top: number, bottom: number, pageHeight: number, rowBytes: number): number | null {
    this.seq++;
    const last = this.lastRead.get(plane);
    if (last !== undefined && this.seq - last <= MAX_WINDOW) this.window = this.seq - last;
    this.lastRead.set(plane, this.seq);
    if (this.lastRead.size > 4096) this.lastRead.clear();

    const row = this.rowOfReads.get(plane);
    if (!row || top < row.top) {
      // A plane read for the first time, or from higher up again (a new pass, whose overlap may differ).
      if (row) this.overlap = null;
      this.rowOfReads.set(plane, { top, bottom });
    } else if (top === row.top) {
      row.bottom = Math.max(row.bottom, bottom);
    } else {
      // A new row of reads: learn how far it reaches back into the previous one.
      this.overlap = Math.max(this.overlap ?? 0, row.bottom - top);
      row.top = top;
      row.bottom = bottom;
      // Raster order: carry blocks of this page wholly above this read are not read again.
      for (const [key, e] of this.carry) if (e.place.page === page && e.place.bottom <= top) this.drop(this.carry, key, e);
    }
    if (this.rowOfReads.size > 4096) this.rowOfReads.clear();
    this.settle();
    return bottom >= pageHeight ? null : bottom - this.carryRows(rowBytes, bottom - top);
  }

  /**
   * The cached block `key` if it holds row `row0` and below; it becomes the most recently
   * used, marked with `keepFrom` (see `beginRead`). A trimmed block that does not reach up
   * to `row0` is dropped (and, when it was waiting in the carry tier, `carryRows` grows by the
   * shortfall): the caller decodes the block again.
   */
  get(key: string, row0: number, keepFrom: number | null): CachedBlock | undefined {
    let tier = this.recent;
    let e = this.recent.get(key);
    if (!e) {
      tier = this.carry;
      e = this.carry.get(key);
    }
    if (!e) return undefined;
    this.drop(tier, key, e);
    if (e.firstRow > row0) {
      if (tier === this.carry) this.extraRows = Math.min(4096, this.extraRows + (e.firstRow - row0));
      return undefined;
    }
    e.stamp = this.seq;
    e.keepFrom = keepFrom === null ? null : Math.max(keepFrom, e.firstRow);
    this.recent.set(key, e);
    this.recentSize += e.bytes;
    this.settle();
    return e;
  }

  /** Cache the decoded block `key` (being decoded: `data`), marked with `keepFrom`. */
  add(key: string, data: Promise<SampleArray>, place: BlockPlace, keepFrom: number | null): CachedBlock {
    const old = this.recent.get(key);
    if (old) this.drop(this.recent, key, old);
    const gone = this.carry.get(key);
    if (gone) this.drop(this.carry, key, gone);
    const e: Entry = {
      data,
      firstRow: 0,
      place,
      bytes: place.blockRows * place.rowSamples * place.bytesPerSample,
      stamp: this.seq,
      keepFrom,
    };
    this.recent.set(key, e);
    this.recentSize += e.bytes;
    this.forgetOnFailure(key, e);
    this.settle();
    return e;
  }

  /** Age the recent tier (moving marked blocks to the carry tier), then apply the total cap. */
  private settle(): void {
    for (const [key, e] of this.recent) {
      if (this.recentSize <= this.recentFloorBytes || e.stamp >= this.seq - this.window) break;
      this.drop(this.recent, key, e);
      if (e.keepFrom !== null) this.toCarry(key, e, e.keepFrom);
    }
    while (this.recentSize + this.carrySize > this.limitBytes && this.recent.size + this.carry.size > 1) {
      const tier = this.carry.size > 0 ? this.carry : this.recent;
      const [key, e] = tier.entries().next().value as [string, Entry];
      this.drop(tier, key, e);
    }
  }

  /** Keep rows `keepFrom..` of `e` in the carry tier (a copy when that is less than it holds). */
  private toCarry(key: string, e: Entry, keepFrom: number): void {
    const { place } = e;
    let kept: Entry = e;
    if (keepFrom > e.firstRow) {
      const from = (keepFrom - e.firstRow) * place.rowSamples;
      const to = (place.blockRows - e.firstRow) * place.rowSamples;
      kept = {
        data: e.data.then((block) => block.slice(from, to)),
        firstRow: keepFrom,
        place,
        bytes: (place.blockRows - keepFrom) * place.rowSamples * place.bytesPerSample,
        stamp: e.stamp,
        keepFrom: null,
      };
      this.forgetOnFailure(key, kept);
    }
    kept.keepFrom = null;
    this.carry.set(key, kept);
    this.carrySize += kept.bytes;
  }

  private drop(tier: Map<string, Entry>, key: string, e: Entry): void {
    if (tier.get(key) !== e) return;
    tier.delete(key);
    if (tier === this.recent) this.recentSize -= e.bytes;
    else this.carrySize -= e.bytes;
  }

  /** A block whose decoding fails is dropped (from whichever tier holds it), so a later read tries again. */
  private forgetOnFailure(key: string, e: Entry): void {
    e.data.catch(() => {
      this.drop(this.recent, key, e);
      this.drop(this.carry, key, e);
    });
  }
}
