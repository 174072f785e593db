/**
 * Default class colours of legacy metadata, identical to czmodel's endless HLS generator
 * (`czmodel/core/util/color_generation.py`, docs/formats.md#class-colours) including its quirks: colour 4
 * repeats red and float error gives 254s. Python's float `%` (sign of the divisor) and the
 * exact operation order of `colorsys.hls_to_rgb` are reproduced. Isomorphic.
 */

export type Rgb = [number, number, number];

const ONE_THIRD = 1.0 / 3.0;
const ONE_SIXTH = 1.0 / 6.0;
const TWO_THIRD = 2.0 / 3.0;

/** Python's float modulo: the result has the sign of the divisor. */
function pyMod(x: number, m: number): number {
  let r = x % m;
  if (r !== 0 && r < 0 !== m < 0) r += m;
  if (r === 0) r = m < 0 ? -0 : 0;
  return r;
}

function hueChannel(m1: number, m2: number, hueIn: number): number {
  const hue = pyMod(hueIn, 1.0);
  if (hue < ONE_SIXTH) return m1 + (m2 - m1) * hue * 6.0;
  if (hue < 0.5) return m2;
  if (hue < TWO_THIRD) return m1 + (m2 - m1) * (TWO_THIRD - hue) * 6.0;
  return m1;
}

/** Python `colorsys.hls_to_rgb`. */
function hlsToRgb(h: number, l: number, s: number): [number, number, number] {
  if (s === 0.0) return [l, l, l];
  const m2 = l <= 0.5 ? l * (1.0 + s) : l + s - l * s;
  const m1 = 2.0 * l - m2;
  return [hueChannel(m1, m2, h + ONE_THIRD), hueChannel(m1, m2, h), hueChannel(m1, m2, h - ONE_THIRD)];
}

// Hue index LUT: RED→GREEN, YELLOW→MAGENTA, GREEN→BLUE, CYAN→RED, BLUE→YELLOW, MAGENTA→CYAN.
const NEXT_BASE = [2, 5, 4, 0, 1, 3] as const;

/** The first `n` class colours (RGB, 0..255), class 1 first. */
export function classColors(n: number): Rgb[] {
  const out: Rgb[] = [];
  let h = 0;
  let l = 0.5;
  let s = 1;
  let it = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      s = Math.max(s, 0.5);
      l = Math.min(Math.max(l, 0.3), 0.7);
      if (it === 1) it = 2;
      h = hueOf(it);
      it += 1;
    }
    out.push(toRgb(h, l, s));
  }
  return out;
}

/** The generator's hue for counter value `it`. */
function hueOf(it: number): number {
  let base: number = NEXT_BASE[it % 6] as number;
  const k = Math.trunc(it / 6);
  base += k / (k + 1);
  return pyMod(base * ONE_SIXTH + 1.0, 1.0);
}

function toRgb(h: number, l: number, s: number): Rgb {
  const [r, g, b] = hlsToRgb(h, l, s);
  return [Math.trunc(r * 255), Math.trunc(g * 255), Math.trunc(b * 255)];
}

/**
 * The colour of class `i` (1-based, like `LabelValue`), `classColors(i)[i - 1]` in constant time:
 * after the first colour `s` stays 1 and `l` 0.5, and colour `i` ≥ 3 has counter `it = i − 1`
 * (colour 2 has `it = 0`; the generator skips `it = 1`).
 */
export function classColor(i: number): Rgb {
  if (!Number.isInteger(i) || i < 1) throw new RangeError(`class index must be an integer >= 1, got ${i}`);
  if (i === 1) return toRgb(0, 0.5, 1);
  return toRgb(hueOf(i === 2 ? 0 : i - 1), 0.5, 1);
}
