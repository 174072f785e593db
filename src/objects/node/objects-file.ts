/**
 * `objectsFile`: the objects of a label image file (any format `openImageFile` reads), with an
 * optional intensity image, written as a CSV table and/or QuPath GeoJSON outlines (Node only).
 * The object classes and their names default to the classes a czmodel label output records.
 * Inputs and options are checked before any output exists: no two outputs share a path and
 * none is one of the inputs, even with `overwrite`. Outputs are written to hidden temp files
 * that are renamed into place at the end or removed on failure; the temps a killed run left
 * at those paths are removed first (and reported in `warnings`).
 */
import { removeStaleTempsOf } from "../../bytes/node/atomic.js";
import { type NamedOutput, refuseOutputClashes } from "../../bytes/node/same-file.js";
import { invalidArgument } from "../../errors.js";
import { FileByteTarget } from "../../io/node/file-byte-target.js";
import { openImageFile } from "../../io/node/open-file.js";
import { planeView, type PlanePick } from "../../io/plane-view.js";
import type { ImageInfo, ImageSource } from "../../io/types.js";
import { labelValue, objectClasses } from "../classes.js";
import { checkObjectInputs, maxLabelValue, objectsFromImage, type ObjectsFromImageOptions } from "../from-image.js";
import { type ClassStyle, defaultClassStyle, geojsonEnd, geojsonFeature, geojsonStart } from "../geojson.js";
import { ParquetTable } from "../parquet.js";
import { csvHeader, csvRow, type TableLayout } from "../table.js";
import { writeInstances } from "../instances.js";
import { IdTrace } from "../labeler.js";
import { createImageFileSink } from "../../io/node/create-sink.js";
import { checkTarget } from "../../io/node/output-path.js";
import type { MeasuredObject } from "../types.js";

export interface ObjectsFileOptions extends ObjectsFromImageOptions {
  /**
   * Instead of `classes`: class names or label values, looked up in the classes the label
   * image records (`ImageInfo.labelClasses`; a name or value it lacks is an error). Without
   * either, the objects are every recorded class but the first, or every value but 0 when the
   * image records none.
   */
  objectsOf?: readonly string[];
  /** Objects table path (`.csv`). */
  table?: string;
  /** Outlines path (`.geojson` or `.json`). */
  outlinesPath?: string;
  /**
   * The plane of a label stack to measure (scene, time point, Z, channel; 0-based), and of the
   * intensity and probability images the same scene, time point and Z plane; default: the
   * images must be one plane stack.
   */
  planes?: PlanePick;
  /** Class probabilities file (C plane per class) for the confidence column. */
  probabilitiesPath?: string;
  /** The probability plane of a label value's class (default: its place in the classes the labels record, else value − 1). */
  probabilityPlaneOf?: (value: number) => number;
  /** Instance image path (`.ome.tif`, `.ome.tiff`, `.ome.zarr`): uint32 object ids. */
  instancesPath?: string;
  /** Name and colour per label value for the outlines (default: the recorded classes', else `class <value>` and the default palette). */
  classStyles?: Record<number, ClassStyle>;
  overwrite?: boolean;
}

export interface ObjectsFileResult {
  width: number;
  height: number;
  objects: number;
  components: number;
  perClass: Record<string, number>;
  /** The name of each class in `perClass`, where the classes are known (a model's, or recorded in the labels). */
  classNames?: Record<string, string>;
  peakOpen: number;
  outputs: string[];
  /** Temps of a killed earlier run removed from the output paths. */
  warnings: string[];
}

/** Sequential text into a temp-then-rename file, in chunks of about 1 MiB. */
class TextFile {
  private pending: string[] = [];
  private pendingLength = 0;
  private offset = 0;
  private readonly encoder = new TextEncoder();
  constructor(readonly target: FileByteTarget) {}

  /** Queue text; returns the write when a chunk was full and went out. */
  add(text: string): Promise<void> | undefined {
    this.pending.push(text);
    this.pendingLength += text.length;
    return this.pendingLength >= 1 << 20 ? this.flush() : undefined;
  }

  flush(): Promise<void> {
    const bytes = this.encoder.encode(this.pending.join(""));
    this.pending = [];
    this.pendingLength = 0;
    const at = this.offset;
    this.offset += bytes.byteLength;
    return this.target.write(at, bytes);
  }
}

export function checkOutputs(options: ObjectsFileOptions): void {
  if (options.table && !/\.(csv|parquet)$/i.test(options.table))
    throw invalidArgument("the objects table must be a .csv or .parquet file", { where: options.table, allowed: ".csv, .parquet" });
  if (options.instancesPath && !/\.(ome\.)?(tiff?|zarr)$/i.test(options.instancesPath))
    throw invalidArgument("the instance image must be OME-TIFF or OME-Zarr (uint32 ids)", {
      where: options.instancesPath,
      allowed: ".ome.tif, .ome.tiff, .ome.zarr",
    });
  if (options.instancesPath && options.fillHoles)
    throw invalidArgument("cannot be combined with --instances: filled objects may overlap (a hole can hold another object)", {
      where: "--fill-holes",
    });
  const { minArea, maxArea } = options;
  if (minArea !== undefined && maxArea !== undefined && minArea > maxArea)
    throw invalidArgument(`${minArea} is more than --max-area ${maxArea}: no object could pass both`, { where: "--min-area" });
  if (options.outlinesPath && !/\.(geo)?json$/i.test(options.outlinesPath))
    throw invalidArgument("outlines must be a .geojson file", { where: options.outlinesPath, allowed: ".geojson, .json" });
}

/** The object outputs `options` names, as the path checks name them. */
export function objectOutputPaths(options: ObjectsFileOptions): NamedOutput[] {
  return [
    ...(options.table ? [{ what: "--objects", path: options.table }] : []),
    ...(options.outlinesPath ? [{ what: "--outlines", path: options.outlinesPath }] : []),
    ...(options.instancesPath ? [{ what: "--instances", path: options.instancesPath }] : []),
  ];
}

/** The scene, time point and Z plane of `pick` (not its channel): what the intensity and probability images keep. */
const stackOf = ({ c: _c, ...stack }: PlanePick): PlanePick => stack;

/** `source` as the planes `pick` keeps (as it is without one). */
const picked = (source: ImageSource, pick: PlanePick | undefined, where: string): ImageSource =>
  pick ? planeView(source, pick, where) : source;

async function openInputs(
  labelsPath: string,
  imagePath: string | undefined,
  pick: PlanePick | undefined,
): Promise<[ImageSource, ImageSource | undefined]> {
  const labels = await openImageFile(labelsPath);
  let image: ImageSource | undefined;
  try {
    image = imagePath ? await openImageFile(imagePath) : undefined;
    return [picked(labels, pick, "the label image"), image && picked(image, pick && stackOf(pick), "the intensity image")];
  } catch (e) {
    await labels.close();
    await image?.close();
    throw e;
  }
}

/**
 * The table (CSV or Parquet) and outlines files of an objects pass: temp files opened by
 * `open`, the header written by `start`, one row and feature per `add`, then `finish` (flush
 * and wait) and `commit` (rename into place) or `abort` (remove).
 */
export class ObjectOutputs {
  private readonly files: TextFile[] = [];
  private readonly writes: Promise<void>[] = [];
  private layout: TableLayout | undefined;
  private parquet: ParquetTable | undefined;
  private first = true;
  /** The outline style of each label value met so far (computed once per value, not per object). */
  private readonly styles = new Map<number, ClassStyle>();
  readonly perClass: Record<string, number> = {};
  /** Temps of a killed earlier run that `open` removed. */
  readonly warnings: string[] = [];

  private constructor(
    private readonly table: TextFile | undefined,
    private readonly parquetTarget: FileByteTarget | undefined,
    private readonly outlines: TextFile | undefined,
    private readonly classStyles: Record<number, ClassStyle> | undefined,
  ) {
    if (table) this.files.push(table);
    if (parquetTarget) this.files.push(new TextFile(parquetTarget));
    if (outlines) this.files.push(outlines);
  }

  /** Remove the temps a killed run left at every object output path (instances too), then open the table and outlines temps. */
  static async open(options: ObjectsFileOptions): Promise<ObjectOutputs> {
    const overwrite = options.overwrite ?? false;
    const warnings = await removeStaleTempsOf(objectOutputPaths(options).map((o) => o.path));
    const tableTarget = options.table ? await FileByteTarget.create(options.table, { overwrite }) : undefined;
    try {
      const parquet = tableTarget && /\.parquet$/i.test(tableTarget.name);
      const outlines = options.outlinesPath ? new TextFile(await FileByteTarget.create(options.outlinesPath, { overwrite })) : undefined;
      const table = tableTarget && !parquet ? new TextFile(tableTarget) : undefined;
      const outputs = new ObjectOutputs(table, parquet ? tableTarget : undefined, outlines, options.classStyles);
      outputs.warnings.push(...warnings);
      return outputs;
    } catch (e) {
      await tableTarget?.abort().catch(() => undefined);
      throw e;
    }
  }

  /** `{ classNames }` of the classes met, when their names are known. */
  classNames(): { classNames?: Record<string, string> } {
    const styles = this.classStyles;
    if (!styles) return {};
    const named = Object.keys(this.perClass).filter((c) => styles[Number(c)]);
    return { classNames: Object.fromEntries(named.map((c) => [c, styles[Number(c)]!.name])) };
  }

  /** The written files' paths. */
  get names(): string[] {
    return this.files.map((f) => f.target.name);
  }

  private keep(w: Promise<void> | undefined): void {
    if (!w) return;
    w.catch(() => undefined); // awaited in finish; handled there
    this.writes.push(w);
  }

  /** The columns are known: write the headers. */
  start(layout: TableLayout): void {
    this.layout = layout;
    const target = this.parquetTarget;
    if (target) this.parquet = new ParquetTable(layout, (at, bytes) => target.write(at, bytes));
    this.keep(this.table?.add(csvHeader(layout)));
    this.keep(this.outlines?.add(geojsonStart()));
  }

  readonly add = (o: MeasuredObject): void => {
    const layout = this.layout!;
    this.perClass[o.class] = (this.perClass[o.class] ?? 0) + 1;
    this.keep(this.table?.add(csvRow(o, layout)));
    this.keep(this.parquet?.add(o, layout));
    this.keep(this.outlines?.add(geojsonFeature(o, layout, this.styleOf(o.class), this.first)));
    this.first = false;
  };

  private styleOf(value: number): ClassStyle {
    let style = this.styles.get(value);
    if (!style) {
      style = this.classStyles?.[value] ?? defaultClassStyle(value);
      this.styles.set(value, style);
    }
    return style;
  }

  /** Write what is buffered and the file ends; wait for every write. */
  async finish(): Promise<void> {
    this.keep(this.outlines?.add(geojsonEnd()));
    this.keep(this.table?.flush());
    this.keep(this.outlines?.flush());
    this.keep(this.parquet?.finish());
    await Promise.all(this.writes);
  }

  async commit(): Promise<void> {
    for (const f of this.files) await f.target.commit();
  }

  async abort(): Promise<void> {
    await Promise.all(this.files.map((f) => f.target.abort().catch(() => undefined)));
  }
}

/** Write the instance image of a finished pass (`trace`) by labelling `labels` again. */
export async function instancesFile(labels: ImageSource, path: string, options: ObjectsFileOptions, trace: IdTrace): Promise<void> {
  const sink = await createImageFileSink(path, { overwrite: options.overwrite ?? false, imageName: "instances" });
  try {
    await writeInstances(labels, options, trace, sink);
  } catch (e) {
    await sink.abort();
    throw e;
  }
  await sink.finish();
}

/** `options` with `classes` (from `objectsOf` or the default) and `classStyles` from the classes the labels record. */
function withRecordedClasses(info: ImageInfo, options: ObjectsFileOptions): ObjectsFileOptions {
  if (options.classes && options.objectsOf) throw invalidArgument("give the object classes once: classes or objectsOf");
  if (options.classes) return options;
  // a record with a value the labels cannot hold does not describe them: as if there were none
  const max = maxLabelValue(info.sampleType) ?? 0;
  const recorded = info.labelClasses?.every((c) => c.value <= max) ? info.labelClasses : undefined;
  if (!recorded) return options.objectsOf ? { ...options, classes: options.objectsOf.map(labelValue) } : options;
  const chosen = objectClasses(recorded, options.objectsOf, "this label image");
  // predict writes one probability plane per class, in the order the labels record the classes
  const planeOf = (v: number) => recorded.findIndex((c) => c.value === v);
  return { classStyles: chosen.styles, probabilityPlaneOf: planeOf, ...options, classes: chosen.classes };
}

export async function objectsFile(
  labelsPath: string,
  imagePath: string | undefined,
  options: ObjectsFileOptions,
): Promise<ObjectsFileResult> {
  checkOutputs(options);
  await refuseOutputClashes(objectOutputPaths(options), [labelsPath, imagePath, options.probabilitiesPath]);
  const [labels, intensity] = await openInputs(labelsPath, imagePath, options.planes);
  let outputs: ObjectOutputs | undefined;
  let probabilities: ImageSource | undefined;
  try {
    options = withRecordedClasses(labels.info, options);
    const channels = checkObjectInputs(labels.info, intensity?.info, options);
    if (options.probabilitiesPath) {
      probabilities = await openImageFile(options.probabilitiesPath);
      // a plane the file lacks throws here, and the file is closed below
      probabilities = picked(probabilities, options.planes && stackOf(options.planes), "the probabilities image");
    }
    outputs = await ObjectOutputs.open(options);
    const px = labels.info.physicalSize ?? intensity?.info.physicalSize;
    outputs.start({ channels, hasAreaUm2: Boolean(options.pixelSizeUm ?? (px?.x && px.y)), hasConfidence: Boolean(probabilities) });
    const trace = options.instancesPath ? new IdTrace() : undefined;
    if (options.instancesPath) await checkTarget(options.instancesPath, options.overwrite ?? false);
    const summary = await objectsFromImage(
      labels,
      intensity,
      {
        ...options,
        outlines: Boolean(options.outlinesPath),
        ...(trace ? { trace } : {}),
        ...(probabilities
          ? { probabilities: { source: probabilities, ...(options.probabilityPlaneOf ? { planeOf: options.probabilityPlaneOf } : {}) } }
          : {}),
      },
      outputs.add,
    );
    await outputs.finish();
    if (options.instancesPath && trace) await instancesFile(labels, options.instancesPath, options, trace);
    await outputs.commit();
    return {
      width: labels.info.width,
      height: labels.info.height,
      ...summary,
      perClass: outputs.perClass,
      ...outputs.classNames(),
      outputs: [...outputs.names, ...(options.instancesPath ? [options.instancesPath] : [])],
      warnings: outputs.warnings,
    };
  } catch (e) {
    await outputs?.abort();
    throw e;
  } finally {
    await labels.close();
    await intensity?.close();
    await probabilities?.close();
  }
}
