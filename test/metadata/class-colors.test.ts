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
  it("never gives negative or out-of-range channels", () => {
    for (const c of classColors(200)) for (const v of c) expect(v >= 0 && v <= 255).toBe(true);
  });
});
