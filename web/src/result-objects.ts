/**
 * The objects of the page's last segmentation result, held by the worker: connected components
 * (8-connectivity) of every class but the background (`objectClasses`, the CLI's rule), measured with the input image as intensity when
 * it is one plane of the labels' size (as `czmodel predict --objects` does), the count per class,
 * the object under a pixel for the hover panel, and the CSV table and GeoJSON outlines written by
 * the same functions as the CLI (`src/objects/table.ts`, `geojson.ts`), so the bytes are equal.
 *
 * Memory: the labels plane the worker keeps anyway, plus one `MeasuredObject` (without outline)
 * per object. There is no instance image: the object under a pixel is found from the bounding
 * boxes of the objects of that pixel's class, and only when several boxes hold the pixel by a
 * flood fill from it inside the union of those boxes (one byte per pixel of that union). The
 * outlines are traced again, in a second labelling pass, only when the GeoJSON is asked for.
 */
import { MemoryImageSource } from "../../src/io/memory/index.js";
import type { ImageSource, SampleArray } from "../../src/io/types.js";
import { objectClasses } from "../../src/objects/classes.js";
import { objectsFromImage } from "../../src/objects/from-image.js";
import { type ClassStyle, defaultClassStyle, geojsonEnd, geojsonFeature, geojsonStart } from "../../src/objects/geojson.js";
import { csvHeader, csvRow, measurementsOf, type TableLayout } from "../../src/objects/table.js";
import type { MeasuredObject } from "../../src/objects/types.js";
import type { ObjectCounts, ObjectDetails } from "./protocol.js";

/** A class of the model's label output. */
interface LabelClass {
  value: number;
  name: string;
  color: [number, number, number];
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const contains = (o: MeasuredObject, x: number, y: number) =>
  x >= o.bboxX && x < o.bboxX + o.bboxWidth && y >= o.bboxY && y < o.bboxY + o.bboxHeight;

/**
 * Area and bounding box of the 8-connected component of value `v` holding (x, y), searched
 * inside `box` (which holds the whole component).
 */
function componentAt(labels: ArrayLike<number>, width: number, x: number, y: number, box: Box): { area: number; box: Box } {
  const v = labels[y * width + x]!;
  const bw = box.x1 - box.x0;
  const seen = new Uint8Array(bw * (box.y1 - box.y0));
  const found: Box = { x0: x, y0: y, x1: x + 1, y1: y + 1 };
  const stack = [x, y];
  seen[(y - box.y0) * bw + x - box.x0] = 1;
  let area = 0;
  while (stack.length) {
    const py = stack.pop()!;
    const px = stack.pop()!;
    area++;
    found.x0 = Math.min(found.x0, px);
    found.y0 = Math.min(found.y0, py);
    found.x1 = Math.max(found.x1, px + 1);
    found.y1 = Math.max(found.y1, py + 1);
    for (let ny = Math.max(box.y0, py - 1); ny <= Math.min(box.y1 - 1, py + 1); ny++) {
      for (let nx = Math.max(box.x0, px - 1); nx <= Math.min(box.x1 - 1, px + 1); nx++) {
        const k = (ny - box.y0) * bw + nx - box.x0;
        if (seen[k] || labels[ny * width + nx] !== v) continue;
        seen[k] = 1;
        stack.push(nx, ny);
      }
    }
  }
  return { area, box: found };
}

export class ResultObjects {
  private constructor(
    private readonly labels: MemoryImageSource,
    private readonly plane: SampleArray,
    private readonly intensity: ImageSource | undefined,
    private readonly styles: Map<number, ClassStyle>,
    private readonly classes: number[],
    private readonly pixelSizeUm: { x: number; y: number } | undefined,
    private readonly layout: TableLayout,
    /** In id order (id = index + 1). */
    private readonly objects: MeasuredObject[],
  ) {}

  /**
   * Label and measure the objects of a labels plane (`width × height`); `image` is the input,
   * used for intensities when it is one plane (channels may be several) of the same size.
   */
  static async compute(
    plane: SampleArray,
    width: number,
    height: number,
    classes: LabelClass[],
    image: ImageSource,
  ): Promise<ResultObjects> {
    const labels = new MemoryImageSource({ width, height, planes: [plane] });
    const { sizes, physicalSize: px } = image.info;
    const fits = sizes.scene * sizes.t * sizes.z === 1 && image.info.width === width && image.info.height === height;
    const intensity = fits ? image : undefined;
    const pixelSizeUm = px?.x && px.y ? { x: px.x * 1e6, y: px.y * 1e6 } : undefined;
    const values = objectClasses(classes, undefined, "this model").classes;
    const objects: MeasuredObject[] = [];
    await objectsFromImage(labels, intensity, ResultObjects.options(values, pixelSizeUm, false), (o) => objects.push(o));
    const channels = intensity ? sizes.c * image.info.samplesPerPixel : 0;
    const layout: TableLayout = { channels, hasAreaUm2: Boolean(pixelSizeUm), hasConfidence: false };
    const styles = new Map(classes.map((c) => [c.value, { name: c.name, color: c.color }]));
    return new ResultObjects(labels, plane, intensity, styles, values, pixelSizeUm, layout, objects);
  }

  private static options(classes: number[], pixelSizeUm: { x: number; y: number } | undefined, outlines: boolean) {
    return { connectivity: 8 as const, classes, outlines, ...(pixelSizeUm ? { pixelSizeUm } : {}) };
  }

  private name(value: number): string {
    return (this.styles.get(value) ?? defaultClassStyle(value)).name;
  }

  /** Objects per class, every object class listed (0 when none). */
  counts(): ObjectCounts {
    const perClass = this.classes.map((value) => ({ value, name: this.name(value), count: 0 }));
    for (const o of this.objects) {
      const entry = perClass.find((c) => c.value === o.class);
      if (entry) entry.count++;
    }
    return { total: this.objects.length, perClass };
  }

  /** The object whose pixels include (x, y), if any. */
  objectAt(x: number, y: number): MeasuredObject | undefined {
    const { width, height } = this.labels.info;
    if (!(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < width && y < height)) return undefined;
    const v = this.plane[y * width + x]!;
    const candidates = this.objects.filter((o) => o.class === v && contains(o, x, y));
    if (candidates.length <= 1) return candidates[0];
    const union: Box = { x0: width, y0: height, x1: 0, y1: 0 };
    for (const o of candidates) {
      union.x0 = Math.min(union.x0, o.bboxX);
      union.y0 = Math.min(union.y0, o.bboxY);
      union.x1 = Math.max(union.x1, o.bboxX + o.bboxWidth);
      union.y1 = Math.max(union.y1, o.bboxY + o.bboxHeight);
    }
    const c = componentAt(this.plane, width, x, y, union);
    return candidates.find(
      (o) =>
        o.areaPx === c.area &&
        o.bboxX === c.box.x0 &&
        o.bboxY === c.box.y0 &&
        o.bboxWidth === c.box.x1 - c.box.x0 &&
        o.bboxHeight === c.box.y1 - c.box.y0,
    );
  }

  /** What the hover panel shows of the object under (x, y). */
  details(x: number, y: number): ObjectDetails | null {
    const o = this.objectAt(x, y);
    if (!o) return null;
    return { id: o.id, value: o.class, className: this.name(o.class), measurements: measurementsOf(o, this.layout) };
  }

  /** The objects table, as `czmodel objects --objects` writes it. */
  csv(): Uint8Array {
    const text = [csvHeader(this.layout), ...this.objects.map((o) => csvRow(o, this.layout))].join("");
    return new TextEncoder().encode(text);
  }

  /** The outlines, as `czmodel predict --outlines` writes them (class names and colours of the model). */
  async geojson(): Promise<Uint8Array> {
    const parts = [geojsonStart()];
    const options = ResultObjects.options(this.classes, this.pixelSizeUm, true);
    await objectsFromImage(this.labels, this.intensity, options, (o) => {
      parts.push(geojsonFeature(o, this.layout, this.styles.get(o.class) ?? defaultClassStyle(o.class), parts.length === 1));
    });
    parts.push(geojsonEnd());
    return new TextEncoder().encode(parts.join(""));
  }
}
