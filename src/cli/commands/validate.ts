/**
 * `czmodel validate FILE [--target] [--run [--image IMG]] [--json]`: will ZEN accept this
 * model? Structural rules always; with `--run`, a numeric check with onnxruntime on one tile
 * (synthetic, or cut from an image). Exit 1 when any error is found.
 */
import type { Command } from "commander";
import { validateFile } from "../../node-api.js";
import type { Finding } from "../../validate/findings.js";
import { DEFAULT_TARGET, TARGETS, type Target } from "../../validate/targets.js";
import { oneOf } from "../args.js";
import { printJson, printLines } from "../output.js";
import { ExitStatus } from "../run.js";

interface ValidateOptions {
  target: Target;
  run?: boolean;
  image?: string;
  json?: boolean;
}

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check a model file against ZEN's model rules (exit 1 on errors)")
    .argument("<file>", ".czann, .czmodel or .czseg file")
    .option("--target <zen>", `ZEN version to check against (${TARGETS.join(", ")})`, oneOf(TARGETS), DEFAULT_TARGET)
    .option("--run", "also run the model on one tile with onnxruntime and check its output numerically")
    .option("--image <file>", "with --run: cut the tile from this image instead of a synthetic one")
    .option("--json", "print the report as JSON")
    .option("--debug", "show stack traces on errors")
    .addHelpText(
      "after",
      "\nExamples:\n  czmodel validate nuclei.czann\n  czmodel validate nuclei.czann --target zen-3.4 --json\n  czmodel validate nuclei.czann --run --image cells.png",
    )
    .action(async (file: string, opts: ValidateOptions) => {
      const report = await validateFile(file, {
        target: opts.target,
        ...(opts.run ? { run: true } : {}),
        ...(opts.image ? { image: opts.image } : {}),
      });
      if (opts.json) printJson({ file, target: opts.target, ...report });
      else printLines(reportText(file, opts.target, report.findings));
      if (!report.ok) throw new ExitStatus(1);
    });
}

function reportText(file: string, target: Target, findings: Finding[]): string[] {
  const lines = findings.map((f) => `  ${f.severity.padEnd(7)} ${f.where ? `${f.where}: ` : ""}${f.message}`);
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.filter((f) => f.severity === "warning").length;
  const verdict = errors
    ? `INVALID for ${target}: ${errors} error(s), ${warnings} warning(s)`
    : `valid for ${target}${warnings ? ` with ${warnings} warning(s)` : ""}`;
  return [`${file}: ${verdict}`, ...lines];
}
