/**
 * `ObjectState`'s intensity statistics: integer samples are summed exactly, so the mean and
 * standard deviation are the same to the last bit however the pixels are cut into runs and
 * whichever parts merge; they equal the exact values (BigInt sums here) within a few ulps, also
 * when the sums pass 2^52 and move to the floating part, and float samples within 1e-12.
 */
import { describe, expect, it } from "vitest";
import { ObjectState } from "../../src/objects/object-state.js";

/** A deterministic pseudo-random sequence (LCG) of `n` values below `max`. */
function samples(n: number, max: number, seed = 1): number[] {
  const out: number[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(x % max);
  }
  return out;
}

/** Mean and population std from exact integer sums. */
function exact(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0n;
  let squares = 0n;
  for (let i = 0; i < values.length; i++) {
    const v = BigInt(values[i]!);
    sum += v;
    squares += v * v;
  }
  const n = BigInt(values.length);
  // n² var = n Σv² − (Σv)², exact; the one division and square root in doubles
  const nVar = Number(n * squares - sum * sum) / Number(n * n);
  return { mean: Number(sum) / values.length, std: Math.sqrt(nVar) };
}

/** An object state fed `data` as runs cut at `cuts` (indices where a new run starts), `area` set as the labeller does. */
function fed(data: ArrayLike<number>, cuts: number[]): ObjectState {
  const o = new ObjectState(1, 0, 0, data.length, 1, false);
  const ends = [...cuts, data.length];
  let from = 0;
  for (const end of ends) {
    if (end <= from) continue;
    o.addRun(0, from, end - 1);
    o.addSamples(0, data, from, end - 1);
    from = end;
  }
  return o;
}

describe("ObjectState intensity statistics", () => {
  it("uint16 samples: the same bits whatever the runs, and the exact mean and std", () => {
    const data = Uint16Array.from(samples(5000, 65536));
    const whole = fed(data, []).channelStats(0);
    for (const cuts of [[1], [17, 18, 19], [2500], samples(40, 5000, 7).sort((a, b) => a - b)])
      expect(fed(data, cuts).channelStats(0)).toEqual(whole);
    const want = exact(data);
    expect(whole.mean).toBeCloseTo(want.mean, 9);
    expect(Math.abs(whole.std - want.std) / want.std).toBeLessThan(1e-14);
    expect(whole.min).toBe(Math.min(...data));
    expect(whole.max).toBe(Math.max(...data));
  });

  it("two parts that merge, each with its own reference sample, give the bits of one part", () => {
    const data = Uint8Array.from(samples(3000, 256, 3));
    const one = fed(data, [700, 1400]).channelStats(0);
    // the later part starts with its own first sample as reference, then is absorbed
    const a = new ObjectState(1, 0, 0, data.length, 1, false);
    const b = new ObjectState(1, 0, 1000, data.length, 1, false);
    a.addRun(0, 0, 999);
    a.addSamples(0, data, 0, 999);
    b.addRun(0, 1000, 2999);
    b.addSamples(0, data, 1000, 2999);
    a.absorb(b);
    expect(a.channelStats(0)).toEqual(one);
  });

  it("sums past 2^52 move to the floating part: still the exact values within 1e-12", () => {
    // 0 and 65535 alternating, runs of 2^20: each run's squared differences are about 2^51
    const run = 1 << 20;
    const data = new Uint16Array(6 * run);
    for (let i = 0; i < data.length; i++) data[i] = i % 2 === 0 ? 0 : 65535;
    data[0] = 40000;
    const cuts = Array.from({ length: 5 }, (_, k) => (k + 1) * run);
    const got = fed(data, cuts).channelStats(0);
    const want = exact(data);
    expect(Math.abs(got.mean - want.mean) / want.mean).toBeLessThan(1e-12);
    expect(Math.abs(got.std - want.std) / want.std).toBeLessThan(1e-12);
    // two halves, each below the limit, whose merged sums would pass it
    const a = fed(data.subarray(0, 3 * run), [run, 2 * run]);
    const b = new ObjectState(1, 0, 3 * run, data.length, 1, false);
    for (let k = 3; k < 6; k++) {
      b.addRun(0, k * run, (k + 1) * run - 1);
      b.addSamples(0, data, k * run, (k + 1) * run - 1);
    }
    a.absorb(b);
    const merged = a.channelStats(0);
    expect(Math.abs(merged.mean - want.mean) / want.mean).toBeLessThan(1e-12);
    expect(Math.abs(merged.std - want.std) / want.std).toBeLessThan(1e-12);
  });

  it("float samples: the mean and std within 1e-12", () => {
    const data = Float32Array.from(samples(4000, 1 << 20, 5), (v) => v / 1024 + 0.125);
    const got = fed(data, [100, 2000, 2001]).channelStats(0);
    const mean = data.reduce((a, v) => a + v, 0) / data.length;
    const std = Math.sqrt(data.reduce((a, v) => a + (v - mean) ** 2, 0) / data.length);
    expect(Math.abs(got.mean - mean) / mean).toBeLessThan(1e-12);
    expect(Math.abs(got.std - std) / std).toBeLessThan(1e-12);
  });
});
