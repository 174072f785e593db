/** The programs of the single-purpose converters `savedmodel2czmodel` and `savedmodel2czann`. */
import { Command } from "commander";
import { defineConvert } from "./commands/convert.js";
import { VERSION } from "./version.js";

/** The program of a single-purpose converter (`savedmodel2czmodel`, `savedmodel2czann`): SPEC OUTDIR [NAME]. */
export function specConverterProgram(name: string, format: "czann" | "czmodel"): Command {
  const program = new Command(name)
    .description(`convert the model described by a conversion-spec JSON into a .${format} (czmodel's ${name})`)
    .version(VERSION)
    .addHelpText("after", `\nExample:\n  ${name} model_spec.json out/ my_model`);
  return defineConvert(program, format);
}
