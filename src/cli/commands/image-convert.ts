/**
 * `czmodel image-convert IN OUT`: any image the tool reads (PNG, TIFF / OME-TIFF, CZI,
 * OME-Zarr) to OME-Zarr, OME-TIFF or PNG, chosen by OUT's name, streaming tile by tile with a
 * progress bar on a TTY. Pixel sizes, channel names and colours are kept, and so are the classes
 * of a label image czmodel wrote; Ctrl-C or an error leaves no partial output.
 */
import { Option, type Command } from "commander";
import { cancelled, invalidArgument } from "../../errors.js";
import { convertImageFile, type ConvertFileResult } from "../../io/node/convert-file.js";
import { OUTPUT_EXTENSIONS } from "../../io/node/create-sink.js";
import type { PlaneFilter } from "../../engine/index.js";
import { cziOtherDimensionsOption, imageOpenOptionsFrom, type ImageOpenCliOptions } from "../image-options.js";
import { printJson, printLines } from "../output.js";
import { createProgress, formatDuration } from "../progress.js";
import { parsePlaneFilter } from "../run-options.js";
import { VERSION } from "../version.js";

interface ImageConvertCliOptions extends ImageOpenCliOptions {
  plane?: PlaneFilter;
  scene?: number;
  compression: "auto" | "deflate" | "none";
  pyramid?: boolean;
  overwrite?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** `--scene N`: one 0-based scene index (the `--plane` syntax checks the range). */
function sceneIndex(text: string): number {
  return parsePlaneFilter(`scene=${text.trim()}`).scene![0]!;
}

/** The plane selection of `--plane` and `--scene` together. */
function planeSelection(opts: ImageConvertCliOptions): PlaneFilter | undefined {
  if (opts.scene === undefined) return opts.plane;
  if (opts.plane?.scene) throw invalidArgument("give the scene once: --scene or --plane scene=", { where: "--scene" });
  return { ...opts.plane, scene: [opts.scene] };
}

export function registerImageConvert(program: Command): void {
  program
    .command("image-convert")
    .description("convert an image (PNG, TIFF / OME-TIFF, CZI, OME-Zarr) to OME-Zarr, OME-TIFF or PNG, streaming")
    .argument("<in>", "PNG, TIFF / BigTIFF / OME-TIFF, CZI file, or an OME-Zarr folder")
    .argument("<out>", `output, format by name (${OUTPUT_EXTENSIONS})`)
    .option(
      "--plane <sel>",
      "convert only these planes, e.g. z=2,t=0-3,c=0,scene=1 (0-based); CZI dimensions h, b, v, r, i too (h=0-3)",
      parsePlaneFilter,
    )
    .option("--scene <n>", "convert only scene N (0-based); scenes of different sizes go to separate outputs", sceneIndex)
    .addOption(
      new Option("--compression <mode>", "OME-TIFF/OME-Zarr tile compression: auto = deflate integer images, store float32 raw")
        .choices(["auto", "deflate", "none"])
        .default("auto"),
    )
    .option(
      "--pyramid",
      "OME-TIFF/OME-Zarr: add 2x levels down to <= 1024 px per side (SubIFDs / NGFF multiscales; 2x2 mean, label images: top-left pixel). Default: on over 4096 px per side",
    )
    .option("--no-pyramid", "full resolution only")
    .addOption(cziOtherDimensionsOption())
    .option("--overwrite", "replace an existing output (never the input)")
    .option("--json", "print a JSON summary at the end")
    .option("--quiet", "no progress bar")
    .option("--debug", "show stack traces on errors")
    .addHelpText(
      "after",
      "\nExamples:\n  czmodel image-convert cells.czi cells.ome.zarr\n  czmodel image-convert big.ome.tif big.ome.zarr --pyramid\n  czmodel image-convert stack.ome.zarr z2.ome.tif --plane z=2,c=0\n  czmodel image-convert slide.czi scene1.ome.tif --scene 1 --compression none\n  czmodel image-convert labels.ome.tif labels.png --overwrite",
    )
    .action(async (input: string, output: string, opts: ImageConvertCliOptions) => {
      const result = await runConvert(input, output, opts);
      if (opts.json) printJson({ ok: true, ...result });
      else printLines(convertText(result));
    });
}

async function runConvert(input: string, output: string, opts: ImageConvertCliOptions): Promise<ConvertFileResult & { seconds: number }> {
  const controller = new AbortController();
  const onSigint = () => controller.abort(cancelled("interrupted (Ctrl-C); no output was written"));
  process.once("SIGINT", onSigint);
  const progress = createProgress("image-convert", opts);
  const started = performance.now();
  const planes = planeSelection(opts);
  try {
    const result = await convertImageFile(input, output, {
      overwrite: Boolean(opts.overwrite),
      compression: opts.compression,
      ...(opts.pyramid !== undefined ? { pyramid: opts.pyramid } : {}),
      openOptions: imageOpenOptionsFrom(opts),
      creator: `czmodel ${VERSION}`,
      signal: controller.signal,
      ...(planes ? { planes } : {}),
      onProgress: (done, total) => {
        const ms = performance.now() - started;
        const rate = done / 1e6 / (ms / 1000);
        progress.update(Math.round(done / 1e6), Math.max(1, Math.round(total / 1e6)), {
          rate: `${rate.toFixed(1)} MP/s`,
          eta: formatDuration(((total - done) / 1e6 / rate) * 1000),
        });
      },
    });
    return { ...result, seconds: Number(((performance.now() - started) / 1000).toFixed(3)) };
  } finally {
    progress.stop();
    process.removeListener("SIGINT", onSigint);
  }
}

function convertText(r: ConvertFileResult & { seconds: number }): string[] {
  const s = r.sizes;
  return [
    `wrote ${r.output}: ${r.width} x ${r.height}, scenes ${s.scene}, T ${s.t}, C ${s.c}, Z ${s.z}, ${r.samplesPerPixel} x ${r.sampleType}${r.levels > 1 ? `, ${r.levels} pyramid levels` : ""}`,
    `  ${(r.pixels / 1e6).toFixed(2)} MP in ${r.seconds} s`,
  ];
}
