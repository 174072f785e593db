/**
 * The runs of selected labels of each tile a prediction writes, found while the tile is still in
 * the cache, with the intensity sums of their pixels. A band (one output tile row) keeps, per
 * row, a growing list of run records: x0, x1, label value, then per intensity channel the run's
 * first sample, sum, sum of squares, minimum and maximum. When the band is complete, each row's
 * records are put in column order and runs that continue across a tile seam are joined; the
 * labeller then takes the rows as runs (`ObjectLabeler.addRunRow`) and never scans the band.
 * Without this, the band's labels and input rows were read again up to a whole tile row after
 * they were written, from memory instead of the cache (three times the work, by profile).
 *
 * The sums are exact integers (8- or 16-bit samples, rows of at most 2^20 pixels: a sum of
 * squares stays below 2^53), so the labeller derives the same statistics as from the samples
 * themselves, to the last bit. Isomorphic.
 */
import { type LabelSelection, runEnd, wordsOf } from "./label-runs.js";

/** Numbers per run record before the intensity fields: x0, x1, label value. */
export const RUN_FIELDS = 3;
/** Numbers per intensity channel in a run record: first sample, sum, sum of squares, min, max. */
export const INTENSITY_FIELDS = 5;
/** Widest row whose runs are summed this way (a run's sum of 16-bit squares stays exact). */
export const MAX_RUN_ROW = 1 << 20;

/** Where channel `c`'s sample of column x in row r of a rectangle lies: `data[base(r) + x]`. */
export interface IntensityRows {
  data(c: number, r: number): ArrayLike<number>;
  base(c: number, r: number): number;
}

/** The run records of the rows of one band. */
export class RunRows {
  private readonly records: Float64Array[];
  private readonly counts: Int32Array;
  readonly stride: number;

  constructor(
    readonly rows: number,
    private readonly channels: number,
  ) {
    this.stride = RUN_FIELDS + INTENSITY_FIELDS * channels;
    this.records = Array.from({ length: rows }, () => new Float64Array(16 * this.stride));
    this.counts = new Int32Array(rows);
  }

  /**
   * Cut the rows of a written rectangle of labels (`width` columns from column `x`, rows from
   * band row `row0`) into runs, and record the selected ones with their intensity sums.
   */
  collect(
    labels: ArrayLike<number>,
    x: number,
    width: number,
    row0: number,
    rows: number,
    selection: LabelSelection,
    intensity: IntensityRows,
  ): void {
    const words = wordsOf(labels);
    for (let r = 0; r < rows; r++) {
      const offset = r * width;
      const end = offset + width;
      let i = offset;
      let last = Number.NaN;
      let selected = false;
      while (i < end) {
        const start = i;
        const value = labels[i]!;
        i = runEnd(labels, words, i + 1, end, value);
        if (value !== last) {
          last = value;
          selected = selection.has(value);
        }
        if (selected) this.add(row0 + r, x + start - offset, x + i - 1 - offset, value, r, intensity);
      }
    }
  }

  private add(row: number, x0: number, x1: number, value: number, r: number, intensity: IntensityRows): void {
    const at = this.counts[row]! * this.stride;
    let out = this.records[row]!;
    if (at + this.stride > out.length) {
      const grown = new Float64Array(2 * out.length);
      grown.set(out);
      this.records[row] = out = grown;
    }
    out[at] = x0;
    out[at + 1] = x1;
    out[at + 2] = value;
    for (let c = 0; c < this.channels; c++) {
      const data = intensity.data(c, r);
      const base = intensity.base(c, r);
      const first = data[base + x0]!;
      let sum = 0;
      let squares = 0;
      let min = first;
      let max = first;
      for (let i = base + x0; i <= base + x1; i++) {
        const v = data[i]!;
        sum += v;
        squares += v * v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const f = at + RUN_FIELDS + INTENSITY_FIELDS * c;
      out[f] = first;
      out[f + 1] = sum;
      out[f + 2] = squares;
      out[f + 3] = min;
      out[f + 4] = max;
    }
    this.counts[row] = this.counts[row]! + 1;
  }

  /** Band row `row`'s records in column order, runs across tile seams joined: the records and their count. */
  row(row: number): { records: Float64Array; count: number } {
    const count = this.counts[row]!;
    const records = inColumnOrder(this.records[row]!, count, this.stride);
    return { records, count: joinAcrossSeams(records, count, this.stride, this.channels) };
  }
}

/** The records sorted by x0 (tiles usually arrive left to right: then they are already). */
function inColumnOrder(records: Float64Array, count: number, stride: number): Float64Array {
  let sorted = true;
  for (let k = 1; k < count && sorted; k++) sorted = records[(k - 1) * stride]! < records[k * stride]!;
  if (sorted) return records;
  const order = Array.from({ length: count }, (_, k) => k).sort((a, b) => records[a * stride]! - records[b * stride]!);
  const out = new Float64Array(count * stride);
  for (const [k, from] of order.entries()) out.set(records.subarray(from * stride, (from + 1) * stride), k * stride);
  return out;
}

/** Join, in place, each record that continues the one before it (next column, same value); the new count. */
function joinAcrossSeams(records: Float64Array, count: number, stride: number, channels: number): number {
  let m = 0;
  for (let k = 0; k < count; k++) {
    const at = k * stride;
    const last = (m - 1) * stride;
    if (m > 0 && records[last + 1]! + 1 === records[at]! && records[last + 2] === records[at + 2]) {
      records[last + 1] = records[at + 1]!;
      for (let c = 0; c < channels; c++) {
        const f = RUN_FIELDS + INTENSITY_FIELDS * c;
        records[last + f + 1] = records[last + f + 1]! + records[at + f + 1]!;
        records[last + f + 2] = records[last + f + 2]! + records[at + f + 2]!;
        records[last + f + 3] = Math.min(records[last + f + 3]!, records[at + f + 3]!);
        records[last + f + 4] = Math.max(records[last + f + 4]!, records[at + f + 4]!);
      }
      continue;
    }
    if (m !== k) records.copyWithin(m * stride, at, at + stride);
    m++;
  }
  return m;
}
