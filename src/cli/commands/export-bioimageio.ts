/**
 * `czmodel export-bioimageio MODEL OUT.zip [--author NAME …] [--license SPDX] [--cite TEXT=DOI|URL …]
 * [--test-image IMG] [--pixel-type uint8|uint16] [--json]`: a ZEN model file as a bioimage.io
 * model package (format 0.5.7) with test tensors made by running the model as ZEN does.
 */
import { Option, type Command } from "commander";
import { exportBioimageioFile, type ExportFileResult } from "../../bioimageio/node/export-file.js";
import { EXPORT_PIXEL_TYPES, FORMAT_VERSION, parseCite, type CiteEntry, type ExportPixelType } from "../../bioimageio/export.js";
import { cancelled } from "../../errors.js";
import { defaultThreads } from "../../engine/node/session-options.js";
import { OPTION_LIMITS, positiveInt } from "../args.js";
import { cziOtherDimensionsOption, imageOpenOptionsFrom, type ImageOpenCliOptions } from "../image-options.js";
import { formatBytes, formatTable, printJson, printLines } from "../output.js";
import { VERSION } from "../version.js";

interface ExportCliOptions extends ImageOpenCliOptions {
  author: string[];
  license?: string;
  cite: CiteEntry[];
  testImage?: string;
  pixelType?: ExportPixelType;
  name?: string;
  threads?: number;
  overwrite?: boolean;
  json?: boolean;
}

const collect =
  <T>(parse: (v: string) => T) =>
  (value: string, previous: T[]) => [...previous, parse(value)];

export function registerExportBioimageio(program: Command): void {
  program
    .command("export-bioimageio")
    .description(
      `turn a ZEN model file into a bioimage.io model package (format ${FORMAT_VERSION}, a .zip) with test tensors from running it as ZEN does`,
    )
    .argument("<model>", ".czann, or .czmodel / .czseg with an ONNX model")
    .argument("<out>", "the package to write (a .zip)")
    .option(
      "--author <name>",
      "an author of the model (repeat for several)",
      collect((v) => v),
      [] as string[],
    )
    .option("--license <spdx>", "the model's licence as an SPDX id, e.g. MIT, Apache-2.0, CC-BY-4.0")
    .option("--cite <text=ref>", "a citation: TEXT=DOI or TEXT=URL (repeat for several)", collect(parseCite), [] as CiteEntry[])
    .option("--test-image <file>", "image the test tile is cut from (its centre; PNG, TIFF, CZI, OME-Zarr); default: synthetic blobs")
    .addOption(
      new Option(
        "--pixel-type <type>",
        "input pixel type of the package (default: the test image's, else uint8 for colour and uint16 for grey models)",
      ).choices(EXPORT_PIXEL_TYPES),
    )
    .option("--name <name>", "the package's name (default: the model's name; 5-128 letters, digits, spaces, _ + - ( ))")
    .addOption(cziOtherDimensionsOption())
    .option(
      "--threads <n>",
      `onnxruntime threads (1..${OPTION_LIMITS.threads}; default: every core, ${defaultThreads()} here)`,
      positiveInt(OPTION_LIMITS.threads),
    )
    .option("--overwrite", "replace an existing output")
    .option("--json", "print a JSON summary")
    .option("--debug", "show stack traces on errors")
    .addHelpText(
      "after",
      [
        "",
        "Example:",
        '  czmodel export-bioimageio nuclei.czann nuclei.bioimageio.zip --author "Jane Doe" --license CC-BY-4.0 \\',
        '      --cite "Doe et al. 2024, Nuclei segmentation=10.5281/zenodo.1234567" --test-image nuclei.png',
        "",
        "The package holds rdf.yaml, weights.onnx, test_input.npy / test_output.npy (one tile, computed by the",
        "prediction engine exactly as ZEN runs the model), cover.png and README.md. ZEN's input scaling is stated",
        "as scale_linear (gain 1/255 or 1/65535 for the pixel type); colour models get an RGB-to-BGR swap in",
        "front of the network so that the package takes RGB like every bioimage.io model (ZEN feeds BGR).",
      ].join("\n"),
    )
    .action(async (model: string, out: string, opts: ExportCliOptions) => {
      const result = await runExport(model, out, opts);
      const { rdf: _rdf, ...summary } = result;
      if (opts.json) printJson({ ok: true, ...summary });
      else printLines(exportText(result));
    });
}

async function runExport(model: string, out: string, opts: ExportCliOptions): Promise<ExportFileResult> {
  const controller = new AbortController();
  const onSigint = () => controller.abort(cancelled("interrupted (Ctrl-C); no output was written"));
  process.once("SIGINT", onSigint);
  try {
    return await exportBioimageioFile(model, out, {
      authors: opts.author,
      cite: opts.cite,
      ...(opts.license !== undefined ? { license: opts.license } : {}),
      ...(opts.testImage ? { testImage: opts.testImage } : {}),
      ...(opts.pixelType ? { pixelType: opts.pixelType } : {}),
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      ...(opts.threads ? { threads: opts.threads } : {}),
      openOptions: imageOpenOptionsFrom(opts),
      overwrite: Boolean(opts.overwrite),
      creator: `czmodel ${VERSION}`,
      signal: controller.signal,
    });
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}

function exportText(r: ExportFileResult): string[] {
  const scaling = r.gain === null ? "raw values" : `scale_linear gain 1/${Math.round(1 / r.gain)}`;
  const origin =
    r.testInput.kind === "image"
      ? `${r.testInput.name} (x ${r.testInput.x}, y ${r.testInput.y}, ${r.testInput.width}x${r.testInput.height})`
      : "synthetic blobs";
  return [
    `wrote ${r.path} (bioimage.io ${r.formatVersion} model "${r.name}", ${formatBytes(r.bytes)})`,
    `  ${r.kind}; input ${r.pixelType} [1, ${r.tile.join(", ")}, ${r.inputChannels.length}] ${r.inputChannels.join(",")}, ${scaling}${r.rgbToBgr ? ", RGB (swapped to BGR inside weights.onnx)" : ""}; halo ${r.halo.join("/")}`,
    `  output channels: ${r.outputChannels.join(", ")}`,
    `  test input from ${origin}`,
    ...formatTable(r.files.map((f) => [f.name, formatBytes(f.bytes), f.sha256])),
    ...r.notes.map((n) => `  note: ${n}`),
    ...r.warnings.map((w) => `  warning: ${w}`),
  ];
}
