/**
 * The class records of czmodel label outputs, read back (`io/label-classes.ts`): records of
 * other kinds and invalid records are ignored whole, so an image with a broken record reads as
 * one without; a class without a recorded colour gets the default palette's. The round trips
 * through each format's writer and reader are in png.test.ts, tiff-write.test.ts and zarr.test.ts.
 */
import { describe, expect, it } from "vitest";
import { labelClassesOfAnnotations, labelClassesOfPngText, labelClassesOfRecord } from "../../src/io/label-classes.js";
import { classColor } from "../../src/metadata/class-colors.js";

const good = [
  { value: 1, name: "Background", color: [0, 0, 0] },
  { value: 2, name: "Nucleus", color: [0, 255, 0] },
];

describe("recorded label classes", () => {
  it("reads a labels record in class order", () => {
    expect(labelClassesOfRecord({ kind: "labels", classes: good })).toEqual(good);
    expect(labelClassesOfPngText({ czmodel: JSON.stringify({ kind: "labels", classes: [good[1], good[0]] }) })).toEqual([good[1], good[0]]);
  });

  it.each([
    ["another kind", { kind: "probabilities", classes: good }],
    ["no classes", { kind: "labels" }],
    ["an empty list", { kind: "labels", classes: [] }],
    ["a repeated value", { kind: "labels", classes: [good[0], { ...good[1], value: 1 }] }],
    ["a fractional value", { kind: "labels", classes: [{ ...good[0], value: 1.5 }] }],
    ["a negative value", { kind: "labels", classes: [{ ...good[0], value: -1 }] }],
    ["a value over 32 bits", { kind: "labels", classes: [{ ...good[0], value: 2 ** 32 }] }],
    ["a name that is no string", { kind: "labels", classes: [{ ...good[0], name: 7 }] }],
    ["a colour of two samples", { kind: "labels", classes: [{ ...good[0], color: [1, 2] }] }],
    ["a colour sample over 255", { kind: "labels", classes: [{ ...good[0], color: [1, 2, 256] }] }],
    ["a class that is no object", { kind: "labels", classes: [null] }],
  ])("ignores a record with %s", (_, record) => {
    expect(labelClassesOfRecord(record)).toBeUndefined();
  });

  it("ignores PNG text that is not JSON, and PNGs without the chunk", () => {
    expect(labelClassesOfPngText({ czmodel: "{kind: labels" })).toBeUndefined();
    expect(labelClassesOfPngText({ Software: "x" })).toBeUndefined();
  });

  it("reads OME MapAnnotations; a missing colour takes the palette's, a malformed one voids the record", () => {
    const maps = (colors: [string, string][] | undefined, kind = "labels") =>
      new Map<string, [string, string][]>([
        ["czmodel/output", [["kind", kind]]],
        [
          "czmodel/class-names",
          [
            ["1", "Background"],
            ["2", "Nucleus"],
          ],
        ],
        ...(colors ? ([["czmodel/class-colors", colors]] as const) : []),
      ]);
    expect(labelClassesOfAnnotations(maps([["1", "#000000"]]))).toEqual([
      { value: 1, name: "Background", color: [0, 0, 0] },
      { value: 2, name: "Nucleus", color: classColor(2) },
    ]);
    expect(labelClassesOfAnnotations(maps([["2", "green"]]))).toBeUndefined();
    expect(labelClassesOfAnnotations(maps(undefined, "regression"))).toBeUndefined();
    expect(labelClassesOfAnnotations(new Map([["czmodel/class-names", [["x", "A"]]]]))).toBeUndefined();
  });
});
