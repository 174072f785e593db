/**
 * Turning metadata validation failures into one-line `CzmodelError`s of the form
 * `model.json: MinOverlap[1]: 7 is odd (allowed: an even integer >= 0)`: the place (file,
 * field path), the bad value, what is wrong, and what is allowed. Zod issues are converted
 * here; zod schemas carry the short problem text as their message and the `allowed` text is
 * looked up by field path. Isomorphic.
 */
import type { z } from "zod";
import { invalidMetadata, type CzmodelError } from "../errors.js";
import { PyFloat, pythonFloatRepr } from "./python-json.js";

/** A short, Python-like rendering of a value for messages (`"abc"`, `7`, `1.0`, `[1, 2]`). */
export function showValue(v: unknown, max = 80): string {
  let s: string;
  if (v === undefined) s = "nothing";
  else if (v === null) s = "null";
  else if (v instanceof PyFloat) s = Number.isFinite(v.value) ? pythonFloatRepr(v.value) : String(v.value);
  else if (typeof v === "string") s = JSON.stringify(v);
  else if (typeof v === "number") s = Number.isFinite(v) && !Number.isInteger(v) ? pythonFloatRepr(v) : String(v);
  else if (typeof v === "boolean" || typeof v === "bigint") s = String(v);
  else if (Array.isArray(v)) s = `[${v.map((x) => showValue(x, max)).join(", ")}]`;
  else if (typeof v === "object")
    s = `{${Object.keys(v as object)
      .map((k) => JSON.stringify(k))
      .join(", ")}}`;
  else s = typeof v;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** `["Classes", 2]` → `Classes[2]`; `["a", "b"]` → `a.b`. */
function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let s = "";
  for (const p of path) {
    if (typeof p === "number") s += `[${p}]`;
    else s += s === "" ? String(p) : `.${String(p)}`;
  }
  return s;
}

/** `where: field` (either may be empty). */
function joinWhere(where: string, field: string): string {
  if (!field) return where;
  if (!where) return field;
  return `${where}: ${field}`;
}

/** One metadata error: `<where>: <field>: <problem> (allowed: …)`. */
export function fieldError(where: string, field: string, problem: string, allowed?: string): CzmodelError {
  return invalidMetadata(problem, { where: joinWhere(where, field), ...(allowed ? { allowed } : {}) });
}

/** `7 is odd`: the value shown, then what is wrong with it. */
export function valueProblem(value: unknown, problem: string): string {
  return `${showValue(value)} ${problem}`;
}

/** The first zod issue as a `CzmodelError`; `allowedFor` gives the allowed text of a path. */
export function zodIssueError(
  error: z.ZodError,
  where: string,
  allowedFor: (path: ReadonlyArray<PropertyKey>) => string | undefined,
): CzmodelError {
  const issue = error.issues[0];
  if (!issue) return invalidMetadata("invalid metadata", { where });
  const input = (issue as { input?: unknown }).input;
  const allowed = allowedFor(issue.path);
  const problem = input === undefined ? issue.message : valueProblem(input, issue.message);
  return fieldError(where, fieldPath(issue.path), problem, allowed);
}

/** Zod `error` option: `missing` when the value is absent, else `problem`. */
export function missingOr(problem: string): (iss: { input?: unknown }) => string {
  return (iss) => (iss.input === undefined ? "missing" : problem);
}
