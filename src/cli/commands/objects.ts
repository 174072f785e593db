/**
 * `czmodel objects LABELS [IMAGE]`: objects of a label image (connected components per class)
 * with measurements, written as a CSV table (`--objects`) and QuPath GeoJSON outlines
 * (`--outlines`); IMAGE adds intensity columns per channel, `--probabilities` the confidence column. The same options on `predict`
 * measure the labels in the prediction's own pass (`predictWithObjects`), or, for filled holes
 * with the confidence column, read the files it wrote afterwards (`objectsAfterPredict`). See
 * docs/objects.md.
 */
import { Option, type Command } from "commander";
import { engineModelFromFile } from "../../engine/from-model-file.js";
import type { EngineModel } from "../../engine/types.js";
import { resolveClasses } from "../../engine/outputs.js";
import { probabilitiesPath } from "../../engine/probabilities-path.js";
import { refuseOutputClashes } from "../../bytes/node/same-file.js";
import { labelValue, objectClasses, type ObjectClasses } from "../../objects/classes.js";
import { invalidArgument } from "../../errors.js";
import { readModelFile } from "../../container/node/index.js";
import { checkTarget } from "../../io/node/output-path.js";
import type { PlanePick } from "../../io/plane-view.js";
import { parsePlaneFilter } from "../run-options.js";
import { openImageFile } from "../../io/node/open-file.js";
import { IdTrace } from "../../objects/labeler.js";
import {
  checkOutputs,
  instancesFile,
  ObjectOutputs,
  objectOutputPaths,
  objectsFile,
  type ObjectsFileOptions,
  type ObjectsFileResult,
} from "../../objects/node/objects-file.js";
import type { PredictObjectsOptions } from "../../objects/predict-tee.js";
import type { PredictFileResult } from "../../node-api.js";
import { MAX_PIXEL_OPTION, nameList, oneOf, wholeNumber } from "../args.js";
import { formatTable, printJson, printLines } from "../output.js";
import { createProgress } from "../progress.js";

/** The object options `objects` and `predict` share. */
export interface ObjectCliOptions {
  objects?: string;
  instances?: string;
  outlines?: string;
  connectivity: "4" | "8";
  /** Label values or (after predict) class names. */
  objectsOf?: string[];
  minArea?: number;
  maxArea?: number;
  excludeBorder?: boolean;
  fillHoles?: boolean;
  bandRows?: number;
  overwrite?: boolean;
}

interface ObjectsCliOptions extends ObjectCliOptions {
  probabilities?: string;
  plane?: PlanePick;
  quiet?: boolean;
  json?: boolean;
}

/** `--plane` of `objects`: the `predict --plane` syntax, one index of scene, t, z or c each. */
function onePlane(text: string): PlanePick {
  const pick: PlanePick = {};
  for (const [axis, indices] of Object.entries(parsePlaneFilter(text))) {
    if (axis !== "scene" && axis !== "t" && axis !== "z" && axis !== "c")
      throw invalidArgument(`${axis} is not an axis objects can pick`, { where: "--plane", allowed: "scene, t, z, c" });
    if (indices.length !== 1)
      throw invalidArgument(`${axis}: objects measure one plane, not ${indices.length}`, {
        where: "--plane",
        allowed: `one index, e.g. ${axis}=${indices[0]}`,
      });
    pick[axis] = indices[0]!;
  }
  return pick;
}

/** A pixel count (`--min-area`, `--max-area`): any whole number. */
const area = wholeNumber("pixels", 0);

/** Add --objects, --outlines and the object filters to a command. */
export function addObjectOptions(cmd: Command): Command {
  return cmd
    .option("--objects <file.csv|file.parquet>", "write the objects table (one row per object), as CSV or Parquet")
    .option("--outlines <file.geojson|file.json>", "write object outlines as QuPath GeoJSON (FeatureCollection)")
    .option("--instances <file.ome.tif>", "write the instance image: each object's pixels hold its id (uint32 OME-TIFF or OME-Zarr)")
    .addOption(
      new Option("--connectivity <n>", "objects: 4 = edge neighbours only; 8 = corners too")
        .argParser(oneOf(["4", "8"] as const))
        .default("8"),
    )
    .option(
      "--objects-of <classes>",
      "label values or class names that form objects (names: after predict, or on labels czmodel wrote); default every class but the background (the class named Background, else the model's first) where the classes are known, else every value but 0",
      nameList,
    )
    .option("--min-area <px>", "drop objects with fewer pixels", area)
    .option("--max-area <px>", "drop objects with more pixels", area)
    .option("--exclude-border", "drop objects that touch the image edge")
    .option("--fill-holes", "fill each object's holes before it is measured and filtered (not with --instances)")
    .addOption(
      new Option("--band-rows <n>", "rows read at a time (memory, not results)")
        .argParser(wholeNumber("rows", 1, MAX_PIXEL_OPTION))
        .hideHelp(),
    );
}

/**
 * The `objectsFile` options of parsed object options: `classes` already resolved by a model,
 * else `--objects-of` as it is (names or values, resolved against the classes the label image records).
 */
function objectsFileOptions(opts: ObjectCliOptions, classes?: number[]): ObjectsFileOptions {
  return {
    connectivity: opts.connectivity === "4" ? 4 : 8,
    ...(classes ? { classes } : opts.objectsOf ? { objectsOf: opts.objectsOf } : {}),
    ...(opts.minArea !== undefined ? { minArea: opts.minArea } : {}),
    ...(opts.maxArea !== undefined ? { maxArea: opts.maxArea } : {}),
    excludeBorder: Boolean(opts.excludeBorder),
    fillHoles: Boolean(opts.fillHoles),
    ...(opts.bandRows ? { bandRows: opts.bandRows } : {}),
    ...(opts.objects ? { table: opts.objects } : {}),
    ...(opts.outlines ? { outlinesPath: opts.outlines } : {}),
    ...(opts.instances ? { instancesPath: opts.instances } : {}),
    overwrite: Boolean(opts.overwrite),
  };
}

/** Human lines of an objects result. */
export function objectsText(result: ObjectsFileResult): string[] {
  const rows = [
    ["objects", String(result.objects)],
    ...Object.entries(result.perClass).map(([c, n]) => {
      const name = result.classNames?.[c];
      return [name ? `class ${c} (${name})` : `class ${c}`, String(n)];
    }),
    ["dropped by filters", String(result.components - result.objects)],
    ...result.outputs.map((f) => ["wrote", f]),
  ];
  return [...formatTable(rows), ...result.warnings.map((w) => `  warning: ${w}`)];
}

export function wantsObjects(opts: ObjectCliOptions): boolean {
  return Boolean(opts.objects || opts.outlines || opts.instances);
}

/** The object classes of a segmentation model's classes; refuses `--objects-of` classes it does not have. */
function modelObjectClasses(model: EngineModel, opts: ObjectCliOptions): ObjectClasses {
  // the classes as the label output will record them
  return objectClasses(resolveClasses(model, model.classes?.length ?? 0), opts.objectsOf, "this model");
}

/**
 * Before `predict` runs: refuse object outputs it could not produce (no label output, a model
 * that is not a segmentation model, a class it does not have, a bad or existing output path,
 * two outputs of the run on one path, an output that is one of the inputs), so nothing is
 * written. Returns the model's classes (undefined for a bioimage.io package).
 */
export async function checkObjectsBeforePredict(
  modelPath: string,
  imagePath: string,
  opts: ObjectCliOptions & { out: string; output: string },
): Promise<ObjectClasses | undefined> {
  // a file predict cannot run fails there with its own message; a bioimage.io package is not a model file
  const model = await readModelFile(modelPath).then(
    (file) => engineModelFromFile(file, modelPath).model,
    () => undefined,
  );
  if (model && model.kind !== "segmentation")
    throw invalidArgument(`--objects, --outlines and --instances need a segmentation model; this is a ${model.kind} model`, {
      where: modelPath,
    });
  const classes = model ? modelObjectClasses(model, opts) : undefined;
  const options = objectsFileOptions(opts, classes?.classes);
  checkOutputs(options);
  if (opts.output === "probabilities")
    throw invalidArgument("--objects, --outlines and --instances need the label output", { allowed: "--output labels or both" });
  const outputs = [
    { what: "the label output (-o)", path: opts.out },
    ...(opts.output === "both" ? [{ what: "the probabilities output (--output both)", path: probabilitiesPath(opts.out) }] : []),
    ...objectOutputPaths(options),
  ];
  await refuseOutputClashes(outputs, [modelPath, imagePath]);
  for (const path of [options.table, options.outlinesPath, options.instancesPath])
    if (path) await checkTarget(path, options.overwrite ?? false);
  return classes;
}

/**
 * After `predict` (`objectsAfterwards`): the objects of the label file it wrote, with the input
 * image as intensity when it is one plane stack, and the confidence column from the probabilities file.
 */
export async function objectsAfterPredict(
  files: string[],
  imagePath: string,
  opts: ObjectCliOptions,
  model: ObjectClasses | undefined,
): Promise<ObjectsFileResult> {
  const [labelsPath, probabilitiesPath] = files as [string, string | undefined];
  const image = await openImageFile(imagePath);
  const { sizes, width, height } = image.info;
  await image.close();
  const labels = await openImageFile(labelsPath);
  const fits = sizes.scene * sizes.t * sizes.z === 1 && width === labels.info.width && height === labels.info.height;
  await labels.close();
  return objectsFile(labelsPath, fits ? imagePath : undefined, {
    ...objectsFileOptions(opts, model?.classes),
    ...(model ? { classStyles: model.styles } : {}),
    ...(model && probabilitiesPath ? { probabilitiesPath, probabilityPlaneOf: (v: number) => model.planes.get(v) ?? -1 } : {}),
  });
}

/**
 * Filled holes with the confidence column need the probabilities of hole pixels above the
 * current band, which exist only once the probability file is complete: then `predict`
 * measures the files it wrote afterwards (`objectsAfterPredict`) instead of in its own pass.
 */
export function objectsAfterwards(opts: ObjectCliOptions & { output: string }): boolean {
  return Boolean(opts.fillHoles) && opts.output === "both";
}

/**
 * `predict` with object outputs in the same pass: open the table and outlines files, let `run`
 * predict with the `objects` option (rows go to the files as objects complete), then write the
 * instance image (a second pass over the written labels) and rename everything into place.
 */
export async function predictWithObjects(
  opts: ObjectCliOptions & { output: string },
  model: ObjectClasses | undefined,
  run: (objects: PredictObjectsOptions) => Promise<PredictFileResult>,
): Promise<{ result: PredictFileResult; measured: ObjectsFileResult }> {
  const options: ObjectsFileOptions = { ...objectsFileOptions(opts, model?.classes), ...(model ? { classStyles: model.styles } : {}) };
  const outputs = await ObjectOutputs.open(options);
  const trace = options.instancesPath ? new IdTrace() : undefined;
  try {
    const { connectivity, minArea, maxArea, excludeBorder, fillHoles } = options;
    // without a model's classes (a bioimage.io package) --objects-of can only hold label values
    const classes = options.classes ?? options.objectsOf?.map(labelValue);
    const result = await run({
      ...(connectivity ? { connectivity } : {}),
      ...(classes ? { classes } : {}),
      ...(minArea !== undefined ? { minArea } : {}),
      ...(maxArea !== undefined ? { maxArea } : {}),
      excludeBorder: Boolean(excludeBorder),
      fillHoles: Boolean(fillHoles),
      outlines: Boolean(options.outlinesPath),
      onObject: outputs.add,
      onBegin: (layout) => outputs.start(layout),
      ...(opts.output === "both" && model ? { confidence: { planeOf: (v: number) => model.planes.get(v) ?? -1 } } : {}),
      ...(trace ? { trace } : {}),
    });
    await outputs.finish();
    const [labelsPath] = result.files as [string];
    if (options.instancesPath && trace) {
      const labels = await openImageFile(labelsPath);
      try {
        await instancesFile(labels, options.instancesPath, options, trace);
      } finally {
        await labels.close();
      }
    }
    await outputs.commit();
    const { objects: summary = { objects: 0, components: 0, peakOpen: 0 }, ...predicted } = result;
    const { width, height } = result.outputs[0]!;
    const files = [...outputs.names, ...(options.instancesPath ? [options.instancesPath] : [])];
    const measured = {
      width,
      height,
      ...summary,
      perClass: outputs.perClass,
      ...outputs.classNames(),
      outputs: files,
      warnings: outputs.warnings,
    };
    return { result: predicted, measured };
  } catch (e) {
    await outputs.abort();
    throw e;
  }
}

export function registerObjects(program: Command): void {
  const cmd = program
    .command("objects")
    .description("count and measure the objects of a label image: connected components per class, streamed in bands")
    .argument(
      "<labels>",
      "label image (PNG, TIFF / OME-TIFF, OME-Zarr folder, CZI): values are classes; one czmodel wrote records the model's classes, else 0 = background",
    )
    .argument("[image]", "intensity image of the same size: adds mean/min/max/std intensity per channel");
  addObjectOptions(cmd)
    .option(
      "--probabilities <file>",
      "the labels' class probabilities (predict --output both's NAME.probabilities.EXT, one float plane per class): adds the confidence column",
    )
    .option(
      "--plane <sel>",
      "the plane of a label stack to measure, e.g. t=3,z=2 (0-based; one index for each of scene, t, z that has several; c optional); IMAGE and --probabilities: the same scene, t and z",
      onePlane,
    )
    .option("--overwrite", "replace existing outputs (never one of the inputs)")
    .option("--quiet", "no progress bar")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces on errors")
    .addHelpText(
      "after",
      [
        "",
        "Ids are 1..N in raster order of each object's first pixel (as scipy.ndimage.label numbers them),",
        "over all classes, after the filters. Columns: class, id, area_px, area_um2 (with a pixel size),",
        "centroid_y, centroid_x, bbox_y, bbox_x, bbox_height, bbox_width, mean/min/max/std_intensity",
        "(_c0, _c1 … for several channels), perimeter (Crofton), equivalent_diameter, eccentricity, solidity,",
        "confidence (with --probabilities: the mean probability of the object's class over its pixels; the",
        "plane of a class is its place in the classes the labels record, else the label value − 1).",
        "",
        "Example:",
        "  czmodel objects labels.png cells.png --objects cells.csv --outlines cells.geojson --min-area 20",
        "  czmodel objects labels.ome.tiff --objects-of 2 --connectivity 4 --exclude-border --json",
        "  czmodel objects predicted.ome.tiff --objects-of Nucleus --objects nuclei.csv   (labels written by predict)",
        "  czmodel objects predicted.ome.tiff cells.png --probabilities predicted.probabilities.ome.tiff --objects nuclei.csv",
        "  czmodel objects stack-labels.ome.tiff stack.ome.tiff --plane t=3,z=2 --objects t3-z2.csv",
      ].join("\n"),
    )
    .action(async (labels: string, image: string | undefined, opts: ObjectsCliOptions) => {
      const progress = createProgress("objects", opts);
      let result: ObjectsFileResult;
      try {
        result = await objectsFile(labels, image, {
          ...objectsFileOptions(opts),
          ...(opts.probabilities ? { probabilitiesPath: opts.probabilities } : {}),
          ...(opts.plane ? { planes: opts.plane } : {}),
          onProgress: (done, total) => progress.update(done, total),
        });
      } finally {
        progress.stop();
      }
      if (opts.json) {
        printJson({ labels, ...(image ? { image } : {}), ...result });
        return;
      }
      printLines([`${labels} (${result.width} x ${result.height}):`, ...objectsText(result)]);
    });
}
