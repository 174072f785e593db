/**
 * `objectsFile`: the objects of a label image file (any format `openImageFile` reads), with an
 * optional intensity image, written as a CSV table and/or QuPath GeoJSON outlines (Node only).
 * Inputs and options are checked before any output exists; outputs are written to hidden temp
 * files that are renamed into place at the end or removed on failure.
 */
import { invalidArgument } from "../../errors.js";
import { FileByteTarget } from "../../io/node/file-byte-target.js";
import { openImageFile } from "../../io/node/open-file.js";
import type { ImageSource } from "../../io/types.js";
import { checkObjectInputs, objectsFromImage, type ObjectsFromImageOptions } from "../from-image.js";
import { type ClassStyle, defaultClassStyle, geojsonEnd, geojsonFeature, geojsonStart } from "../geojson.js";
import { ParquetTable } from "../parquet.js";
import { csvHeader, csvRow, type TableLayout } from "../table.js";
import { writeInstances } from "../instances.js";
import { IdTrace } from "../labeler.js";
import { createImageFileSink } from "../../io/node/create-sink.js";
import { checkTarget } from "../../io/node/output-path.js";
import type { MeasuredObject } from "../types.js";

export interface ObjectsFileOptions extends ObjectsFromImageOptions {
  /** Objects table path (`.csv`). */
  table?: string;
  /** Outlines path (`.geojson` or `.json`). */
  outlinesPath?: string;
  /** Class probabilities file (C plane per class) for the confidence column. */
  probabilitiesPath?: string;
  /** The probability plane of a label value's class (default value − 1). */
  probabilityPlaneOf?: (value: number) => number;
  /** Instance image path (`.ome.tif`, `.ome.tiff`, `.ome.zarr`): uint32 object ids. */
  instancesPath?: string;
  /** Name and colour per label value for the outlines (default `class <value>`, the default palette). */
  classStyles?: Record<number, ClassStyle>;
  overwrite?: boolean;
}

export interface ObjectsFileResult {
  width: number;
  height: number;
  objects: number;
  components: number;
  perClass: Record<string, number>;
  peakOpen: number;
  outputs: string[];
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
    throw invalidArgument("--fill-holes and --instances cannot be combined: filled objects may overlap (a hole can hold another object)", {
      where: "--fill-holes",
    });
  if (options.outlinesPath && !/\.(geo)?json$/i.test(options.outlinesPath))
    throw invalidArgument("outlines must be a .geojson file", { where: options.outlinesPath, allowed: ".geojson, .json" });
}

async function openInputs(labelsPath: string, imagePath: string | undefined): Promise<[ImageSource, ImageSource | undefined]> {
  const labels = await openImageFile(labelsPath);
  try {
    return [labels, imagePath ? await openImageFile(imagePath) : undefined];
  } catch (e) {
    await labels.close();
    throw e;
  }
}

export async function objectsFile(
  labelsPath: string,
  imagePath: string | undefined,
  options: ObjectsFileOptions,
): Promise<ObjectsFileResult> {
  checkOutputs(options);
  const [labels, intensity] = await openInputs(labelsPath, imagePath);
  const files: TextFile[] = [];
  let probabilities: ImageSource | undefined;
  try {
    const channels = checkObjectInputs(labels, intensity, options);
    if (options.probabilitiesPath) probabilities = await openImageFile(options.probabilitiesPath);
    const overwrite = options.overwrite ?? false;
    const tableTarget = options.table ? await FileByteTarget.create(options.table, { overwrite }) : undefined;
    const parquet = tableTarget && /\.parquet$/i.test(tableTarget.name);
    const table = tableTarget && !parquet ? new TextFile(tableTarget) : undefined;
    if (tableTarget) files.push(table ?? new TextFile(tableTarget));
    const outlines = options.outlinesPath ? new TextFile(await FileByteTarget.create(options.outlinesPath, { overwrite })) : undefined;
    if (outlines) files.push(outlines);
    const px = labels.info.physicalSize ?? intensity?.info.physicalSize;
    const layout: TableLayout = {
      channels,
      hasAreaUm2: Boolean(options.pixelSizeUm ?? (px?.x && px.y)),
      hasConfidence: Boolean(probabilities),
    };
    const parquetTable = parquet ? new ParquetTable(layout, (at, bytes) => tableTarget.write(at, bytes)) : undefined;
    const perClass: Record<string, number> = {};
    const writes: Promise<void>[] = [];
    const keep = (w: Promise<void> | undefined) => {
      if (!w) return;
      w.catch(() => undefined); // awaited below; handled there
      writes.push(w);
    };
    keep(table?.add(csvHeader(layout)));
    keep(outlines?.add(geojsonStart()));
    let first = true;
    const onObject = (o: MeasuredObject) => {
      perClass[o.class] = (perClass[o.class] ?? 0) + 1;
      keep(table?.add(csvRow(o, layout)));
      keep(parquetTable?.add(o, layout));
      keep(outlines?.add(geojsonFeature(o, layout, options.classStyles?.[o.class] ?? defaultClassStyle(o.class), first)));
      first = false;
    };
    const trace = options.instancesPath ? new IdTrace() : undefined;
    if (options.instancesPath) await checkTarget(options.instancesPath, overwrite);
    const summary = await objectsFromImage(
      labels,
      intensity,
      {
        ...options,
        outlines: Boolean(outlines),
        ...(trace ? { trace } : {}),
        ...(probabilities
          ? { probabilities: { source: probabilities, ...(options.probabilityPlaneOf ? { planeOf: options.probabilityPlaneOf } : {}) } }
          : {}),
      },
      onObject,
    );
    keep(outlines?.add(geojsonEnd()));
    for (const f of files) if (f !== files[0] || !parquetTable) keep(f.flush());
    if (parquetTable) keep(parquetTable.finish());
    await Promise.all(writes);
    if (options.instancesPath && trace) {
      const sink = await createImageFileSink(options.instancesPath, { overwrite, imageName: "instances" });
      try {
        await writeInstances(labels, options, trace, sink);
      } catch (e) {
        await sink.abort();
        throw e;
      }
      await sink.finish();
    }
    for (const f of files) await f.target.commit();
    return {
      width: labels.info.width,
      height: labels.info.height,
      ...summary,
      perClass,
      outputs: [...files.map((f) => f.target.name), ...(options.instancesPath ? [options.instancesPath] : [])],
    };
  } catch (e) {
    await Promise.all(files.map((f) => f.target.abort().catch(() => undefined)));
    throw e;
  } finally {
    await labels.close();
    await intensity?.close();
    await probabilities?.close();
  }
}
