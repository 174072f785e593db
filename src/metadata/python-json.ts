/**
 * Python-compatible JSON writing: `pythonJsonDumps(value)` produces exactly the text of
 * Python's `json.dumps(value)` with default arguments (docs/formats.md#json-serialisation): `", "` and `": "`
 * separators, one line, `ensure_ascii` escapes with lowercase hex and surrogate pairs, and
 * floats in Python `repr` form (`1.0`, `1e-07`, `1e+16`). `JSON.stringify` differs on every
 * one of these points, so this is hand-written.
 *
 * Ints vs floats: a JS number that is an integer is written as a Python int (`1`); a
 * non-integer number is a float. Wrap a value in `PyFloat` to write an integral float
 * (`new PyFloat(1)` → `1.0`). Non-finite numbers are refused (Python would write the
 * invalid tokens `NaN` / `Infinity`). Isomorphic.
 */
import { invalidMetadata } from "../errors.js";

/** A number that Python holds as a `float`: always written with `.` or an exponent. */
export class PyFloat {
  constructor(readonly value: number) {}
  /** So `JSON.stringify` writes the plain number. */
  toJSON(): number {
    return this.value;
  }
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return pythonFloatRepr(this.value);
  }
}

/** The plain number of a `number | PyFloat`. */
export function numberValue(v: number | PyFloat): number {
  return v instanceof PyFloat ? v.value : v;
}

/**
 * Python's `repr(float)` for a finite double: the shortest round-trip digits; scientific
 * notation when the decimal exponent is < -4 or >= 16 (two-digit signed exponent), else
 * fixed notation with at least one fractional digit.
 */
export function pythonFloatRepr(v: number): string {
  if (!Number.isFinite(v)) {
    throw invalidMetadata(`${String(v)} is not a finite number`, { allowed: "a finite number" });
  }
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mantissa = "", expText = "0"] = v.toExponential().split("e");
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const exp = Number(expText);
  const sign = negative ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const absExp = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${absExp < 10 ? "0" : ""}${absExp}`;
  }
  if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
  }
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}

/** Python `json` string literal with `ensure_ascii=True`. */
function pythonJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      if (c === 0x22) out += '\\"';
      else if (c === 0x5c) out += "\\\\";
      else out += s[i];
      continue;
    }
    switch (c) {
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x08:
        out += "\\b";
        break;
      case 0x0c:
        out += "\\f";
        break;
      default:
        // Code units: an astral character is already a surrogate pair in a JS string.
        out += `\\u${c.toString(16).padStart(4, "0")}`;
    }
  }
  return `${out}"`;
}

function pathText(path: readonly (string | number)[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s === "" ? p : `.${p}`;
  return s === "" ? "(value)" : s;
}

function dumpNumber(n: number, path: readonly (string | number)[], asFloat: boolean): string {
  if (!Number.isFinite(n)) {
    throw invalidMetadata(`${String(n)} is not a finite number; JSON cannot hold it`, {
      where: pathText(path),
      allowed: "a finite number",
    });
  }
  if (!asFloat && Number.isInteger(n)) {
    // A Python int: all digits, never an exponent; -0 is just 0.
    return BigInt(n).toString();
  }
  return pythonFloatRepr(n);
}

function dump(value: unknown, path: (string | number)[]): string {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "string") return pythonJsonString(value);
  if (typeof value === "number") return dumpNumber(value, path, false);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof PyFloat) return dumpNumber(value.value, path, true);
  if (Array.isArray(value)) {
    const parts = value.map((item, i) => dump(item, [...path, i]));
    return `[${parts.join(", ")}]`;
  }
  if (typeof value === "object") {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      parts.push(`${pythonJsonString(k)}: ${dump(v, [...path, k])}`);
    }
    return `{${parts.join(", ")}}`;
  }
  throw invalidMetadata(`a ${typeof value} value cannot be written as JSON`, {
    where: pathText(path),
    allowed: "null, a boolean, a number, a string, an array or an object",
  });
}

/**
 * Python `json.dumps(value)` with default arguments. Object keys keep their insertion
 * order; properties whose value is `undefined` are skipped (like `JSON.stringify`).
 */
export function pythonJsonDumps(value: unknown): string {
  return dump(value, []);
}
