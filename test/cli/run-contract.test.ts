/**
 * The exit contract of `runProgram` (src/cli/run.ts) that every command relies on: user
 * errors one line + exit 2, bugs one line "internal error" + exit 70, stack traces only with
 * `--debug`, `--json` errors as `{ok: false, error}` on stdout.
 */
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { invalidMetadata } from "../../src/errors.js";
import { capture, expectOneLineError, parseJson, STACK_LINE } from "./helpers.js";

function program(fail: () => never): Command {
  const p = new Command("tool");
  p.command("go")
    .option("--json")
    .option("--debug")
    .action(() => fail());
  return p;
}

const bug = () => {
  throw new TypeError("cannot read properties of undefined");
};
const userError = () => {
  throw invalidMetadata("7 is odd", { where: "model.json: MinOverlap[0]", allowed: "an even integer >= 0" });
};

describe("runProgram", () => {
  it("a user error: one line naming where, what and what is allowed; exit 2", async () => {
    const r = await capture(program(userError), ["go"]);
    expectOneLineError(r, ["tool: error: model.json: MinOverlap[0]: 7 is odd (allowed: an even integer >= 0)"], { tool: "tool" });
  });

  it("a bug: one line 'internal error', exit 70, no stack unless --debug", async () => {
    const r = await capture(program(bug), ["go"]);
    expect(r.status).toBe(70);
    expect(r.stderr).toBe("tool: internal error: cannot read properties of undefined (run again with --debug for details)\n");
    const d = await capture(program(bug), ["go", "--debug"]);
    expect(d.status).toBe(70);
    expect(d.stderr).toMatch(STACK_LINE);
  });

  it("--debug shows the stack of a user error too", async () => {
    const r = await capture(program(userError), ["go", "--debug"]);
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("tool: error: model.json: MinOverlap[0]: 7 is odd (allowed: an even integer >= 0)");
    expect(r.stderr).toMatch(STACK_LINE);
  });

  it("--json: the error as JSON on stdout, with code, where and allowed", async () => {
    const r = await capture(program(userError), ["go", "--json"]);
    expect(r.status).toBe(2);
    expect(parseJson(r)).toEqual({
      ok: false,
      error: {
        code: "INVALID_METADATA",
        message: "model.json: MinOverlap[0]: 7 is odd (allowed: an even integer >= 0)",
        where: "model.json: MinOverlap[0]",
        allowed: "an even integer >= 0",
      },
    });
    const b = await capture(program(bug), ["go", "--json"]);
    expect(parseJson(b)).toEqual({ ok: false, error: { code: "INTERNAL", message: "cannot read properties of undefined" } });
  });

  it("a usage error: one line with the hint, exit 2", async () => {
    const r = await capture(program(bug), ["go", "--nope"]);
    expectOneLineError(r, ["tool: error: unknown option '--nope' (add --help for usage)"], { tool: "tool" });
  });
});
