/**
 * `czmodel import SOURCE -o OUT.czann|OUT.czmodel`: a bioimage.io model package (folder, .zip,
 * or its rdf.yaml / bioimageio.yaml) → a ZEN model file, checked on the package's test
 * tensors. Prints what it chose (tile, pixel type, classes …), the graph edits and warnings;
 * exits 1 without writing when the test-tensor check fails (unless --force).
 */
import { Option, type Command } from "commander";
import { basename, dirname } from "node:path";
import { importPackage, type ImportResult } from "../../bioimageio/import.js";
import { openPackage } from "../../bioimageio/node/open-package.js";
import { INPUT_PIXEL_TYPES, parseModelType, parsePixelType, type InputPixelType } from "../../bioimageio/to-zen.js";
import { outputFileName } from "../../container/index.js";
import { writeCreatingFolder } from "../../convert/node/index.js";
import { nodeRuntime } from "../../engine/node/index.js";
import { invalidArgument } from "../../errors.js";
import { MODEL_TYPES, ModelMetadata, type ModelType } from "../../metadata/index.js";
import { DEFAULT_TARGET, TARGETS, type Target } from "../../validate/targets.js";
import { intList, nameList, oneOf } from "../args.js";
import { printJson, printLines } from "../output.js";
import { ExitStatus } from "../run.js";

interface ImportCliOptions {
  out: string;
  tile?: number[];
  pixelType?: InputPixelType;
  classes?: string[];
  type?: ModelType;
  name?: string;
  id?: string;
  target: Target;
  force?: boolean;
  json?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command("import")
    .description("import a bioimage.io model package as a ZEN model file, checked on the package's test tensors")
    .argument("<source>", "package folder, .zip package, or its rdf.yaml / bioimageio.yaml")
    .requiredOption("-o, --out <file>", "output .czann (or legacy .czmodel / .czseg); .czann is added when there is no extension")
    .option(
      "--tile <h,w>",
      "tile size (default: the package's fixed size, or its smallest valid size >= 512)",
      intList("--tile", { min: 1, count: [2] }),
    )
    .option(
      "--pixel-type <type>",
      `images the model is for: ${INPUT_PIXEL_TYPES.join(", ")} (default: from the test input)`,
      parsePixelType,
    )
    .option(
      "--classes <names>",
      "class names, one per class (default: the output's channel names, plus Background for a sigmoid)",
      nameList,
    )
    .addOption(
      new Option("--type <type>", "CZANN model type (default: from the output's last processing step)")
        .choices(MODEL_TYPES as unknown as string[])
        .argParser(parseModelType),
    )
    .option("--name <name>", "model name shown in ZEN (default: the package's name)")
    .option("--id <uuid>", "model id (default: a new random UUID)")
    .option("--target <zen>", `ZEN version to validate against (${TARGETS.join(", ")})`, oneOf(TARGETS), DEFAULT_TARGET)
    .option("--force", "write the file even when validation or the test-tensor check fails")
    .option("--json", "print the result as JSON")
    .option("--debug", "show stack traces on errors")
    .addHelpText(
      "after",
      `\nExamples:\n  czmodel import unet2d_nuclei_broad/ -o nuclei.czann\n  czmodel import model.zip -o cells.czann --tile 1024,1024 --pixel-type uint8\n  czmodel import unet2d_nuclei_broad/v0_4_9.bioimageio.yaml -o nuclei.czmodel`,
    )
    .action(async (source: string, opts: ImportCliOptions) => {
      const out = checkOut(opts.out);
      const pkg = await openPackage(source);
      const result = await importPackage(pkg, {
        format: out.format,
        ...(opts.tile ? { tile: opts.tile } : {}),
        ...(opts.pixelType ? { pixelType: opts.pixelType } : {}),
        ...(opts.classes ? { classes: opts.classes } : {}),
        ...(opts.type ? { type: opts.type } : {}),
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.id ? { id: opts.id } : {}),
        target: opts.target,
        ...(opts.force ? { force: true } : {}),
        runtime: nodeRuntime,
      });
      const failed = result.test !== undefined && !result.test.passed;
      const path = failed && !opts.force ? null : await writeCreatingFolder(out.folder, out.name, result.bytes);
      if (opts.json) printJson(importJson(result, path));
      else printLines(importText(result, path, source));
      if (failed && !opts.force) {
        process.stderr.write(
          "czmodel: error: the imported model does not reproduce the package's test output; nothing written (--force writes it anyway)\n",
        );
        throw new ExitStatus(1);
      }
    });
}

function checkOut(out: string): { folder: string; name: string; format: "czann" | "czmodel" } {
  if (/[\\/]$/.test(out) || ["", ".", ".."].includes(basename(out))) {
    throw invalidArgument(`"${out}" names a folder, not a file`, {
      where: "--out",
      allowed: "a file path such as out/model.czann (the folder is created)",
    });
  }
  const format = /\.(czmodel|czseg)$/i.test(out) ? "czmodel" : "czann";
  return { folder: dirname(out), name: outputFileName(basename(out), format), format };
}

function testLine(r: ImportResult): string {
  const t = r.test;
  if (!t) return "test tensors: none in the package (not checked)";
  const flips = t.labelFlips !== undefined ? `, ${t.labelFlips} of ${t.pixels} labels flipped` : "";
  return (
    `test tensors: ${t.passed ? "passed" : "FAILED"}: max |Δ| ${t.maxAbsDiff.toExponential(2)}, ${t.mismatched} of ${t.elements} elements outside ` +
    `${t.tolerance.absolute} + ${t.tolerance.relative}·|expected| (${t.mismatchedPerMillion.toFixed(1)} per million, limit ${t.tolerance.mismatchedPerMillion})${flips}`
  );
}

function importText(r: ImportResult, path: string | null, source: string): string[] {
  const m = r.prepared.metadata;
  const what =
    m instanceof ModelMetadata
      ? `${m.type}, tile ${m.inputShape.join("x")}, MinOverlap ${m.minOverlap?.join(",") ?? "none"}`
      : `legacy, border ${m.borderSize}`;
  const classes = r.plan.classes ? `, classes ${r.plan.classes.join(", ")}` : "";
  return [
    path ? `wrote ${path} (${r.prepared.format}: ${what}${classes}, id ${m.id})` : `imported ${source} (${what}${classes}) — not written`,
    ...r.plan.notes.map((n) => `  chose: ${n}`),
    ...r.steps.map((s) => `  edit: ${s}`),
    `  ${testLine(r)}`,
    ...r.warnings.map((w) => `  warning: ${w}`),
  ];
}

function importJson(r: ImportResult, path: string | null): Record<string, unknown> {
  const m = r.prepared.metadata;
  return {
    ok: path !== null,
    path,
    format: r.prepared.format,
    metadata: m instanceof ModelMetadata ? m.toJson({ includeExtra: true }) : { xml: m.toXml() },
    pixelType: r.plan.pixelType,
    inputRange: r.plan.inputRange,
    preprocessing: r.plan.preprocessing,
    postprocessing: r.plan.postprocessing,
    choices: r.plan.notes,
    steps: r.steps,
    test: r.test ?? null,
    warnings: r.warnings,
    findings: r.prepared.report.findings,
  };
}
