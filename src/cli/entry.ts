/**
 * Command-line entry points: `czmodel` (all commands) and the two single-purpose converters
 * `savedmodel2czmodel` / `savedmodel2czann` that mirror czmodel's Python console scripts (SPEC OUTDIR NAME).
 * A command line that names a command loads that command's code only (a dynamic import), and
 * `--version` loads none, so start-up does not pay for the queue, the image readers and the
 * runtime when a command does not use them; anything else (top-level help, an unknown
 * command) loads the whole program (program.ts).
 */
import type { Command } from "commander";
import { czmodelBase } from "./base.js";
import { runAndExit } from "./run.js";

type Registrar = (program: Command) => unknown;

/** Each command's module, loaded when its name is on the command line. */
const COMMANDS: Readonly<Record<string, () => Promise<Registrar>>> = {
  pack: async () => (await import("./commands/pack.js")).registerPack,
  convert: async () => (await import("./commands/convert.js")).registerConvert,
  import: async () => (await import("./commands/import.js")).registerImport,
  inspect: async () => (await import("./commands/inspect.js")).registerInspect,
  validate: async () => (await import("./commands/validate.js")).registerValidate,
  unpack: async () => (await import("./commands/unpack.js")).registerUnpack,
  predict: async () => (await import("./commands/predict.js")).registerPredict,
  finalize: async () => (await import("./commands/finalize.js")).registerFinalize,
  submit: async () => (await import("./commands/submit.js")).registerSubmit,
  worker: async () => (await import("./commands/worker.js")).registerWorker,
  status: async () => (await import("./commands/status.js")).registerStatus,
  "image-info": async () => (await import("./commands/image-info.js")).registerImageInfo,
  objects: async () => (await import("./commands/objects.js")).registerObjects,
  "image-convert": async () => (await import("./commands/image-convert.js")).registerImageConvert,
  "export-bioimageio": async () => (await import("./commands/export-bioimageio.js")).registerExportBioimageio,
};

/** The program a command line needs: one command, none (`--version`), or all of them. */
export async function programFor(argv: string[]): Promise<Command> {
  const name = argv.find((a) => !a.startsWith("-"));
  const load = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load) {
    const program = czmodelBase();
    (await load())(program);
    return program;
  }
  if (name === undefined && argv.some((a) => a === "--version" || a === "-V")) return czmodelBase();
  return (await import("./program.js")).czmodelProgram();
}

export async function czmodelMain(argv: string[]): Promise<void> {
  await runAndExit(await programFor(argv), argv);
}
export async function savedmodel2czmodelMain(argv: string[]): Promise<void> {
  const { specConverterProgram } = await import("./spec-converter.js");
  await runAndExit(specConverterProgram("savedmodel2czmodel", "czmodel"), argv);
}
export async function savedmodel2czannMain(argv: string[]): Promise<void> {
  const { specConverterProgram } = await import("./spec-converter.js");
  await runAndExit(specConverterProgram("savedmodel2czann", "czann"), argv);
}
