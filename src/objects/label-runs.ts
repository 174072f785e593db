/**
 * Runs of one label value along a row of labels, and which values are objects: shared by the
 * labeller (which cuts band rows into runs) and the prediction pass (which cuts each written
 * tile's rows while they are in the cache). Byte labels are compared eight (or four) at a time.
 */

/** Label values below this are looked up in a table to tell whether they are selected. */
const SMALL_VALUES = 1 << 16;

/** Which label values are objects: `classes`, or every value but 0. */
export class LabelSelection {
  private readonly rule: (v: number) => boolean;
  /** The rule for every value 0..65535, looked up instead of called for those (1 = selected). */
  private readonly small = new Uint8Array(SMALL_VALUES);

  constructor(classes?: readonly number[]) {
    const set = classes ? new Set(classes) : undefined;
    this.rule = set ? (v) => set.has(v) : (v) => v !== 0;
    for (let v = 0; v < SMALL_VALUES; v++) this.small[v] = this.rule(v) ? 1 : 0;
  }

  has(value: number): boolean {
    return (value & (SMALL_VALUES - 1)) === value ? this.small[value] === 1 : this.rule(value);
  }
}

/**
 * The end (exclusive, ≤ `end`) of the run of `value` that continues at index `i` of `labels`;
 * `words` is `wordsOf(labels)`.
 */
export function runEnd(labels: ArrayLike<number>, words: WordViews | undefined, i: number, end: number, value: number): number {
  if (words) return byteRunEnd(labels as Uint8Array, words, i, end, value);
  let at = i;
  while (at < end && labels[at] === value) at++;
  return at;
}

/** 32- and 64-bit views of one buffer of byte labels. */
export interface WordViews {
  u32: Uint32Array;
  f64: Float64Array;
}

const wordViews = new WeakMap<ArrayBufferLike, WordViews>();

/**
 * Word views of byte labels whose buffer starts 8-aligned, so that long runs of one value
 * (mostly background) are skipped several pixels per compare; `undefined` for wider samples.
 */
export function wordsOf(labels: ArrayLike<number>): WordViews | undefined {
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
