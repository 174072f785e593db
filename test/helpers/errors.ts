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

/** The `CzmodelError` a promise rejects with (fails the test when it resolves or rejects with something else). */
export async function rejectionOf(p: Promise<unknown>): Promise<CzmodelError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(CzmodelError);
  return e as CzmodelError;
}
