/**
 * The whole `czmodel` program with every command, and the single-purpose converters'
 * programs. Loading this module loads every command's code; `entry.ts` loads only the
 * command a command line names, so that start-up stays short; the single-purpose converters
 * are in spec-converter.ts.
 */
import type { Command } from "commander";
import { registerConvert } from "./commands/convert.js";
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
import { czmodelBase } from "./base.js";

/** Every command, in the order `czmodel --help` lists them. */
const REGISTRARS: readonly ((program: Command) => unknown)[] = [
  registerPack,
  registerConvert,
  registerImport,
  registerInspect,
  registerValidate,
  registerUnpack,
  registerPredict,
  registerFinalize,
  registerSubmit,
  registerWorker,
  registerStatus,
  registerImageInfo,
  registerObjects,
  registerImageConvert,
  registerExportBioimageio,
];

export function czmodelProgram(): Command {
  const program = czmodelBase();
  for (const register of REGISTRARS) register(program);
  return program;
}
