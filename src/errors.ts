/**
 * The project's one typed error module.
 *
 * Every error a user can cause is a `CzmodelError`: it says what was wrong (`message`),
 * where (`where`: a file, a JSON field path, a zip entry, a CLI option …) and, when there is
 * a closed set, what is allowed (`allowed`). The CLI prints `error.toString()` as one line and
 * exits with `exitCode`; anything that is not a `CzmodelError` is a bug and is reported as an
 * internal error. Isomorphic: no `node:*` imports.
 */

/** Broad category of an error, stable for `--json` output and for tests. */
export type ErrorCode =
  | "INVALID_ARGUMENT" // a CLI option or API parameter is wrong
  | "INVALID_METADATA" // a metadata field (model.json, XML, spec JSON) is wrong
  | "INVALID_CONTAINER" // the zip container is broken or incomplete
  | "INVALID_MODEL" // the model payload (ONNX, SavedModel) is broken or unusable
  | "INVALID_IMAGE" // an image file is broken
  | "UNSUPPORTED" // valid input that this tool does not handle (codec, pixel type …)
  | "IO" // a file could not be read or written
  | "OUT_OF_RANGE" // a read past the end of the bytes there are (a truncated file)
  | "CANCELLED" // the user or the caller aborted a job
  | "INTERNAL"; // a bug: an invariant did not hold

export interface CzmodelErrorDetails {
  /** Where the problem is: a file path, `model.json: Classes[2]`, a zip entry name, `--tile` … */
  where?: string;
  /** What would have been accepted, e.g. `one of Gray8, Gray16` or `an even integer >= 0`. */
  allowed?: string;
  /** The underlying error, if any (kept for `--debug`). */
  cause?: unknown;
}

export class CzmodelError extends Error {
  readonly code: ErrorCode;
  readonly where: string | undefined;
  readonly allowed: string | undefined;
  /** What was wrong, without the location prefix (the full text is in `message`). */
  readonly problem: string;

  constructor(code: ErrorCode, problem: string, details: CzmodelErrorDetails = {}) {
    const where = details.where ? `${details.where}: ` : "";
    const allowed = details.allowed ? ` (allowed: ${details.allowed})` : "";
    super(`${where}${problem}${allowed}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "CzmodelError";
    this.code = code;
    this.where = details.where;
    this.allowed = details.allowed;
    this.problem = problem;
  }

  /** Process exit status for this error in the CLI: user errors 2, cancelled (Ctrl-C) 130, bugs 70. */
  get exitCode(): number {
    if (this.code === "INTERNAL") return 70;
    if (this.code === "CANCELLED") return 130;
    return 2;
  }

  toJSON(): { code: ErrorCode; message: string; where?: string; allowed?: string } {
    return {
      code: this.code,
      message: this.message,
      ...(this.where ? { where: this.where } : {}),
      ...(this.allowed ? { allowed: this.allowed } : {}),
    };
  }
}

/** True for errors a user caused (as opposed to bugs). */
export function isCzmodelError(e: unknown): e is CzmodelError {
  return e instanceof CzmodelError;
}

/** Shorthands: each builds a `CzmodelError` of one code. */
export const invalidArgument = (problem: string, details?: CzmodelErrorDetails) => new CzmodelError("INVALID_ARGUMENT", problem, details);
export const invalidMetadata = (problem: string, details?: CzmodelErrorDetails) => new CzmodelError("INVALID_METADATA", problem, details);
export const invalidContainer = (problem: string, details?: CzmodelErrorDetails) => new CzmodelError("INVALID_CONTAINER", problem, details);
export const invalidModel = (problem: string, details?: CzmodelErrorDetails) => new CzmodelError("INVALID_MODEL", problem, details);
export const invalidImage = (problem: string, details?: CzmodelErrorDetails) => new CzmodelError("INVALID_IMAGE", problem, details);
export const unsupported = (problem: string, details?: CzmodelErrorDetails) => new CzmodelError("UNSUPPORTED", problem, details);
export const ioError = (problem: string, details?: CzmodelErrorDetails) => new CzmodelError("IO", problem, details);
export const outOfRange = (problem: string, details?: CzmodelErrorDetails) => new CzmodelError("OUT_OF_RANGE", problem, details);
export const cancelled = (problem = "cancelled", details?: CzmodelErrorDetails) => new CzmodelError("CANCELLED", problem, details);
export const internalError = (problem: string, details?: CzmodelErrorDetails) => new CzmodelError("INTERNAL", problem, details);

/** Render any thrown value as a short message (for errors that are not ours). */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
