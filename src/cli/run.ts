/**
 * Runs a commander program the way every czmodel command line should behave: user errors
 * are one line on stderr (and a JSON object on stdout with `--json`) with exit status 2,
 * validation findings exit 1, bugs exit 70; a stack trace only with `--debug`.
 */
import { CommanderError, type Command } from "commander";
import { type CzmodelError, describeError, isCzmodelError } from "../errors.js";
import { escapeControls } from "../render/format.js";

/** Thrown by a command to end with a given exit status after it printed its own output. */
export class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

export async function runProgram(program: Command, argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const json = argv.includes("--json");
  const tool = program.name();
  for (const cmd of allCommands(program)) {
    cmd.exitOverride();
    // usage errors too are one line: "czmodel: error: unknown option '--frob' (add --help for usage)"
    cmd.showHelpAfterError(false);
    cmd.configureOutput({ outputError: (text, write) => write(`${tool}: ${oneLine(text)} (add --help for usage)\n`) });
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    return reportError(e, { debug, json, tool });
  }
}

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

function reportError(e: unknown, opts: { debug: boolean; json: boolean; tool: string }): number {
  if (e instanceof ExitStatus) return e.status;
  if (e instanceof CommanderError) {
    // help and version are printed by commander itself and are not errors
    if (e.exitCode === 0) return 0;
    if (opts.json) printJsonError({ code: "INVALID_ARGUMENT", message: e.message.replace(/^error: /, "") });
    return 2;
  }
  if (isCzmodelError(e)) {
    process.stderr.write(`${opts.tool}: error: ${oneLine(e.message)}\n`);
    if (opts.debug && e.stack) process.stderr.write(`${e.stack}\n${causeStack(e)}`);
    if (opts.json) printJsonError(e.toJSON());
    return e.exitCode;
  }
  const message = oneLine(describeError(e));
  process.stderr.write(`${opts.tool}: internal error: ${message}${opts.debug ? "" : " (run again with --debug for details)"}\n`);
  if (opts.debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  if (opts.json) printJsonError({ code: "INTERNAL", message });
  return 70;
}

function causeStack(e: CzmodelError): string {
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error && cause.stack ? `caused by: ${cause.stack}\n` : "";
}

function oneLine(text: string): string {
  return escapeControls(text.replace(/\s*\n\s*/g, " ").trim());
}

function printJsonError(error: object): void {
  process.stdout.write(`${JSON.stringify({ ok: false, error }, null, 2)}\n`);
}

/** Set the exit status of the process once the program has finished. */
export async function runAndExit(program: Command, argv: string[]): Promise<void> {
  // a reader that stops early (`czmodel --help | head`) closes the pipe: that ends the output, not in a crash
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  const status = await runProgram(program, argv);
  process.exitCode = status;
}
