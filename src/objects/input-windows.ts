/**
 * The prediction's input windows, kept for the objects' intensity columns: `InputWindows.observe`
 * wraps the input `ImageSource`, and every region the engine reads through it (a tile window,
 * borders included) is read into a buffer of this pool and kept as it is, by reference, until the
 * labels of its rows are measured. When a label band is complete, the engine has read every pixel
 * of those rows (each output pixel lies in a tile whose window was read), so the band's intensity
 * is taken from the kept windows instead of reading and decoding the input a second time: per
 * row, as pieces of windows side by side (`RowPieces`), or copied into a band (`take`).
 *
 * Keeping the windows themselves, rather than copying them into full-width rows, saves copying
 * every input sample once (a fifth of what the objects cost the main thread at 16384², measured).
 * The wrapper offers no `readRegionInto`, so the engine asks `readRegion` and keeps no pool of its
 * own: the windows it gets are this pool's, and it only reads them. Windows whose rows are all
 * labelled, or whose remaining rows later windows hold too, go back to the pool (`done`). Memory:
 * the windows of one tile row and of the part of the next that the engine has read. Isomorphic.
 */
import { readsRegionsInto } from "../io/reuse.js";
import { allocSamples, type ImageSource, type PlaneIndex, type Rect, type SampleArray } from "../io/types.js";
import type { RowPieces } from "./labeler.js";

/** One region the engine read, as it read it. */
interface KeptWindow {
  c: number;
  rect: Rect;
  data: SampleArray;
  /** The pool buffer `data` is a view of (undefined: the source allocated `data` itself). */
  buffer: SampleArray | undefined;
}

export class InputWindows {
  private windows: KeptWindow[] = [];
  private readonly free: SampleArray[] = [];
  /** Rows before this one are labelled: later reads of only such rows (tile borders) are not kept. */
  private nextRow = 0;
  private stopped = false;

  constructor(private readonly source: ImageSource) {}

  /** `source` with every region read also kept here. */
  observe(): ImageSource {
    const { source } = this;
    return {
      info: source.info,
      readRegion: (plane, rect) => this.read(plane, rect),
      close: () => source.close(),
    };
  }

  private async read(plane: PlaneIndex, rect: Rect): Promise<SampleArray> {
    const { source } = this;
    if (this.stopped || rect.y + rect.height <= this.nextRow || !readsRegionsInto(source)) {
      const data = await source.readRegion(plane, rect);
      this.keep(plane, rect, data, undefined);
      return data;
    }
    const buffer = this.buffer(rect.width * rect.height * source.info.samplesPerPixel);
    let data: SampleArray;
    try {
      data = await source.readRegionInto(plane, rect, buffer);
    } catch (e) {
      this.free.push(buffer);
      throw e;
    }
    const mine = data.buffer === buffer.buffer;
    if (!mine) this.free.push(buffer);
    this.keep(plane, rect, data, mine ? buffer : undefined);
    return data;
  }

  /** A free pool buffer of at least `length` samples, or a new one. */
  private buffer(length: number): SampleArray {
    const at = this.free.findIndex((b) => b.length >= length);
    if (at >= 0) return this.free.splice(at, 1)[0]!;
    return allocSamples(this.source.info.sampleType, length);
  }

  private keep(plane: PlaneIndex, rect: Rect, data: SampleArray, buffer: SampleArray | undefined): void {
    if (this.stopped || rect.y + rect.height <= this.nextRow) return;
    this.windows.push({ c: plane.c, rect: { ...rect }, data, buffer });
  }

  /**
   * Rows y..y+rows of every C plane as pieces of the kept windows (per plane, one `RowPieces`
   * per row, valid until `done`), when the image has one sample per pixel and every pixel of
   * those rows was read; otherwise undefined.
   */
  rowPieces(y: number, rows: number): RowPieces[][] | undefined {
    const { sizes, samplesPerPixel } = this.source.info;
    if (samplesPerPixel !== 1) return undefined;
    const out: RowPieces[][] = [];
    for (let c = 0; c < sizes.c; c++) {
      const plane = this.piecesOf(c, y, rows);
      if (!plane) return undefined;
      out.push(plane);
    }
    return out;
  }

  /**
   * Rows y..y+rows of C plane `c` copied into `out` (`rows × width × samplesPerPixel` samples),
   * false when any of their pixels was not read (the caller then reads the source).
   */
  take(c: number, y: number, rows: number, out: SampleArray): boolean {
    const pieces = this.piecesOf(c, y, rows);
    if (!pieces) return false;
    const { width, samplesPerPixel: spp } = this.source.info;
    for (let r = 0; r < rows; r++) {
      const { starts, ends, data, offsets } = pieces[r]!;
      for (let k = 0; k < starts.length; k++) {
        const from = (offsets[k]! + starts[k]!) * spp;
        const samples = (data[k] as Uint8Array).subarray(from, from + (ends[k]! - starts[k]!) * spp);
        (out as Uint8Array).set(samples, (r * width + starts[k]!) * spp);
      }
    }
    return true;
  }

  /**
   * Each row of y..y+rows of plane `c` as kept windows side by side, left to right (in pixels:
   * the sample of column x is `data[k][(offsets[k] + x) × samplesPerPixel]`); undefined where a
   * column of one of the rows is in no kept window.
   */
  private piecesOf(c: number, y: number, rows: number): RowPieces[] | undefined {
    const width = this.source.info.width;
    const near = this.windows
      .filter((w) => w.c === c && w.rect.y < y + rows && w.rect.y + w.rect.height > y)
      .sort((a, b) => a.rect.x - b.rect.x);
    const out: RowPieces[] = [];
    for (let row = y; row < y + rows; row++) {
      const pieces: RowPieces = { starts: [], ends: [], data: [], offsets: [] };
      let covered = 0;
      // windows by left edge: each that reaches past the columns covered so far adds a piece
      for (const { rect, data } of near) {
        if (covered >= width || rect.x > covered) break;
        const right = rect.x + rect.width;
        if (rect.y > row || rect.y + rect.height <= row || right <= covered) continue;
        pieces.starts.push(covered);
        pieces.ends.push(right);
        pieces.data.push(data);
        pieces.offsets.push((row - rect.y) * rect.width - rect.x);
        covered = right;
      }
      if (covered < width) return undefined;
      out.push(pieces);
    }
    return out;
  }

  /** Keep no more windows (the labels turned out not to match the input), and drop those kept. */
  stop(): void {
    this.stopped = true;
    this.windows = [];
    this.free.length = 0;
  }

  /**
   * Rows before `y` are labelled: windows of only such rows go back to the pool, and so do those
   * whose remaining rows later windows hold too (a tile row's windows, once the next tile row's
   * windows, which also read them as their top border, are there).
   */
  done(y: number): void {
    this.nextRow = y;
    const kept: KeptWindow[] = [];
    for (const w of this.windows) {
      if (w.rect.y + w.rect.height > y && !this.shadowed(w, y)) kept.push(w);
      else if (w.buffer) this.free.push(w.buffer);
    }
    this.windows = kept;
  }

  /** Whether windows of `w`'s plane that start below it (by row y) hold each of its pixels in rows y and below. */
  private shadowed(w: KeptWindow, y: number): boolean {
    const bottom = w.rect.y + w.rect.height;
    const later = this.windows
      .filter((v) => v.c === w.c && v.rect.y > w.rect.y && v.rect.y <= y && v.rect.y + v.rect.height >= bottom)
      .sort((a, b) => a.rect.x - b.rect.x);
    let covered = w.rect.x;
    const right = w.rect.x + w.rect.width;
    for (const { rect } of later) {
      if (rect.x > covered) break;
      covered = Math.max(covered, rect.x + rect.width);
      if (covered >= right) return true;
    }
    return false;
  }
}
