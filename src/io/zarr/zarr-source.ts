/**
 * `ImageSource` for OME-Zarr (Zarr v2 and v3; NGFF 0.4 and 0.5) through zarrita over any
 * zarrita store (Node: the folder `ByteSourceStore`, browser: fetch or a custom store). Reads the
 * full-resolution dataset only, by region: zarrita fetches and decodes just the chunks the
 * region touches. A `bioformats2raw.layout` root (one image group per series: `0/`, `1/` …)
 * gives one scene per series. Samples per pixel are always 1 (NGFF keeps colours as C).
 * Isomorphic.
 */
import type { Readable } from "@zarrita/storage";
import * as zarr from "zarrita";
import { invalidImage, isCzmodelError, unsupported } from "../../errors.js";
import { checkImageInfo } from "../limits.js";
import { checkPlane, checkRect } from "../region.js";
import { allocSamples, type ImageInfo, type ImageSource, type PlaneIndex, type Rect, type SampleArray, type SampleType } from "../types.js";
import { checkedArray, notingStore } from "./checked-chunks.js";
import { ngffRoot, parseNgffImage, type AxisName, type NgffImage } from "./ngff.js";

const SAMPLE_TYPES: Record<string, SampleType> = {
  uint8: "uint8",
  int8: "int8",
  uint16: "uint16",
  int16: "int16",
  uint32: "uint32",
  int32: "int32",
  float32: "float32",
  float64: "float64",
};

interface Scene {
  image: NgffImage;
  array: zarr.Array<zarr.DataType, Readable>;
  sizeOf: (axis: AxisName) => number;
}

async function openGroup(location: zarr.Location<Readable>, where: string): Promise<zarr.Group<Readable>> {
  try {
    return await zarr.open(location, { kind: "group" });
  } catch (e) {
    throw invalidImage(`not a Zarr group (${e instanceof Error ? e.message : String(e)})`, { where, cause: e });
  }
}

async function openScene(group: zarr.Group<Readable>, where: string): Promise<Scene> {
  const attrs = group.attrs as Record<string, unknown>;
  const root = ngffRoot(attrs);
  if (!root) throw invalidImage("not an OME-Zarr image: no NGFF `multiscales` in the group attributes", { where });
  const image = parseNgffImage(root, attrs, where);
  let array: zarr.Array<zarr.DataType, Readable>;
  try {
    array = await zarr.open(group.resolve(image.datasetPath), { kind: "array" });
  } catch (e) {
    throw invalidImage(`cannot open dataset "${image.datasetPath}" (${e instanceof Error ? e.message : String(e)})`, { where, cause: e });
  }
  if (array.shape.length !== image.axes.length) {
    throw invalidImage(
      `dataset "${image.datasetPath}" has ${array.shape.length} dimensions but multiscales has ${image.axes.length} axes`,
      { where },
    );
  }
  if (!(array.dtype in SAMPLE_TYPES)) {
    throw unsupported(`unsupported Zarr data type ${array.dtype}`, { where, allowed: Object.keys(SAMPLE_TYPES).join(", ") });
  }
  array = await checkedArray(array, `${where}/${image.datasetPath}`);
  const sizeOf = (axis: AxisName) => {
    const i = image.axes.indexOf(axis);
    return i < 0 ? 1 : array.shape[i]!;
  };
  return { image, array, sizeOf };
}

export class ZarrImageSource implements ImageSource {
  readonly info: ImageInfo;

  private constructor(
    private readonly name: string,
    private readonly scenes: Scene[],
    details: Record<string, unknown>,
  ) {
    const s0 = scenes[0]!;
    const first = s0.image;
    this.info = {
      format: "ome-zarr",
      width: s0.sizeOf("x"),
      height: s0.sizeOf("y"),
      scenes: scenes.map((s) => ({ width: s.sizeOf("x"), height: s.sizeOf("y"), ...(s.image.name ? { name: s.image.name } : {}) })),
      sizes: { scene: scenes.length, t: s0.sizeOf("t"), c: s0.sizeOf("c"), z: s0.sizeOf("z") },
      samplesPerPixel: 1,
      sampleOrder: "gray",
      sampleType: SAMPLE_TYPES[s0.array.dtype]!,
      ...(first.channelNames && first.channelNames.length === s0.sizeOf("c") ? { channelNames: first.channelNames } : {}),
      ...(first.channelColors?.length === s0.sizeOf("c") ? { channelColors: first.channelColors } : {}),
      ...(first.physicalSize ? { physicalSize: first.physicalSize } : {}),
      ...(first.labelClasses ? { labelClasses: first.labelClasses } : {}),
      details: {
        ...details,
        ...(first.version ? { ngffVersion: first.version } : {}),
        axes: first.axes.join(""),
        chunks: s0.array.chunks,
        pyramidLevels: first.levels,
      },
    };
  }

  static async open(store: Readable, name: string): Promise<ZarrImageSource> {
    try {
      const rootLocation = zarr.root(notingStore(store));
      const group = await openGroup(rootLocation, name);
      const attrs = group.attrs as Record<string, unknown>;
      if (!ngffRoot(attrs) && (await store.get("/.czmodel-shards/plan.json")) !== undefined)
        throw invalidImage("a sharded prediction that is not finalized yet (no NGFF metadata until then)", {
          where: name,
          allowed: "run `czmodel finalize` on it once every shard is done",
        });
      const layout = (attrs["bioformats2raw.layout"] ??
        (attrs.ome as Record<string, unknown> | undefined)?.["bioformats2raw.layout"]) as unknown;
      const scenes: Scene[] = [];
      if (layout !== undefined && !ngffRoot(attrs)) {
        for (let i = 0; i < 100_000; i++) {
          let series: zarr.Group<Readable>;
          try {
            series = await zarr.open(rootLocation.resolve(String(i)), { kind: "group" });
          } catch {
            break;
          }
          scenes.push(await openScene(series, `${name}/${i}`));
        }
        if (scenes.length === 0) throw invalidImage("bioformats2raw layout without series group 0", { where: name });
      } else {
        scenes.push(await openScene(group, name));
      }
      const s0 = scenes[0]!;
      const usable = scenes.filter(
        (s) => s.array.dtype === s0.array.dtype && (["t", "c", "z"] as const).every((a) => s.sizeOf(a) === s0.sizeOf(a)),
      );
      const details: Record<string, unknown> = layout !== undefined ? { bioformats2rawLayout: layout } : {};
      if (usable.length < scenes.length) details.skippedSeries = scenes.map((s, i) => (usable.includes(s) ? -1 : i)).filter((i) => i >= 0);
      const source = new ZarrImageSource(name, usable, details);
      checkImageInfo(source.info, name);
      return source;
    } catch (e) {
      if (isCzmodelError(e)) throw e;
      throw invalidImage(`cannot read OME-Zarr (${e instanceof Error ? e.message : String(e)})`, { where: name, cause: e });
    }
  }

  async readRegion(plane: PlaneIndex, rect: Rect): Promise<SampleArray> {
    checkPlane(plane, this.info.sizes, this.name);
    const scene = this.scenes[plane.scene]!;
    checkRect(rect, scene.sizeOf("x"), scene.sizeOf("y"), this.name);
    // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every AxisName, so each axis returns (tsc checks that; Biome cannot see the union)
    const selection = scene.image.axes.map((axis) => {
      switch (axis) {
        case "t":
          return plane.t;
        case "c":
          return plane.c;
        case "z":
          return plane.z;
        case "y":
          return zarr.slice(rect.y, rect.y + rect.height);
        case "x":
          return zarr.slice(rect.x, rect.x + rect.width);
      }
    });
    let chunk: zarr.Chunk<zarr.DataType>;
    try {
      chunk = (await zarr.get(scene.array, selection)) as zarr.Chunk<zarr.DataType>;
    } catch (e) {
      if (isCzmodelError(e)) throw e;
      throw invalidImage(
        `cannot read region x=${rect.x} y=${rect.y} ${rect.width}×${rect.height} (${e instanceof Error ? e.message : String(e)})`,
        {
          where: this.name,
          cause: e,
        },
      );
    }
    const data = chunk.data as unknown as SampleArray;
    // Selected y and x stay in array order; make the result row-major y, x.
    const yFirst = scene.image.axes.indexOf("y") < scene.image.axes.indexOf("x");
    const [sy, sx] = yFirst ? [chunk.stride[0]!, chunk.stride[1]!] : [chunk.stride[1]!, chunk.stride[0]!];
    if (sx === 1 && sy === rect.width && data.length === rect.width * rect.height) return data;
    const out = allocSamples(this.info.sampleType, rect.width * rect.height);
    for (let y = 0; y < rect.height; y++) for (let x = 0; x < rect.width; x++) out[y * rect.width + x] = data[y * sy + x * sx]!;
    return out;
  }

  async close(): Promise<void> {}
}

export function openOmeZarr(store: Readable, name: string): Promise<ZarrImageSource> {
  return ZarrImageSource.open(store, name);
}
