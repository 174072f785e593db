/**
 * Command-line entry points: `czmodel` (all commands) and the two single-purpose converters
 * `savedmodel2czmodel` / `savedmodel2czann` that mirror czmodel's Python console scripts (SPEC OUTDIR NAME).
 */
import { Command } from "commander";
import { registerConvert, defineConvert } from "./commands/convert.js";
import { registerImport } from "./commands/import.js";
import { registerInspect } from "./commands/inspect.js";
import { registerPack } from "./commands/pack.js";
import { registerUnpack } from "./commands/unpack.js";
import { registerValidate } from "./commands/validate.js";
import { registerImageInfo } from "./commands/image-info.js";
import { registerImageConvert } from "./commands/image-convert.js";
import { registerPredict } from "./commands/predict.js";
import { registerFinalize } from "./commands/finalize.js";
import { registerSubmit } from "./commands/submit.js";
import { registerWorker } from "./commands/worker.js";
import { registerStatus } from "./commands/status.js";
import { registerExportBioimageio } from "./commands/export-bioimageio.js";
import { registerObjects } from "./commands/objects.js";
import { runAndExit } from "./run.js";
import { VERSION } from "./version.js";

export function czmodelProgram(): Command {
  const program = new Command("czmodel")
    .description("Pack, inspect, validate, adapt and run ZEISS ZEN deep-learning model files (.czann, .czmodel, .czseg)")
    .version(VERSION)
    .addHelpText("after", "\nEvery command takes --json and --debug; `czmodel <command> --help` shows its options and an example.");
  registerPack(program);
  registerConvert(program);
  registerImport(program);
  registerInspect(program);
  registerValidate(program);
  registerUnpack(program);
  registerPredict(program);
  registerFinalize(program);
  registerSubmit(program);
  registerWorker(program);
  registerStatus(program);
  registerImageInfo(program);
  registerObjects(program);
  registerImageConvert(program);
  registerExportBioimageio(program);
  return program;
}

/** The program of a single-purpose converter (`savedmodel2czmodel`, `savedmodel2czann`): SPEC OUTDIR [NAME]. */
export function specConverterProgram(name: string, format: "czann" | "czmodel"): Command {
  const program = new Command(name)
    .description(`convert the model described by a conversion-spec JSON into a .${format} (czmodel's ${name})`)
    .version(VERSION)
    .addHelpText("after", `\nExample:\n  ${name} model_spec.json out/ my_model`);
  return defineConvert(program, format);
}

export async function czmodelMain(argv: string[]): Promise<void> {
  await runAndExit(czmodelProgram(), argv);
}
export async function savedmodel2czmodelMain(argv: string[]): Promise<void> {
  await runAndExit(specConverterProgram("savedmodel2czmodel", "czmodel"), argv);
}
export async function savedmodel2czannMain(argv: string[]): Promise<void> {
  await runAndExit(specConverterProgram("savedmodel2czann", "czann"), argv);
}
