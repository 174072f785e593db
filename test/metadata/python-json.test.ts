import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { parsePythonJson, plainJson, PyFloat, pythonFloatRepr, pythonJsonDumps } from "../../src/metadata/index.js";
import { fixture } from "../helpers/paths.js";

/** Rebuild a value tagged by scripts/fixtures/python_json.py (keeps Python's int/float/dict-order). */
function untag(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untag);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("$f" in o) {
      const hex = o.$f as string;
      const dv = new DataView(new ArrayBuffer(8));
      dv.setBigUint64(0, BigInt(`0x${hex}`));
      return new PyFloat(dv.getFloat64(0));
    }
    if ("$i" in o) return Number(o.$i as string);
    if ("$o" in o) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of o.$o as [string, unknown][]) out[k] = untag(x);
      return out;
    }
  }
  return v;
}

const cases = readFileSync(fixture("metadata", "python_json.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as { input: unknown; output: string });

describe("pythonJsonDumps vs Python json.dumps (fixture from /usr/bin/python3)", () => {
  it("has a large fixture", () => {
    expect(cases.length).toBeGreaterThan(1000);
  });

  it("matches Python byte for byte on every case (floats, strings with unicode/astral/controls, composites)", () => {
    const mismatches: string[] = [];
    for (const c of cases) {
      const got = pythonJsonDumps(untag(c.input));
      if (got !== c.output) mismatches.push(`${JSON.stringify(c.input)}: got ${got}, python ${c.output}`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it("parsePythonJson(python output) re-dumps to the same text (float form kept)", () => {
    for (const c of cases) {
      expect(pythonJsonDumps(parsePythonJson(c.output, "case"))).toBe(c.output);
    }
  });
});

describe("pythonFloatRepr", () => {
  it.each([
    [1, "1.0"],
    [0.5, "0.5"],
    [1e-7, "1e-07"],
    [6.5e-7, "6.5e-07"],
    [1e16, "1e+16"],
    [1.2345678901234568e17, "1.2345678901234568e+17"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [100, "100.0"],
    [-0, "-0.0"],
    [0, "0.0"],
    [9999999999999998, "9999999999999998.0"],
  ])("%s → %s", (v, s) => {
    expect(pythonFloatRepr(v)).toBe(s);
  });
});

describe("pythonJsonDumps details", () => {
  it("writes ints as ints and PyFloat as floats", () => {
    expect(pythonJsonDumps({ a: [1, new PyFloat(1), 0.25, 2 ** 60] })).toBe('{"a": [1, 1.0, 0.25, 1152921504606846976]}');
  });

  it("refuses NaN and Infinity with the path of the value", () => {
    expect(() => pythonJsonDumps({ Scaling: [1, Number.NaN] })).toThrow(CzmodelError);
    expect(() => pythonJsonDumps({ Scaling: [1, Number.NaN] })).toThrow(
      "Scaling[1]: NaN is not a finite number; JSON cannot hold it (allowed: a finite number)",
    );
    expect(() => pythonJsonDumps(new PyFloat(Number.POSITIVE_INFINITY))).toThrow("(value): Infinity is not a finite number");
  });

  it("PyFloat serializes through JSON.stringify as a plain number", () => {
    expect(JSON.stringify({ s: [new PyFloat(1), new PyFloat(6.5e-7)] })).toBe('{"s":[1,6.5e-7]}');
  });
});

describe("parsePythonJson", () => {
  it("keeps float vs int and key order", () => {
    const v = parsePythonJson('{"b": 1.0, "a": [1, 2e3, -0.0], "__proto__": {"x": 1}}', "t.json") as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(["b", "a", "__proto__"]);
    expect(v.b).toBeInstanceOf(PyFloat);
    expect(plainJson(v as never)).toEqual({ b: 1, a: [1, 2000, -0], ["__proto__"]: { x: 1 } });
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it("reports malformed JSON with line and column", () => {
    expect(() => parsePythonJson('{\n  "a": 1,\n  "b": }', "spec.json")).toThrow(
      'spec.json: malformed JSON: unexpected character "}" at line 3, column 8',
    );
    expect(() => parsePythonJson('{"a": NaN}', "m.json")).toThrow(
      "m.json: malformed JSON: NaN and Infinity are not allowed at line 1, column 7",
    );
    expect(() => parsePythonJson('{"a": 1} x', "m.json")).toThrow(
      "m.json: malformed JSON: extra data after the JSON value at line 1, column 10",
    );
    expect(() => parsePythonJson('{"a": "x', "m.json")).toThrow("m.json: malformed JSON: unterminated string at line 1, column 7");
  });
});
