/**
 * Statistics of one bioimage.io sample (one 2-D plane with all its channels) for the
 * per-sample processing steps, accumulated region by region so that no image is ever held
 * whole. The arithmetic only; `sample-pass.ts` reads the image.
 *
 * - Mean and population standard deviation in float64. Integer images: from exact histograms
 *   (Σ count·value, then Σ count·(value − mean)²). Float images: per region a two-pass mean and
 *   sum of squared deviations, merged across regions (Chan et al.), which keeps the float64
 *   rounding of a whole-image two-pass computation.
 * - Percentiles as numpy's `np.percentile(v, q)` (method `linear`): with n values sorted
 *   ascending s[0..n−1], v = (n − 1)·(q / 100), i = floor(v), j = min(i + 1, n − 1), g = v − i,
 *   d = s[j] − s[i] rounded to float32 (numpy subtracts in the array's dtype; the tensor is
 *   float32 in bioimage.io), P = s[i] + d·g when g < 0.5, else s[j] − d·(1 − g) (numpy's `_lerp`).
 *   The neighbours s[i], s[j] are found exactly:
 *   - 8/16-bit integer images: from a histogram of every value (65536 bins per channel), so
 *     any elementwise function of the value (earlier processing steps) is exact too: the
 *     (f(value), count) pairs are sorted;
 *   - float images: from the float32 bit pattern, turned into an order-preserving 32-bit key,
 *     in two passes: a histogram of the key's high 16 bits finds the bin and the rank inside
 *     it, a second pass counts the low 16 bits of the values in the few bins needed. Exact
 *     for every float32 value; 65536 × 8 bytes per histogram.
 * Isomorphic.
 */

/** What one statistics step needs of its values. */
export interface StatNeeds {
  moments: boolean;
  /** Percentiles in [0, 100] (0 = minimum, 100 = maximum). */
  percentiles: number[];
}

/** Statistics of one group of values (one channel, or all channels jointly). */
export interface GroupStatistics {
  count: number;
  mean: number;
  /** Population standard deviation (numpy's `std`, ddof 0). */
  std: number;
  min: number;
  max: number;
  /** By percentile, as requested. */
  percentiles: Map<number, number>;
}

/** The float32 value of the difference of two float32 values (numpy subtracts in float32). */
const f32 = Math.fround;

/** numpy's `_lerp(a, b, t)` with `b − a` computed in float32. */
export function numpyLerp(a: number, b: number, t: number): number {
  const d = f32(b - a);
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/** The sorted ranks numpy's linear percentile `q` interpolates between, and the weight. */
export function percentileRanks(n: number, q: number): { i: number; j: number; g: number } {
  const v = (n - 1) * (q / 100);
  if (v >= n - 1) return { i: n - 1, j: n - 1, g: v - (n - 1) };
  if (v <= 0) return { i: 0, j: Math.min(1, n - 1), g: Math.max(v, 0) };
  const i = Math.floor(v);
  return { i, j: i + 1, g: v - i };
}

/** Every rank any of `percentiles` reads (sorted, unique). */
export function ranksNeeded(n: number, percentiles: number[]): number[] {
  const set = new Set<number>();
  for (const q of percentiles) {
    const { i, j } = percentileRanks(n, q);
    set.add(i);
    set.add(j);
  }
  return [...set].sort((a, b) => a - b);
}

/** Percentiles from a function that gives the value at a sorted rank. */
export function percentilesFrom(n: number, percentiles: number[], valueAt: (rank: number) => number): Map<number, number> {
  const out = new Map<number, number>();
  for (const q of percentiles) {
    const { i, j, g } = percentileRanks(n, q);
    out.set(q, numpyLerp(valueAt(i), valueAt(j), g));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Integer images: histograms

/** A histogram of integer sample values: `counts[value + offset]`. */
export interface Histogram {
  counts: Float64Array;
  /** Added to a value to get its bin (128 for int8, 32768 for int16, else 0). */
  offset: number;
}

export function newHistogram(type: "uint8" | "int8" | "uint16" | "int16"): Histogram {
  const bins = type === "uint8" || type === "int8" ? 256 : 65536;
  return { counts: new Float64Array(bins), offset: type === "int8" ? 128 : type === "int16" ? 32768 : 0 };
}

/** Add `pixels` samples taken from `samples` at `start`, `stride` apart. */
export function addSamples(h: Histogram, samples: ArrayLike<number>, start: number, stride: number, pixels: number): void {
  const counts = h.counts;
  const off = h.offset;
  if (stride === 1 && off === 0) {
    for (let i = start, end = start + pixels; i < end; i++) counts[samples[i]!]!++;
    return;
  }
  for (let p = 0, i = start; p < pixels; p++, i += stride) counts[samples[i]! + off]!++;
}

/** (value, count) pairs, ascending by value, of the histograms' values mapped through `fns` (one per histogram; null: identity). */
export function valueCounts(hists: Histogram[], fns: (((x: number) => number) | null)[]): { values: Float64Array; counts: Float64Array } {
  const pairs: { v: number; c: number }[] = [];
  hists.forEach((h, k) => {
    const fn = fns[k] ?? null;
    const counts = h.counts;
    for (let b = 0; b < counts.length; b++) {
      const c = counts[b]!;
      if (c === 0) continue;
      const x = b - h.offset;
      pairs.push({ v: fn ? fn(x) : x, c });
    }
  });
  pairs.sort((a, b) => a.v - b.v);
  // merge equal values (several histograms, or a function that maps values together)
  const values: number[] = [];
  const cs: number[] = [];
  for (const p of pairs) {
    if (values.length && values[values.length - 1] === p.v) cs[cs.length - 1]! += p.c;
    else {
      values.push(p.v);
      cs.push(p.c);
    }
  }
  return { values: Float64Array.from(values), counts: Float64Array.from(cs) };
}

/** Statistics of sorted (value, count) pairs. */
export function statisticsOfCounts(values: Float64Array, counts: Float64Array, needs: StatNeeds): GroupStatistics {
  let n = 0;
  let sum = 0;
  for (let k = 0; k < values.length; k++) {
    n += counts[k]!;
    sum += counts[k]! * values[k]!;
  }
  const mean = n > 0 ? sum / n : NaN;
  let ss = 0;
  for (let k = 0; k < values.length; k++) {
    const d = values[k]! - mean;
    ss += counts[k]! * d * d;
  }
  const valueAt = (rank: number): number => {
    let cum = 0;
    for (let k = 0; k < values.length; k++) {
      cum += counts[k]!;
      if (rank < cum) return values[k]!;
    }
    return values[values.length - 1]!;
  };
  return {
    count: n,
    mean,
    std: n > 0 ? Math.sqrt(ss / n) : NaN,
    min: values.length ? values[0]! : NaN,
    max: values.length ? values[values.length - 1]! : NaN,
    percentiles: n > 0 ? percentilesFrom(n, needs.percentiles, valueAt) : new Map(),
  };
}

// ---------------------------------------------------------------------------------------------
// Float images: moments and float32 key histograms

/** Order-preserving 32-bit key of a float32 bit pattern (negative values flipped). */
function floatKey(bits: number): number {
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

const keyBits = new Uint32Array(1);
const keyFloat = new Float32Array(keyBits.buffer);

/** The float32 value of a key made by `floatKey`. */
function keyValue(key: number): number {
  keyBits[0] = key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0;
  return keyFloat[0]!;
}

/** Streaming mean / sum of squared deviations / min / max of float32 values, region by region. */
export class MomentAccumulator {
  n = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  nan = 0;

  /** Add one region's values (`count` of them, from index 0). */
  add(values: Float32Array, count: number): void {
    let sum = 0;
    let nan = 0;
    let min = this.min;
    let max = this.max;
    for (let i = 0; i < count; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) {
        nan++;
        continue;
      }
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const nb = count - nan;
    this.nan += nan;
    this.min = min;
    this.max = max;
    if (nb === 0) return;
    const meanB = sum / nb;
    let m2b = 0;
    for (let i = 0; i < count; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      const d = v - meanB;
      m2b += d * d;
    }
    const na = this.n;
    const n = na + nb;
    const delta = meanB - this.mean;
    this.mean = na === 0 ? meanB : this.mean + (delta * nb) / n;
    this.m2 = this.m2 + m2b + (delta * delta * na * nb) / n;
    this.n = n;
  }

  get std(): number {
    return this.n > 0 ? Math.sqrt(this.m2 / this.n) : NaN;
  }
}

/** Histogram of the high 16 bits of the float keys of values (first pass for float percentiles). */
export class KeyHistogram {
  readonly high = new Float64Array(65536);

  /** Add `count` values; `bits` is a Uint32Array view of `values`. */
  add(bits: Uint32Array, values: Float32Array, count: number): void {
    const high = this.high;
    for (let i = 0; i < count; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      high[floatKey(bits[i]!) >>> 16]!++;
    }
  }

  /** For each rank: its high bin and its rank inside that bin. */
  locate(ranks: number[]): { bin: number; inner: number }[] {
    const out: { bin: number; inner: number }[] = [];
    let cum = 0;
    let b = 0;
    for (const r of ranks) {
      while (b < 65536 && cum + this.high[b]! <= r) cum += this.high[b++]!;
      out.push({ bin: b, inner: r - cum });
    }
    return out;
  }
}

/** Second pass for float percentiles: low-16-bit histograms of the values in a few high bins. */
export class KeyRefinement {
  private readonly slot = new Int32Array(65536).fill(-1);
  private readonly lows: Float64Array[] = [];

  constructor(bins: Iterable<number>) {
    for (const b of bins) {
      if (this.slot[b] !== -1) continue;
      this.slot[b] = this.lows.length;
      this.lows.push(new Float64Array(65536));
    }
  }

  /** Add `count` values; `bits` is a Uint32Array view of `values`. */
  add(bits: Uint32Array, values: Float32Array, count: number): void {
    const slot = this.slot;
    const lows = this.lows;
    for (let i = 0; i < count; i++) {
      const k = floatKey(bits[i]!);
      const s = slot[k >>> 16]!;
      if (s < 0 || Number.isNaN(values[i]!)) continue;
      lows[s]![k & 0xffff]!++;
    }
  }

  /** The float32 value at rank `inner` inside high bin `bin`. */
  valueAt(bin: number, inner: number): number {
    const low = this.lows[this.slot[bin]!]!;
    let cum = 0;
    for (let l = 0; l < 65536; l++) {
      cum += low[l]!;
      if (inner < cum) return keyValue(((bin << 16) | l) >>> 0);
    }
    return NaN;
  }
}
