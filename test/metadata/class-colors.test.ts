import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { classColor, classColors } from "../../src/metadata/index.js";

// docs/formats.md#class-colours, from czmodel's generator (checked against Python).
const TABLE_1_20 = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 0, 0],
  [254, 255, 0],
  [0, 254, 255],
  [0, 255, 127],
  [255, 0, 127],
  [127, 0, 255],
  [255, 127, 0],
  [127, 255, 0],
  [0, 127, 255],
  [0, 255, 170],
  [255, 0, 84],
  [169, 0, 255],
  [255, 170, 0],
  [85, 255, 0],
  [0, 84, 255],
  [0, 255, 191],
  [255, 0, 63],
];
const TABLE_21_30 = [
  [191, 0, 255],
  [255, 191, 0],
  [63, 255, 0],
  [0, 63, 255],
  [0, 255, 203],
  [255, 0, 50],
  [203, 0, 255],
  [255, 203, 0],
  [50, 255, 0],
  [0, 50, 255],
];

describe("class colours (czmodel generator)", () => {
  it("matches the table for classes 1..20", () => {
    expect(classColors(20)).toEqual(TABLE_1_20);
  });
  it("matches the table for classes 21..30", () => {
    expect(classColors(30).slice(20)).toEqual(TABLE_21_30);
  });
  it("classColor(i) is the i-th colour (1-based)", () => {
    expect(classColor(1)).toEqual([255, 0, 0]);
    expect(classColor(4)).toEqual([255, 0, 0]);
    expect(classColor(15)).toEqual([169, 0, 255]);
    expect(() => classColor(0)).toThrow(RangeError);
  });
  it("classColor(i) is classColors(n)[i - 1] for the first 5000 classes", () => {
    const all = classColors(5000);
    for (let i = 1; i <= 5000; i++) if (classColor(i).join() !== all[i - 1]!.join()) expect.fail(`class ${i}`);
  });
  it("classColor of a huge label value takes no time and matches Python's colorsys", () => {
    const values = [3, 15, 30, 70000, 70001, 2 ** 31 - 1, 2 ** 31, 3000000001, 2 ** 32 - 1];
    const start = performance.now();
    const ours = values.map((v) => classColor(v));
    expect(performance.now() - start).toBeLessThan(100);
    // colour i >= 3 has counter it = i - 1 (docs/formats.md#class-colours); Python's floats and colorsys
    const script = [
      "import colorsys, json, sys",
      "def colour(i):",
      "    it = i - 1",
      "    k = it // 6",
      "    base = [2, 5, 4, 0, 1, 3][it % 6] + k / (k + 1)",
      "    h = (base * (1.0 / 6.0) + 1.0) % 1.0",
      "    return [int(x * 255) for x in colorsys.hls_to_rgb(h, 0.5, 1.0)]",
      "print(json.dumps([colour(int(v)) for v in sys.argv[1:]]))",
    ].join("\n");
    const python = JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, ...values.map(String)], { encoding: "utf8" }));
    expect(ours).toEqual(python);
  });
  it("never gives negative or out-of-range channels", () => {
    for (const c of classColors(200)) for (const v of c) expect(v >= 0 && v <= 255).toBe(true);
  });
});
