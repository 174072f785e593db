/**
 * `parsePythonJson(text, where)`: a strict JSON parser (RFC 8259) that keeps what Python's
 * `json.loads` keeps and `JSON.parse` loses: whether a number was written as a float.
 * Numbers with a fraction or an exponent (`1.0`, `1e3`) come back as `PyFloat`, others as
 * plain numbers, so `pythonJsonDumps(parsePythonJson(t))` re-writes them as Python would.
 * Errors name the line and column. Objects are plain objects built with
 * `defineProperty` (a `"__proto__"` key is an ordinary key). Hand-written because no JSON
 * parser on npm reports the lexical number form. Isomorphic.
 */
import { invalidMetadata } from "../errors.js";
import { PyFloat } from "./python-json.js";

export type PyJsonValue = null | boolean | number | PyFloat | string | PyJsonValue[] | { [key: string]: PyJsonValue };

class Parser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly where: string,
  ) {}

  fail(problem: string, at = this.pos): never {
    let line = 1;
    let col = 1;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text[i] === "\n") {
        line++;
        col = 1;
      } else col++;
    }
    throw invalidMetadata(`malformed JSON: ${problem} at line ${line}, column ${col}`, { where: this.where });
  }

  private ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") this.pos++;
      else break;
    }
  }

  parseDocument(): PyJsonValue {
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.pos < this.text.length) this.fail("extra data after the JSON value");
    return v;
  }

  private value(depth: number): PyJsonValue {
    if (depth > 200) this.fail("nesting too deep");
    const c = this.text[this.pos];
    if (c === undefined) this.fail("unexpected end of text");
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    if (this.text.startsWith("true", this.pos)) {
      this.pos += 4;
      return true;
    }
    if (this.text.startsWith("false", this.pos)) {
      this.pos += 5;
      return false;
    }
    if (this.text.startsWith("null", this.pos)) {
      this.pos += 4;
      return null;
    }
    if (/^(NaN|-?Infinity)/.test(this.text.slice(this.pos, this.pos + 9))) {
      this.fail("NaN and Infinity are not allowed");
    }
    this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  private object(depth: number): { [key: string]: PyJsonValue } {
    const obj: { [key: string]: PyJsonValue } = {};
    this.pos++; // {
    this.ws();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail("expected a string key");
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ":") this.fail("expected ':' after a key");
      this.pos++;
      this.ws();
      const v = this.value(depth + 1);
      Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === "}") {
        this.pos++;
        return obj;
      }
      this.fail("expected ',' or '}' in an object");
    }
  }

  private array(depth: number): PyJsonValue[] {
    const arr: PyJsonValue[] = [];
    this.pos++; // [
    this.ws();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return arr;
    }
    for (;;) {
      this.ws();
      arr.push(this.value(depth + 1));
      this.ws();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === "]") {
        this.pos++;
        return arr;
      }
      this.fail("expected ',' or ']' in an array");
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.pos;
    this.pos++; // "
    let out = "";
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail("unterminated string", start);
      const code = t.charCodeAt(this.pos);
      if (code === 0x22) {
        out += t.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (code < 0x20) this.fail("control character in a string");
      if (code !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(runStart, this.pos);
      const e = t[this.pos + 1];
      const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e !== undefined && e in simple) {
        out += simple[e];
        this.pos += 2;
      } else if (e === "u") {
        const hex = t.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("bad \\u escape");
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        this.fail("bad escape in a string");
      }
      runStart = this.pos;
    }
  }

  private number(): number | PyFloat {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m) this.fail("bad number");
    this.pos += m[0].length;
    const n = Number(m[0]);
    if (!Number.isFinite(n)) this.fail(`number ${m[0]} is out of range`, this.pos - m[0].length);
    return m[2] !== undefined || m[3] !== undefined ? new PyFloat(n) : n;
  }
}

/** Parse JSON text; floats (`1.0`, `2e-7`) become `PyFloat`, integers plain numbers. */
export function parsePythonJson(text: string, where: string): PyJsonValue {
  return new Parser(text, where).parseDocument();
}

/** Turn every `PyFloat` in a parsed value into a plain number (for consumers that do not care). */
export function plainJson(value: PyJsonValue): unknown {
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(plainJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: plainJson(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
