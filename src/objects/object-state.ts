/**
 * The running state of one object while rows stream past: pixel count, moment sums relative to
 * the object's first pixel, bounding box, each row's leftmost and rightmost pixel (for the convex
 * hull), Crofton window codes, intensity and confidence accumulators, and optionally its pixel
 * runs (for the outline). Two states merge when the labeler finds their pixels connected; the
 * one whose first pixel comes first in raster order survives.
 */
import type { MeasuredObject } from "./types.js";

/** Running mean / M2 / min / max per channel (Chan et al. merge), four slots per channel. */
const STAT_SLOTS = 4;

/** Longest run summed in one pass: 2^20 squared 16-bit differences stay below 2^53. */
const ONE_PASS_MAX_RUN = 1 << 20;

function isSmallInteger(data: ArrayLike<number>): boolean {
  return (
    data instanceof Uint16Array ||
    data instanceof Uint8Array ||
    data instanceof Int16Array ||
    data instanceof Int8Array ||
    data instanceof Uint8ClampedArray
  );
}

export class ObjectState {
  /** Union-find parent; null while this state is a root. */
  parent: ObjectState | null = null;
  /** Raster index of the first pixel (y * width + x): the order of ids. */
  readonly firstKey: number;
  readonly firstY: number;
  readonly firstX: number;
  area = 0;
  sumY = 0;
  sumX = 0;
  sumYY = 0;
  sumXX = 0;
  sumXY = 0;
  minX: number;
  maxX: number;
  maxY: number;
  /** Leftmost / rightmost pixel of row `firstY + i`. */
  rowLeft: number[] = [];
  rowRight: number[] = [];
  /** Window-code counts: a plain array of 16 small integers, allocated with the object (a typed array of 16 doubles would live off the heap). */
  crofton: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  /**
   * 4-connectivity only: 2×2 windows where this object and `other` (same class, not yet known to
   * be connected) touch diagonally; counted as two windows until the two turn out to be one.
   */
  diagonals: { other: ObjectState; anti: boolean }[] = [];
  /** Per channel: mean, M2, min, max. */
  stats: Float64Array;
  confidenceSum = 0;
  /** Pixel runs as (y, x0, x1) triples, when outlines are kept. */
  runs: number[] | undefined;
  /** The last row that had pixels of this object (to find objects that ended). */
  seenRow = -1;
  closed = false;
  /** The measured object once complete and kept by the filters, until it is handed out. */
  result: MeasuredObject | undefined;

  constructor(
    readonly cls: number,
    y: number,
    x: number,
    width: number,
    channels: number,
    keepRuns: boolean,
  ) {
    this.firstKey = y * width + x;
    this.firstY = y;
    this.firstX = x;
    this.minX = x;
    this.maxX = x;
    this.maxY = y;
    this.stats = new Float64Array(channels * STAT_SLOTS);
    for (let c = 0; c < channels; c++) {
      this.stats[c * STAT_SLOTS + 2] = Number.POSITIVE_INFINITY;
      this.stats[c * STAT_SLOTS + 3] = Number.NEGATIVE_INFINITY;
    }
    if (keepRuns) this.runs = [];
  }

  /** Add the pixels x0..x1 (inclusive) of row y. */
  addRun(y: number, x0: number, x1: number): void {
    const n = x1 - x0 + 1;
    const dy = y - this.firstY;
    const a = x0 - this.firstX;
    const b = x1 - this.firstX;
    const sx = ((a + b) * n) / 2;
    const sxx = (b * (b + 1) * (2 * b + 1) - (a - 1) * a * (2 * a - 1)) / 6;
    this.area += n;
    this.sumY += dy * n;
    this.sumYY += dy * dy * n;
    this.sumX += sx;
    this.sumXX += sxx;
    this.sumXY += dy * sx;
    if (x0 < this.minX) this.minX = x0;
    if (x1 > this.maxX) this.maxX = x1;
    if (y > this.maxY) this.maxY = y;
    const i = dy;
    const left = this.rowLeft[i];
    if (left === undefined || x0 < left) this.rowLeft[i] = x0;
    const right = this.rowRight[i];
    if (right === undefined || x1 > right) this.rowRight[i] = x1;
    this.runs?.push(y, x0, x1);
  }

  /**
   * Add the intensity samples `data[from..to]` (inclusive) of channel `c`, one run of pixels;
   * `before` is how many pixels the object had before the run. The run's own mean and M2 are
   * merged into the running ones (Chan et al.), as exact as Welford per pixel and a fraction of
   * its divisions. The run's M2 comes from one pass over 8- and 16-bit integer samples (sums of
   * differences from the run's first sample, exact integers for runs up to 2^20 pixels), from
   * two passes (mean, then squared deviations) otherwise.
   */
  addSamples(c: number, data: ArrayLike<number>, from: number, to: number, before: number): void {
    const nb = to - from + 1;
    if (nb <= ONE_PASS_MAX_RUN && isSmallInteger(data)) this.addIntegerSamples(c, data, from, to, before);
    else this.addSamplesTwoPass(c, data, from, to, before);
  }

  private addIntegerSamples(c: number, data: ArrayLike<number>, from: number, to: number, before: number): void {
    const s = this.stats;
    const o = c * STAT_SLOTS;
    const first = data[from]!;
    let sum = 0;
    let squares = 0;
    let min = s[o + 2]!;
    let max = s[o + 3]!;
    for (let i = from; i <= to; i++) {
      const v = data[i]!;
      const d = v - first;
      sum += d;
      squares += d * d;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const nb = to - from + 1;
    this.mergeRun(o, before, nb, first + sum / nb, squares - (sum * sum) / nb, min, max);
  }

  private addSamplesTwoPass(c: number, data: ArrayLike<number>, from: number, to: number, before: number): void {
    const s = this.stats;
    const o = c * STAT_SLOTS;
    let sum = 0;
    let min = s[o + 2]!;
    let max = s[o + 3]!;
    for (let i = from; i <= to; i++) {
      const v = data[i]!;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const nb = to - from + 1;
    const meanB = sum / nb;
    let m2 = 0;
    for (let i = from; i <= to; i++) {
      const d = data[i]! - meanB;
      m2 += d * d;
    }
    this.mergeRun(o, before, nb, meanB, m2, min, max);
  }

  /** Merge a run of `nb` samples (mean, M2, and the min / max so far) into the slots at `o`. */
  private mergeRun(o: number, before: number, nb: number, meanB: number, m2: number, min: number, max: number): void {
    const s = this.stats;
    const n = before + nb;
    const delta = meanB - s[o]!;
    s[o] = s[o]! + (delta * nb) / n;
    s[o + 1] = s[o + 1]! + m2 + (delta * delta * before * nb) / n;
    s[o + 2] = min;
    s[o + 3] = max;
  }

  /** Fold `other` (a later-starting state of the same object) into this one. */
  absorb(other: ObjectState): void {
    const dy = other.firstY - this.firstY;
    const dx = other.firstX - this.firstX;
    const n = other.area;
    this.sumYY += other.sumYY + 2 * dy * other.sumY + dy * dy * n;
    this.sumXX += other.sumXX + 2 * dx * other.sumX + dx * dx * n;
    this.sumXY += other.sumXY + dy * other.sumX + dx * other.sumY + dx * dy * n;
    this.sumY += other.sumY + dy * n;
    this.sumX += other.sumX + dx * n;
    this.mergeStats(other);
    this.area += n;
    this.minX = Math.min(this.minX, other.minX);
    this.maxX = Math.max(this.maxX, other.maxX);
    this.maxY = Math.max(this.maxY, other.maxY);
    for (let i = 0; i < other.rowLeft.length; i++) {
      const l = other.rowLeft[i];
      if (l === undefined) continue;
      const j = i + dy;
      const mine = this.rowLeft[j];
      if (mine === undefined || l < mine) this.rowLeft[j] = l;
      const r = other.rowRight[i]!;
      const mineR = this.rowRight[j];
      if (mineR === undefined || r > mineR) this.rowRight[j] = r;
    }
    for (let k = 0; k < this.crofton.length; k++) this.crofton[k] = this.crofton[k]! + other.crofton[k]!;
    this.confidenceSum += other.confidenceSum;
    if (this.runs && other.runs) for (const v of other.runs) this.runs.push(v);
    this.seenRow = Math.max(this.seenRow, other.seenRow);
    for (const d of other.diagonals) this.diagonals.push(d);
    other.parent = this;
    other.release();
    this.settleDiagonals();
  }

  /** Diagonal contacts within this (now merged) object were one window, not two: recount them. */
  private settleDiagonals(): void {
    if (this.diagonals.length === 0) return;
    this.diagonals = this.diagonals.filter((d) => {
      if (findRoot(d.other) !== this) return true;
      const [a, b, joint] = d.anti ? [2, 4, 6] : [8, 1, 9];
      const c = this.crofton;
      c[a] = c[a]! - 1;
      c[b] = c[b]! - 1;
      c[joint] = c[joint]! + 1;
      return false;
    });
  }

  private mergeStats(other: ObjectState): void {
    const na = this.area;
    const nb = other.area;
    const s = this.stats;
    const t = other.stats;
    for (let o = 0; o < s.length; o += STAT_SLOTS) {
      if (nb === 0) break;
      const delta = t[o]! - s[o]!;
      const n = na + nb;
      s[o] = s[o]! + (delta * nb) / n;
      s[o + 1] = s[o + 1]! + t[o + 1]! + (delta * delta * na * nb) / n;
      s[o + 2] = Math.min(s[o + 2]!, t[o + 2]!);
      s[o + 3] = Math.max(s[o + 3]!, t[o + 3]!);
    }
  }

  /** Drop the per-row and per-run arrays once they are no longer needed. */
  release(): void {
    this.rowLeft = [];
    this.rowRight = [];
    this.runs = undefined;
    this.diagonals = [];
  }

  channelCount(): number {
    return this.stats.length / STAT_SLOTS;
  }

  channelStats(c: number): { mean: number; min: number; max: number; std: number } {
    const o = c * STAT_SLOTS;
    const s = this.stats;
    return { mean: s[o]!, min: s[o + 2]!, max: s[o + 3]!, std: Math.sqrt(s[o + 1]! / this.area) };
  }
}

/** The root of `s`'s set, compressing the path. */
export function findRoot(s: ObjectState): ObjectState {
  let root = s;
  while (root.parent) root = root.parent;
  let node = s;
  while (node.parent && node.parent !== root) {
    const next: ObjectState = node.parent;
    node.parent = root;
    node = next;
  }
  return root;
}
