/**
 * Parsers for option values (`16,16`, `Background,Nucleus`, `6.5e-7,6.5e-7`, `512,512`):
 * each turns bad text into a one-line error naming the option and what is allowed.
 */
import { InvalidArgumentError } from "commander";
import { MAX_THREADS } from "../engine/session.js";

function list(text: string): string[] {
  return text.split(",").map((s) => s.trim());
}

/** Largest pixel count an option of sizes takes per value (`--tile`, `--border`, `--spatial-dims`, `--min-overlap`). */
export const MAX_PIXEL_OPTION = 16384;

/** Comma-separated integers, each in min..max (max: `MAX_PIXEL_OPTION`); optionally an exact count. */
export function intList(option: string, opts: { min?: number; count?: number[] } = {}) {
  return (text: string): number[] => {
    const items = list(text);
    const min = opts.min ?? 0;
    const max = MAX_PIXEL_OPTION;
    const values = items.map((s) => {
      if (!/^-?\d+$/.test(s))
        throw new InvalidArgumentError(`"${s}" is not an integer (allowed: comma-separated integers ${min}..${max}, e.g. 16,16).`);
      const v = Number(s);
      if (v < min) throw new InvalidArgumentError(`${v} is less than ${min}.`);
      if (v > max) throw new InvalidArgumentError(`${v} is more than ${max} (allowed: integers ${min}..${max}).`);
      return v;
    });
    if (opts.count && !opts.count.includes(values.length)) {
      throw new InvalidArgumentError(`expected ${opts.count.join(" or ")} values, got ${values.length} (${option} ${text}).`);
    }
    return values;
  };
}

/** Comma-separated finite numbers; optionally an exact count. */
export function numberList(option: string, count?: number) {
  return (text: string): number[] => {
    const values = list(text).map((s) => {
      const v = Number(s);
      if (s === "" || !Number.isFinite(v)) throw new InvalidArgumentError(`"${s}" is not a number.`);
      return v;
    });
    if (count !== undefined && values.length !== count)
      throw new InvalidArgumentError(`expected ${count} values, got ${values.length} (${option} ${text}).`);
    return values;
  };
}

/** Comma-separated non-empty names. */
export function nameList(text: string): string[] {
  const names = list(text);
  if (names.some((n) => n === ""))
    throw new InvalidArgumentError(`empty name in "${text}" (allowed: comma-separated names, e.g. Background,Nucleus).`);
  return names;
}

/**
 * One whole number of `unit` in min..max (`--min-area 20`: pixels); `max` defaults to
 * `Number.MAX_SAFE_INTEGER`, enough for a pixel count of any image.
 */
export function wholeNumber(unit: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  const allowed = `allowed: integers ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`}`;
  return (text: string): number => {
    const s = text.trim();
    if (!/^\d+$/.test(s)) throw new InvalidArgumentError(`"${text}" is not a whole number of ${unit} (${allowed}).`);
    const v = Number(s);
    if (v < min) throw new InvalidArgumentError(`${s} is less than ${min} (${allowed}).`);
    if (v > max) throw new InvalidArgumentError(`${s} is more than ${max} (allowed: integers ${min}..${max}).`);
    return v;
  };
}

/** One of a closed set of values. */
export function oneOf<T extends string>(values: readonly T[]) {
  return (text: string): T => {
    if ((values as readonly string[]).includes(text)) return text as T;
    throw new InvalidArgumentError(`"${text}" is not allowed (allowed: ${values.join(", ")}).`);
  };
}

/** A number in a range. */
export function numberIn(min: number, max: number) {
  return (text: string): number => {
    const v = Number(text);
    if (text.trim() === "" || !Number.isFinite(v) || v < min || v > max)
      throw new InvalidArgumentError(`"${text}" is not a number in ${min}..${max}.`);
    return v;
  };
}

/** An integer in 1..max. */
export function positiveInt(max: number) {
  return (text: string): number => {
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max)
      throw new InvalidArgumentError(`"${text}" is not an integer in 1..${max}.`);
    return Number(text);
  };
}

/** Limits of the numeric options (README "Limits"): threads, batch, units, worker concurrency, attempts. */
export const OPTION_LIMITS = { threads: MAX_THREADS, batch: 1024, unitSize: 1_048_576, concurrency: 64, attempts: 100 } as const;
