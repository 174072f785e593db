/**
 * Which paths name the same file or folder (Node only): the guard every writer runs before any
 * work, so that an output never replaces one of the run's inputs (compared by device and inode,
 * so links and other spellings count) and two outputs of one run never land on one path
 * (compared as resolved paths, since outputs usually do not exist yet).
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { invalidArgument, ioError } from "../../errors.js";

/** Whether `a` and `b` both exist and are the same file or folder (device and inode). */
async function sameExisting(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return Boolean(sa && sb && sa.ino === sb.ino && sa.dev === sb.dev);
}

/** Throws when `output` exists and is one of `inputs` (absent inputs are skipped); `what` names the output. */
export async function refuseInputAsOutput(
  output: string,
  inputs: readonly (string | null | undefined)[],
  what = "the output",
): Promise<void> {
  for (const input of inputs) {
    if (input && (await sameExisting(output, input)))
      throw ioError(`${what} would replace one of the inputs`, { where: output, allowed: "another output path" });
  }
}

/** A run's output: what it is, in the user's words (`--objects`), and its path. */
export interface NamedOutput {
  what: string;
  path: string;
}

/**
 * Throws when two of `outputs` resolve to the same path (or exist as the same file), or when
 * one of them is one of `inputs`. Nothing is written.
 */
export async function refuseOutputClashes(outputs: readonly NamedOutput[], inputs: readonly (string | null | undefined)[]): Promise<void> {
  for (const [i, a] of outputs.entries()) {
    for (const b of outputs.slice(i + 1)) {
      if (resolve(a.path) === resolve(b.path) || (await sameExisting(a.path, b.path)))
        throw invalidArgument(`${a.what} and ${b.what} are the same file; each output needs its own path`, { where: b.path });
    }
    await refuseInputAsOutput(a.path, inputs, a.what);
  }
}
