/**
 * `objectClasses`: which label values form objects by default and by `--objects-of`, from the
 * classes a model declares or a label image records.
 */
import { describe, expect, it } from "vitest";
import { objectClasses } from "../../src/objects/classes.js";
import type { OutputClass } from "../../src/io/types.js";

const cls = (value: number, name: string): OutputClass => ({ value, name, color: [value, 0, 0] });

describe("objectClasses", () => {
  it("takes every class but the first by default (ZEN's background first)", () => {
    expect(objectClasses([cls(1, "Background"), cls(2, "Nucleus"), cls(3, "Cell")], undefined, "this model").classes).toEqual([2, 3]);
    expect(objectClasses([cls(1, "Tissue"), cls(2, "Nucleus")], undefined, "this model").classes).toEqual([2]);
  });

  it("leaves out the one class named Background wherever it is (a bioimage.io sigmoid channel is imported as [channel, Background])", () => {
    expect(objectClasses([cls(1, "probability"), cls(2, "Background")], undefined, "this model").classes).toEqual([1]);
    expect(objectClasses([cls(1, "nuclei"), cls(2, " background ")], undefined, "this model").classes).toEqual([1]);
    // two of that name: no telling which, so the first class is the background again
    expect(objectClasses([cls(1, "A"), cls(2, "Background"), cls(3, "background")], undefined, "this model").classes).toEqual([2, 3]);
  });

  it("never takes value 0 by default", () => {
    expect(objectClasses([cls(1, "Background"), cls(0, "unclassified"), cls(2, "Nucleus")], undefined, "x").classes).toEqual([2]);
  });

  it("looks names and values up; a name picks every class of that name, each value once", () => {
    const known = [cls(1, "Background"), cls(2, "Nucleus"), cls(3, "Nucleus"), cls(4, "Cell")];
    expect(objectClasses(known, ["Nucleus"], "x").classes).toEqual([2, 3]);
    expect(objectClasses(known, ["4", "Cell", "2"], "x").classes).toEqual([4, 2]);
    expect(objectClasses(known, ["Background"], "x").classes).toEqual([1]);
  });

  it("refuses a class the known ones lack, naming them; without known classes only values", () => {
    expect(() => objectClasses([cls(1, "Background"), cls(2, "Nucleus")], ["Cell"], "this label image")).toThrow(
      /class Cell does not exist in this label image.*1 \(Background\), 2 \(Nucleus\)/,
    );
    expect(objectClasses([], ["7"], "x").classes).toEqual([7]);
    expect(() => objectClasses([], ["Nucleus"], "x")).toThrow(/"Nucleus" is not a label value/);
  });
});
