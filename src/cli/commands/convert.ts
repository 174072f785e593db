/**
 * `czmodel convert SPEC OUTDIR [NAME] [--format]` and the single-purpose converters
 * `savedmodel2czmodel SPEC OUTDIR [NAME]` / `savedmodel2czann SPEC OUTDIR [NAME]`: pack the
 * model a ZEISS conversion-spec JSON describes. The spec's flavour picks the format unless
 * `--format` (or the command name) says otherwise. `convert` refuses to replace an existing
 * output without `--overwrite`; the savedmodel2* converters replace it, as ZEISS's tools do.
 * None of them ever replaces an input (spec, model, licence).
 */
import { Option, type Command } from "commander";
import { convertFromJsonSpec } from "../../convert/node/index.js";
import { COLOR_HANDLINGS, PIXEL_TYPES, type ColorHandling, type PixelType } from "../../metadata/index.js";
import { invalidArgument } from "../../errors.js";
import { intList, nameList } from "../args.js";
import { printJson, printLines } from "../output.js";
import { addAdaptationOptions, convertOptionsFrom, packJson, packText, type PackCliOptions } from "./pack.js";

interface ConvertCliOptions extends Omit<PackCliOptions, "border"> {
  licenseFile?: string;
  border?: number[];
}

/** Adds SPEC OUTDIR [NAME] and the options to a command whose format is fixed or chosen by --format. */
export function defineConvert(cmd: Command, fixedFormat?: "czann" | "czmodel"): Command {
  cmd
    .argument(
      "<spec>",
      "conversion-spec JSON (CZANN: ModelMetadata/ModelPath/LicenseFile; legacy: BorderSize/ColorHandling/PixelType/Classes/ModelPath)",
    )
    .argument("<outdir>", "output folder (created if missing)")
    .argument("[name]", "output file name (extension added when missing)", "DNNModel")
    .option("--license-file <file>", "licence file (replaces the spec's LicenseFile)")
    .addOption(new Option("--license_file <file>").hideHelp())
    .option("--pixel-type <types>", `when writing legacy from a CZANN spec: pixel type(s) (${PIXEL_TYPES.join(", ")})`, nameList)
    .addOption(
      new Option("--color-handling <mode>", "when writing legacy from a CZANN spec").choices(COLOR_HANDLINGS as unknown as string[]),
    )
    .option(
      "--border <n>",
      "when writing legacy from a CZANN spec: border per side (default MinOverlap / 2)",
      intList("--border", { count: [1] }),
    )
    .option("--json", "print the result as JSON")
    .option("--debug", "show stack traces on errors");
  if (!fixedFormat) {
    cmd.addOption(new Option("--format <format>", "output format (default: the spec's flavour)").choices(["czann", "czmodel"]));
    cmd.option("--overwrite", "replace an existing output file (never one of the inputs)");
  }
  addAdaptationOptions(cmd);
  return cmd.action(async (spec: string, outdir: string, name: string, opts: ConvertCliOptions & { license_file?: string }) => {
    const pixelTypes = opts.pixelType?.map((p) => {
      if (!(PIXEL_TYPES as readonly string[]).includes(p))
        throw invalidArgument(`unknown pixel type "${p}"`, { where: "--pixel-type", allowed: PIXEL_TYPES.join(", ") });
      return p as PixelType;
    });
    const licenseFile = opts.licenseFile ?? opts.license_file;
    const result = await convertFromJsonSpec(spec, outdir, name, {
      ...convertOptionsFrom(opts),
      // czmodel convert refuses to replace a file without --overwrite; the savedmodel2* converters replace it, as ZEISS's do
      ...(fixedFormat ? {} : { existing: opts.overwrite ? "replace" : "refuse" }),
      ...((fixedFormat ?? opts.format) ? { format: fixedFormat ?? opts.format } : {}),
      ...(licenseFile ? { licenseFile } : {}),
      legacy: {
        ...(pixelTypes ? { pixelTypes } : {}),
        ...(opts.colorHandling ? { colorHandling: opts.colorHandling as ColorHandling } : {}),
        ...(opts.border ? { borderSize: opts.border[0] } : {}),
      },
    });
    if (opts.json) printJson(packJson(result));
    else printLines(packText(result));
  });
}

export function registerConvert(program: Command): void {
  const cmd = program
    .command("convert")
    .description("pack the model described by a conversion-spec JSON (czmodel's convert_from_json_spec)");
  defineConvert(cmd).addHelpText(
    "after",
    "\nExamples:\n  czmodel convert model_spec.json out/ nuclei\n  czmodel convert legacy_spec.json out/ nuclei --format czann\n  czmodel convert model_spec.json out/ nuclei --spatial-dims 512,512 --preprocess per-image-standardization",
  );
}
