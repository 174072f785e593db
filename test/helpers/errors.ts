/** Test helper: the `CzmodelError` a function throws (fails the test when it throws nothing or something else). */
import { expect } from "vitest";
import { CzmodelError } from "../../src/errors.js";

export function errorOf(fn: () => unknown): CzmodelError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CzmodelError);
    return e as CzmodelError;
  }
  throw new Error("expected an error");
}
