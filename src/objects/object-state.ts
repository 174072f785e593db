/**
 * The running state of one object while rows stream past: pixel count, moment sums relative to
 * the object's first pixel, bounding box, each row's leftmost and rightmost pixel (for the convex
 * hull), Crofton window codes, intensity and confidence accumulators, and optionally its pixel
 * runs (for the outline). Two states merge when the labeler finds their pixels connected; the
 * one whose first pixel comes first in raster order survives.
 */
import type { MeasuredObject } from "./types.js";

/**
 * Per channel: a floating part (mean, M2 and count, merged by Chan et al.), min and max, and an
 * exact part for integer samples: the reference sample K and the sums of (v − K) and (v − K)²
 * over its count, whole numbers kept below 2^53.
 */
const STAT_SLOTS = 9;
const MEAN = 0;
const M2 = 1;
const MIN = 2;
const MAX = 3;
const FLOAT_N = 4;
const REF = 5;
const SUM = 6;
const SQUARES = 7;
const EXACT_N = 8;

/** Longest run summed exactly in one go: 2^20 squared 16-bit differences stay below 2^53. */
const ONE_PASS_MAX_RUN = 1 << 20;

/** Exact sums are folded into the floating part before they could pass this. */
const EXACT_LIMIT = 2 ** 52;

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
  /**
   * Per channel, `STAT_SLOTS` slots: see there. A plain array of doubles: a `Float64Array` of
   * more than 8 lives off the heap, one allocation per object.
   */
  stats: number[];
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
    this.stats = new Array<number>(channels * STAT_SLOTS).fill(0);
    for (let c = 0; c < channels; c++) {
      this.stats[c * STAT_SLOTS + MIN] = Number.POSITIVE_INFINITY;
      this.stats[c * STAT_SLOTS + MAX] = Number.NEGATIVE_INFINITY;
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
   * Add the intensity samples `data[from..to]` (inclusive) of channel `c`, one run of pixels.
   * Integer samples of 8 and 16 bits go to the exact part: sums of differences from the
   * channel's reference sample (the first one added), whole numbers, so the statistics do not
   * depend on how the object's pixels were cut into runs or in which order its parts merged.
   * Other samples (and runs longer than 2^20) are merged into the floating part, the run's mean
   * and M2 from two passes.
   */
  addSamples(c: number, data: ArrayLike<number>, from: number, to: number): void {
    if (to - from < ONE_PASS_MAX_RUN && isSmallInteger(data)) this.addIntegerSamples(c * STAT_SLOTS, data, from, to);
    else this.addSamplesTwoPass(c * STAT_SLOTS, data, from, to);
  }

  private addIntegerSamples(o: number, data: ArrayLike<number>, from: number, to: number): void {
    const s = this.stats;
    if (s[o + EXACT_N] === 0) s[o + REF] = data[from]!;
    const ref = s[o + REF]!;
    let sum = 0;
    let squares = 0;
    let min = s[o + MIN]!;
    let max = s[o + MAX]!;
    for (let i = from; i <= to; i++) {
      const v = data[i]!;
      const d = v - ref;
      sum += d;
      squares += d * d;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    s[o + MIN] = min;
    s[o + MAX] = max;
    if (s[o + SQUARES]! + squares > EXACT_LIMIT) this.foldExact(o);
    s[o + SUM] = s[o + SUM]! + sum;
    s[o + SQUARES] = s[o + SQUARES]! + squares;
    s[o + EXACT_N] = s[o + EXACT_N]! + to - from + 1;
  }

  private addSamplesTwoPass(o: number, data: ArrayLike<number>, from: number, to: number): void {
    const s = this.stats;
    let sum = 0;
    let min = s[o + MIN]!;
    let max = s[o + MAX]!;
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
    s[o + MIN] = min;
    s[o + MAX] = max;
    this.mergeFloat(o, nb, meanB, m2);
  }

  /** Merge `nb` samples of mean `meanB` and M2 `m2` into the floating part at `o` (Chan et al.). */
  private mergeFloat(o: number, nb: number, meanB: number, m2: number): void {
    const s = this.stats;
    const before = s[o + FLOAT_N]!;
    const n = before + nb;
    const delta = meanB - s[o + MEAN]!;
    s[o + MEAN] = s[o + MEAN]! + (delta * nb) / n;
    s[o + M2] = s[o + M2]! + m2 + (delta * delta * before * nb) / n;
    s[o + FLOAT_N] = n;
  }

  /** Move the exact part at `o` into the floating part (its sums would grow past 2^53). */
  private foldExact(o: number): void {
    const s = this.stats;
    const n = s[o + EXACT_N]!;
    if (n === 0) return;
    const sum = s[o + SUM]!;
    this.mergeFloat(o, n, s[o + REF]! + sum / n, s[o + SQUARES]! - (sum * sum) / n);
    s[o + SUM] = 0;
    s[o + SQUARES] = 0;
    s[o + EXACT_N] = 0;
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
    const s = this.stats;
    const t = other.stats;
    for (let o = 0; o < s.length; o += STAT_SLOTS) {
      if (t[o + FLOAT_N]! > 0) this.mergeFloat(o, t[o + FLOAT_N]!, t[o + MEAN]!, t[o + M2]!);
      s[o + MIN] = Math.min(s[o + MIN]!, t[o + MIN]!);
      s[o + MAX] = Math.max(s[o + MAX]!, t[o + MAX]!);
      const nb = t[o + EXACT_N]!;
      if (nb === 0) continue;
      if (s[o + EXACT_N] === 0) {
        for (const k of [REF, SUM, SQUARES, EXACT_N]) s[o + k] = t[o + k]!;
        continue;
      }
      // the other's sums, from its reference sample to this one's: whole numbers while below the limit
      const shift = t[o + REF]! - s[o + REF]!;
      const sumB = t[o + SUM]!;
      const bound = s[o + SQUARES]! + t[o + SQUARES]! + 2 * Math.abs(shift * sumB) + nb * shift * shift;
      if (bound <= EXACT_LIMIT) {
        s[o + SUM] = s[o + SUM]! + sumB + nb * shift;
        s[o + SQUARES] = s[o + SQUARES]! + t[o + SQUARES]! + 2 * shift * sumB + nb * shift * shift;
        s[o + EXACT_N] = s[o + EXACT_N]! + nb;
      } else this.mergeFloat(o, nb, t[o + REF]! + sumB / nb, t[o + SQUARES]! - (sumB * sumB) / nb);
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

  /** Mean, min, max and (population) standard deviation of channel `c`, both parts together. */
  channelStats(c: number): { mean: number; min: number; max: number; std: number } {
    const o = c * STAT_SLOTS;
    const s = this.stats;
    let mean = s[o + MEAN]!;
    let m2 = s[o + M2]!;
    const nf = s[o + FLOAT_N]!;
    const ne = s[o + EXACT_N]!;
    if (ne > 0) {
      const sum = s[o + SUM]!;
      const meanE = s[o + REF]! + sum / ne;
      const m2E = s[o + SQUARES]! - (sum * sum) / ne;
      if (nf === 0) {
        mean = meanE;
        m2 = m2E;
      } else {
        const delta = meanE - mean;
        mean += (delta * ne) / (nf + ne);
        m2 += m2E + (delta * delta * nf * ne) / (nf + ne);
      }
    }
    return { mean, min: s[o + MIN]!, max: s[o + MAX]!, std: Math.sqrt(Math.max(0, m2) / this.area) };
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
