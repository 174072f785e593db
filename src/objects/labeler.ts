/**
 * Streaming connected components with measurements: label rows arrive top to bottom in bands of
 * any height; each row is cut into runs of one class, runs are joined to the touching runs of the
 * row above (union-find over object states), and an object whose pixels stop before the current
 * row is complete: it is measured, filtered, and handed out. Ids are given in raster order of
 * each object's first pixel (as `scipy.ndimage.label` numbers them) by releasing completed
 * objects only when every object that started earlier is complete. Memory: two rows of width
 * plus the open objects (and those completed but waiting for an earlier-starting one).
 */
import { invalidArgument } from "../errors.js";
import { croftonPerimeter, WINDOW_BITS } from "./crofton.js";
import { convexPixelCount } from "./convex.js";
import { findRoot, ObjectState } from "./object-state.js";
import { maskOf, traceMask, traceOutline } from "./outline.js";
import { croftonCounts, fillHoles } from "./holes.js";
import type { MeasuredObject, ObjectOptions } from "./types.js";

/** Per-band extras aligned with the labels: intensity channels and the class probability. */
export interface BandExtras {
  /** One array per channel, `rows * width` samples each. */
  intensity?: ArrayLike<number>[];
  /** Instead of `intensity`: per channel, each row of the band as pieces of other arrays. */
  intensityPieces?: RowPieces[][];
  /** Probability of each pixel's own class, `rows * width`. */
  confidence?: ArrayLike<number>;
}

/** Ids by object, recorded in a first pass, for a second pass that writes the instance image. */
export class IdTrace {
  /** First-pixel key of an absorbed object state → key of the state that absorbed it. */
  readonly merged = new Map<number, number>();
  /** First-pixel key of a complete object → its id (absent: filtered out). */
  readonly ids = new Map<number, number>();

  /** The final id of the object state with first-pixel key `key`, 0 when it was filtered out. */
  finalId(key: number): number {
    let k = key;
    for (let next = this.merged.get(k); next !== undefined; next = this.merged.get(k)) k = next;
    return this.ids.get(k) ?? 0;
  }
}

/**
 * One image row as pieces of other arrays, left to right, covering the width: the sample of
 * column x, for `starts[k] <= x < ends[k]`, is `data[k][offsets[k] + x]` (one sample per pixel).
 * All pieces have the same sample type.
 */
export interface RowPieces {
  starts: number[];
  ends: number[];
  data: ArrayLike<number>[];
  offsets: number[];
}

/** Optional observers of a pass: record ids (first pass), see each row's runs (second pass). */
export interface LabelerHooks {
  trace?: IdTrace;
  /** After row `y`: its runs of selected pixels as (x0, x1) pairs and each run's object key now (valid during the call). */
  onRow?: (y: number, runs: ArrayLike<number>, keys: readonly number[]) => void;
}

/** Counts of a finished pass. */
export interface LabelingSummary {
  /** Objects handed out (after filters). */
  objects: number;
  /** Components found before filters. */
  components: number;
  /** Most objects open or waiting at once: the memory bound in practice. */
  peakOpen: number;
}

export class ObjectLabeler {
  private readonly connectivity: 4 | 8;
  private readonly selected: (v: number) => boolean;
  /** `selected` of every value 0..65535, looked up instead of called for those (1 = selected). */
  private readonly selectedSmall = new Uint8Array(SMALL_VALUES);
  /**
   * The previous and the current row, as runs of selected pixels: typed arrays sized once for the
   * width (a row has at most `width` runs) with a run count, so that no row allocates.
   */
  private prev: RowRuns;
  private cur: RowRuns;
  /** `joinAbove`'s position in `prev.runs` while a row is cut into runs. */
  private aboveRun = 0;
  private y = 0;
  /** The row of the current band that `addRow` is cutting. */
  private bandRow = 0;
  /** Every object state in creation (= first pixel) order, from the oldest not yet released. */
  private queue: ObjectState[] = [];
  private queueHead = 0;
  private nextId = 1;
  private components = 0;
  private peakOpen = 0;
  private hasConfidence = false;
  /** Per channel: the piece of the current row's `RowPieces` that the last run started in. */
  private readonly pieceAt: Int32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly options: ObjectOptions,
    private readonly channels: number,
    private readonly onObject: (o: MeasuredObject) => void,
    private readonly hooks: LabelerHooks = {},
  ) {
    this.connectivity = options.connectivity ?? 8;
    if (this.connectivity !== 4 && this.connectivity !== 8)
      throw invalidArgument(`connectivity must be 4 or 8, got ${String(options.connectivity)}`);
    const classes = options.classes ? new Set(options.classes) : undefined;
    this.selected = classes ? (v) => classes.has(v) : (v) => v !== 0;
    for (let v = 0; v < SMALL_VALUES; v++) this.selectedSmall[v] = this.selected(v) ? 1 : 0;
    this.prev = new RowRuns(width);
    this.cur = new RowRuns(width);
    this.pieceAt = new Int32Array(channels);
  }

  /** Add `rows` full rows of labels (row-major, `rows * width` values). */
  addBand(labels: ArrayLike<number>, rows: number, extras: BandExtras = {}): void {
    this.addBandRows(labels, extras, 0, rows);
  }

  /**
   * Rows `from..to` (exclusive) of a band given as in `addBand`: a band fed in parts, in order,
   * so that a caller can let other work run between the parts.
   */
  addBandRows(labels: ArrayLike<number>, extras: BandExtras, from: number, to: number): void {
    if (this.y + to - from > this.height) throw invalidArgument(`labels have more than ${this.height} rows`);
    if (extras.confidence) this.hasConfidence = true;
    for (let r = from; r < to; r++) {
      this.bandRow = r;
      this.addRow(labels, r * this.width, extras);
      this.afterRow();
    }
  }

  /** All rows given: complete the remaining objects. */
  finish(): LabelingSummary {
    if (this.y !== this.height) throw invalidArgument(`labels ended after ${this.y} of ${this.height} rows`);
    this.clearCurrent();
    this.croftonWindows();
    this.closeEnded();
    this.release();
    return { objects: this.nextId - 1, components: this.components, peakOpen: this.peakOpen };
  }

  /** Forget the row that the current-row buffers still hold (two rows back). */
  private clearCurrent(): void {
    this.cur.clear();
  }

  private addRow(labels: ArrayLike<number>, offset: number, extras: BandExtras): void {
    const { width, y, cur } = this;
    this.clearCurrent();
    this.pieceAt.fill(0);
    const { runs, cls, objects } = cur;
    let n = 0;
    this.aboveRun = 0;
    const end = offset + width;
    const words = wordsOf(labels);
    let i = offset;
    let v = 0;
    let last = Number.NaN;
    let selected = false;
    while (i < end) {
      const start = i;
      const value = labels[i]!;
      i++;
      if (words) i = byteRunEnd(labels as Uint8Array, words, i, end, value);
      else while (i < end && labels[i] === value) i++;
      if (value !== last) {
        last = value;
        v = value;
        selected = (value & (SMALL_VALUES - 1)) === value ? this.selectedSmall[value] === 1 : this.selected(value);
      }
      if (selected) {
        const x0 = start - offset;
        const x1 = i - 1 - offset;
        const obj = this.joinAbove(v, x0, x1) ?? this.create(v, x0);
        this.addPixels(obj, x0, x1, offset, extras);
        runs[2 * n] = x0;
        runs[2 * n + 1] = x1;
        cls[n] = v;
        objects[n] = obj;
        n++;
      }
    }
    cur.count = n;
    // each run's object becomes its root after the row's unions
    for (let k = 0; k < n; k++) {
      const root = findRoot(objects[k]!);
      root.seenRow = y;
      objects[k] = root;
    }
    if (this.hooks.onRow)
      this.hooks.onRow(
        y,
        runs.subarray(0, 2 * n),
        objects.slice(0, n).map((o) => o.firstKey),
      );
  }

  /**
   * Union the objects of class `v` in the row above that touch run x0..x1; their root, or null.
   * The row above is visited by its runs, from `aboveRun` (the first run that can still touch a
   * run of this row, as this row's runs come left to right), not pixel by pixel.
   */
  private joinAbove(v: number, x0: number, x1: number): ObjectState | null {
    const reach = this.connectivity === 8 ? 1 : 0;
    const { runs, cls, objects, count } = this.prev;
    const used = 2 * count;
    while (this.aboveRun < used && runs[this.aboveRun + 1]! < x0 - reach) this.aboveRun += 2;
    let obj: ObjectState | null = null;
    for (let i = this.aboveRun; i < used && runs[i]! <= x1 + reach; i += 2) {
      if (cls[i >> 1] !== v) continue;
      const root = findRoot(objects[i >> 1]!);
      obj = obj ? this.union(obj, root) : root;
    }
    return obj;
  }

  private union(a: ObjectState, b: ObjectState): ObjectState {
    const ra = findRoot(a);
    const rb = findRoot(b);
    if (ra === rb) return ra;
    const [keep, gone] = ra.firstKey < rb.firstKey ? [ra, rb] : [rb, ra];
    keep.absorb(gone);
    this.hooks.trace?.merged.set(gone.firstKey, keep.firstKey);
    return keep;
  }

  private create(v: number, x: number): ObjectState {
    const obj = new ObjectState(v, this.y, x, this.width, this.channels, this.options.outlines === true || this.options.fillHoles === true);
    this.queue.push(obj);
    return obj;
  }

  private addPixels(obj: ObjectState, x0: number, x1: number, offset: number, extras: BandExtras): void {
    obj.addRun(this.y, x0, x1);
    const { intensity, intensityPieces, confidence } = extras;
    if (intensity) for (let c = 0; c < this.channels; c++) obj.addSamples(c, intensity[c]!, offset + x0, offset + x1);
    else if (intensityPieces)
      for (let c = 0; c < this.channels; c++) this.addPieceSamples(obj, c, intensityPieces[c]![this.bandRow]!, x0, x1);
    if (confidence) for (let x = x0; x <= x1; x++) obj.confidenceSum += confidence[offset + x]!;
  }

  /**
   * Channel `c`'s samples of run x0..x1 from a row in pieces (the statistics of a run cut at a
   * piece's end are the same, to the last bit, as of the whole run). Runs come left to right, so
   * the piece the run starts in is searched from the last run's.
   */
  private addPieceSamples(obj: ObjectState, c: number, row: RowPieces, x0: number, x1: number): void {
    const { ends, data, offsets } = row;
    let k = this.pieceAt[c]!;
    while (ends[k]! <= x0) k++;
    this.pieceAt[c] = k;
    for (let x = x0; x <= x1; k++) {
      const last = Math.min(x1, ends[k]! - 1);
      obj.addSamples(c, data[k]!, offsets[k]! + x, offsets[k]! + last);
      x = last + 1;
    }
  }

  private afterRow(): void {
    this.croftonWindows();
    this.closeEnded();
    this.release();
    [this.prev, this.cur] = [this.cur, this.prev];
    this.y++;
  }

  /**
   * Count the Crofton window codes of every 2×2 window spanning the previous and current row.
   * The two rows' runs are swept together, column to column where either row's owner changes:
   * the windows between two such columns all see the same four pixels (one object's top or
   * bottom edge, or its inside, which weighs nothing), so they are counted at once, and only the
   * window across each change is looked at pixel by pixel. Columns −1 and `width` are outside.
   */
  private croftonWindows(): void {
    const { prev, cur } = this;
    const above = prev.objects;
    // the row above's objects may have been absorbed by this row's unions
    for (let k = 0; k < prev.count; k++) above[k] = findRoot(above[k]!);
    const a = prev.runs;
    const b = cur.runs;
    const below = cur.objects;
    const na = prev.count;
    const nb = cur.count;
    const none = this.width + 1;
    const four = this.connectivity === 4;
    // ia, ib: the run that covers column x (ta, tb its object) or, when none does, the next one
    let ia = 0;
    let ib = 0;
    let ta: Cell = null;
    let tb: Cell = null;
    let x = -1;
    for (;;) {
      const nextA: number = ia < na ? (ta !== null ? a[2 * ia + 1]! + 1 : a[2 * ia]!) : none;
      const nextB: number = ib < nb ? (tb !== null ? b[2 * ib + 1]! + 1 : b[2 * ib]!) : none;
      const next = Math.min(nextA, nextB);
      if (next === none) return;
      // windows x .. next − 2: the same object (or none) on both of their columns
      const same = next - 1 - x;
      if (same > 0 && ta !== tb) {
        if (ta !== null) ta.crofton[TOP_EDGE] = ta.crofton[TOP_EDGE]! + same;
        if (tb !== null) tb.crofton[BOTTOM_EDGE] = tb.crofton[BOTTOM_EDGE]! + same;
      }
      if (ta !== null && a[2 * ia + 1]! < next) ia++;
      if (tb !== null && b[2 * ib + 1]! < next) ib++;
      const ra: Cell = ia < na && a[2 * ia]! <= next ? above[ia]! : null;
      const rb: Cell = ib < nb && b[2 * ib]! <= next ? below[ib]! : null;
      // the window across the change: columns next − 1 and next
      if (ta !== null) countWindow(ta, ta, ra, tb, rb);
      if (ra !== null && ra !== ta) countWindow(ra, ta, ra, tb, rb);
      if (tb !== null && tb !== ta && tb !== ra) countWindow(tb, ta, ra, tb, rb);
      if (rb !== null && rb !== ta && rb !== ra && rb !== tb) countWindow(rb, ta, ra, tb, rb);
      if (four) noteDiagonals(ta, ra, tb, rb);
      ta = ra;
      tb = rb;
      x = next;
    }
  }

  /** Objects in the previous row that have no pixel in the current one are complete. */
  private closeEnded(): void {
    const { prev, y } = this;
    for (let k = 0; k < prev.count; k++) {
      const o = prev.objects[k]!;
      if (!o.closed && o.seenRow < y) this.close(o);
    }
  }

  private close(o: ObjectState): void {
    o.closed = true;
    this.components++;
    const measured = this.measure(o);
    o.release();
    if (measured && this.keeps(measured)) o.result = measured;
  }

  private keeps(m: MeasuredObject): boolean {
    const { minArea, maxArea, excludeBorder } = this.options;
    if (minArea !== undefined && m.areaPx < minArea) return false;
    if (maxArea !== undefined && m.areaPx > maxArea) return false;
    if (excludeBorder) {
      const touches = m.bboxX === 0 || m.bboxY === 0 || m.bboxX + m.bboxWidth === this.width || m.bboxY + m.bboxHeight === this.height;
      if (touches) return false;
    }
    return true;
  }

  /** Hand out completed objects whose every earlier-starting object is complete, in that order. */
  private release(): void {
    const q = this.queue;
    while (this.queueHead < q.length) {
      const o = q[this.queueHead]!;
      if (o.parent === null && !o.closed) break;
      this.queueHead++;
      if (o.parent === null && o.result) {
        o.result.id = this.nextId++;
        this.hooks.trace?.ids.set(o.firstKey, o.result.id);
        this.onObject(o.result);
        o.result = undefined;
      }
    }
    this.peakOpen = Math.max(this.peakOpen, q.length - this.queueHead);
    if (this.queueHead > 1024 && this.queueHead * 2 > q.length) {
      this.queue = q.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private measure(o: ObjectState): MeasuredObject {
    return measureState(o, this.options, this.hasConfidence);
  }
}

type Cell = ObjectState | null;

/** Label values below this are looked up in a table to tell whether they are selected. */
const SMALL_VALUES = 1 << 16;

/** Window codes of a window whose two top (bottom) pixels are the object's and the others not. */
const TOP_EDGE = WINDOW_BITS.topLeft | WINDOW_BITS.topRight;
const BOTTOM_EDGE = WINDOW_BITS.bottomLeft | WINDOW_BITS.bottomRight;

/** One row's runs of selected pixels, left to right, with each run's class and object. */
class RowRuns {
  /** Runs as (x0, x1) pairs; the first `count` pairs are this row's. */
  readonly runs: Int32Array;
  /** The class of each run. */
  readonly cls: Float64Array;
  /** Each run's object: the one it was added to while the row is cut, its root after. */
  readonly objects: ObjectState[] = [];
  count = 0;

  constructor(width: number) {
    this.runs = new Int32Array(2 * width);
    this.cls = new Float64Array(width);
  }

  clear(): void {
    this.count = 0;
  }
}

/** 32- and 64-bit views of one buffer of byte labels. */
interface WordViews {
  u32: Uint32Array;
  f64: Float64Array;
}

const wordViews = new WeakMap<ArrayBufferLike, WordViews>();

/**
 * Word views of byte labels whose buffer starts 8-aligned, so that long runs of one value
 * (mostly background) are skipped several pixels per compare; `undefined` for wider samples.
 */
function wordsOf(labels: ArrayLike<number>): WordViews | undefined {
  if (!(labels instanceof Uint8Array) || labels.byteOffset % 8 !== 0) return undefined;
  let words = wordViews.get(labels.buffer);
  if (!words) {
    const { buffer } = labels;
    words = { u32: new Uint32Array(buffer, 0, buffer.byteLength >> 2), f64: new Float64Array(buffer, 0, buffer.byteLength >> 3) };
    wordViews.set(labels.buffer, words);
  }
  return words;
}

/**
 * The end (exclusive, ≤ `end`) of the run of `value` that continues at index `i` of byte labels:
 * byte by byte up to an 8-aligned index, then eight bytes per compare as one float64 (twice as
 * fast as 32-bit words in V8). Eight equal bytes make a double that equals only itself, except
 * 0x00 (+0 also equals −0, whose bytes differ) and 0xFF (NaN equals nothing): those two values
 * go four bytes per compare.
 */
function byteRunEnd(labels: Uint8Array, words: WordViews, i: number, end: number, value: number): number {
  let at = i;
  while (at < end && (at & 7) !== 0) {
    if (labels[at] !== value) return at;
    at++;
  }
  if (at >= end) return end;
  if (value === 0 || value === 0xff) at = skipWords32(words.u32, labels.byteOffset, at, end, value);
  else {
    const { f64 } = words;
    const base = labels.byteOffset >> 3;
    const pattern = f64PatternOf(value);
    const wordEnd = base + (end >> 3);
    let w = base + (at >> 3);
    while (w < wordEnd && f64[w] === pattern) w++;
    at = (w - base) << 3;
  }
  while (at < end && labels[at] === value) at++;
  return at;
}

/** From a 4-aligned index `at`, skip 32-bit words of four `value` bytes; the index reached. */
function skipWords32(u32: Uint32Array, byteOffset: number, at: number, end: number, value: number): number {
  const base = byteOffset >> 2;
  const pattern = Math.imul(value, 0x01010101) >>> 0;
  const wordEnd = base + (end >> 2);
  let w = base + (at >> 2);
  while (w < wordEnd && u32[w] === pattern) w++;
  return (w - base) << 2;
}

/** The float64 whose eight bytes are all `value`, by value (0..255). */
const f64Patterns = (() => {
  const bytes = new Uint8Array(8 * 256);
  for (let v = 0; v < 256; v++) bytes.fill(v, 8 * v, 8 * v + 8);
  return new Float64Array(bytes.buffer);
})();

function f64PatternOf(value: number): number {
  return f64Patterns[value]!;
}

/** Count one 2×2 window for object `o` by which of its four pixels are `o`'s. */
function countWindow(o: ObjectState, tl: Cell, tr: Cell, bl: Cell, br: Cell): void {
  const code =
    (tl === o ? WINDOW_BITS.topLeft : 0) |
    (tr === o ? WINDOW_BITS.topRight : 0) |
    (bl === o ? WINDOW_BITS.bottomLeft : 0) |
    (br === o ? WINDOW_BITS.bottomRight : 0);
  o.crofton[code] = o.crofton[code]! + 1;
}

/** 4-connectivity: two same-class objects touching only diagonally in this window may turn out to be one. */
function noteDiagonals(tl: Cell, tr: Cell, bl: Cell, br: Cell): void {
  if (tl && br && tl !== br && tl.cls === br.cls && tr !== tl && tr !== br && bl !== tl && bl !== br)
    tl.diagonals.push({ other: br, anti: false });
  if (tr && bl && tr !== bl && tr.cls === bl.cls && tl !== tr && tl !== bl && br !== tr && br !== bl)
    tr.diagonals.push({ other: bl, anti: true });
}

/** The table row of a completed object (id still 0). */
function measureState(o: ObjectState, options: ObjectOptions, hasConfidence: boolean): MeasuredObject {
  const bbox = { x: o.minX, y: o.firstY, width: o.maxX - o.minX + 1, height: o.maxY - o.firstY + 1 };
  const filled =
    options.fillHoles && o.runs
      ? fillHoles(maskOf(o.runs, bbox.x, bbox.y, bbox.width, bbox.height), bbox.width, bbox.height, bbox.x, bbox.y, o.firstY, o.firstX)
      : undefined;
  const holes = filled && filled.count > 0 ? filled : undefined;
  const n = o.area + (holes?.count ?? 0);
  const sumY = o.sumY + (holes?.sumY ?? 0);
  const sumX = o.sumX + (holes?.sumX ?? 0);
  const muYY = o.sumYY + (holes?.sumYY ?? 0) - (sumY * sumY) / n;
  const muXX = o.sumXX + (holes?.sumXX ?? 0) - (sumX * sumX) / n;
  const muXY = o.sumXY + (holes?.sumXY ?? 0) - (sumY * sumX) / n;
  const intensity = [];
  for (let c = 0; c < o.channelCount(); c++) intensity.push(o.channelStats(c));
  const px = options.pixelSizeUm;
  const outline = options.outlines && o.runs ? (holes ? traceMask(holes.mask, bbox) : traceOutline(o.runs, bbox)) : undefined;
  // optional fields are added after the literal (a literal with spreads is built property by property)
  const m: MeasuredObject = {
    class: o.cls,
    id: 0,
    areaPx: n,
    centroidY: o.firstY + sumY / n,
    centroidX: o.firstX + sumX / n,
    bboxY: bbox.y,
    bboxX: bbox.x,
    bboxHeight: bbox.height,
    bboxWidth: bbox.width,
    intensity,
    perimeter: croftonPerimeter(holes ? croftonCounts(holes.mask, bbox.width, bbox.height) : o.crofton),
    equivalentDiameter: Math.sqrt((4 * n) / Math.PI),
    eccentricity: eccentricity(muYY / n, muXX / n, muXY / n),
    solidity: n / convexPixelCount(o.firstY, o.rowLeft, o.rowRight),
  };
  if (px) m.areaUm2 = n * px.x * px.y;
  if (hasConfidence) m.confidence = o.confidenceSum / o.area;
  if (outline) m.outline = outline;
  if (holes) m.filledHoles = { runs: holes.runs, count: holes.count };
  return m;
}

/** sqrt(1 - λ2/λ1) of the inertia tensor [[xx, -xy], [-xy, yy]] (skimage's definition). */
function eccentricity(yy: number, xx: number, xy: number): number {
  const half = (yy + xx) / 2;
  const root = Math.sqrt(((yy - xx) / 2) ** 2 + xy * xy);
  const l1 = half + root;
  const l2 = Math.max(0, half - root);
  if (l1 === 0) return 0;
  return Math.sqrt(1 - l2 / l1);
}
