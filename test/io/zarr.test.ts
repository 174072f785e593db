/**
 * OME-Zarr: our reader reads stores written by Python's zarr 2 (v2, NGFF 0.4, zlib and blosc)
 * and a hand-written v3 / NGFF 0.5 store exactly; our writer's stores are read by Python's
 * zarr 2 (shape, dtype, chunks, compressor, values by SHA-256, NGFF and class metadata) and
 * by our reader; abort and failures leave no partial output.
 */
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createImageFileSink } from "../../src/io/node/create-sink.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import { allocSamples, type OutputImageInfo } from "../../src/io/types.js";
import { MemoryKeyValueTarget } from "../../src/io/zarr/key-value-target.js";
import { OmeZarrSink } from "../../src/io/zarr/zarr-sink.js";
import { fixture, tempDir } from "../helpers/paths.js";
import { expected, expectedNames, firstDifference, python, readScene, sha256 } from "./helpers.js";
import { writeShuffledTiles } from "./shuffled-tiles.js";

const zarrNames = expectedNames.filter((n) => n.endsWith(".zarr"));

describe("OME-Zarr reader reads what Python wrote", () => {
  it("has the fixtures", () =>
    expect(zarrNames).toEqual(["ngff04_czyx_u16.ome.zarr", "ngff04_tyx_blosc_u8.ome.zarr", "ngff05_zyx_f32.ome.zarr"]));

  it.each(zarrNames)("%s", async (name) => {
    const exp = expected(name);
    const source = await openImageFile(fixture("io", name));
    const [T, C, Z, Y, X, S] = exp.scenes[0]!.shape;
    expect(source.info).toMatchObject({
      format: "ome-zarr",
      width: X,
      height: Y,
      sizes: { scene: 1, t: T, c: C, z: Z },
      samplesPerPixel: S,
      sampleType: exp.dtype,
    });
    for (const axis of ["x", "y", "z"] as const) {
      if (exp.physicalSize?.[axis] === undefined) expect(source.info.physicalSize?.[axis]).toBeUndefined();
      else expect(source.info.physicalSize?.[axis]).toBeCloseTo(exp.physicalSize[axis]!, 15);
    }
    if (exp.channelNames) expect(source.info.channelNames).toEqual(exp.channelNames);
    expect(firstDifference(await readScene(source, 0), exp.scenes[0]!.data)).toBe(-1);
    // A region across chunk borders.
    const rect = { x: 5, y: 3, width: X - 9, height: Y - 5 };
    const plane = { scene: 0, t: T - 1, c: C - 1, z: Z - 1 };
    const got = await source.readRegion(plane, rect);
    const base = ((plane.t * C + plane.c) * Z + plane.z) * Y * X;
    const want: number[] = [];
    for (let y = rect.y; y < rect.y + rect.height; y++)
      for (let x = rect.x; x < rect.x + rect.width; x++) want.push(exp.scenes[0]!.data[base + y * X + x]!);
    expect(firstDifference(got, want)).toBe(-1);
    await source.close();
  });

  it("reports NGFF version, axes and pyramid levels", async () => {
    const v04 = await openImageFile(fixture("io", "ngff04_czyx_u16.ome.zarr"));
    expect(v04.info.details).toMatchObject({ ngffVersion: "0.4", axes: "czyx", pyramidLevels: 2, chunks: [1, 1, 16, 16] });
    const v05 = await openImageFile(fixture("io", "ngff05_zyx_f32.ome.zarr"));
    expect(v05.info.details).toMatchObject({ ngffVersion: "0.5", axes: "zyx", pyramidLevels: 1 });
  });

  it("rejects a Zarr group that is not an NGFF image", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, ".zgroup"), JSON.stringify({ zarr_format: 2 }));
    await expect(openImageFile(dir)).rejects.toThrow(`${dir}: not an OME-Zarr image: no NGFF \`multiscales\` in the group attributes`);
  });
});

interface ZarrReport {
  root: Record<string, unknown>;
  images: {
    attrs: Record<string, unknown>;
    shape: number[];
    chunks: number[];
    dtype: string;
    compressor: Record<string, unknown> | null;
    sha256: string;
  }[];
}

// biome-ignore lint/complexity/noUselessStringRaw: embedded Python is String.raw in every test, so a backslash added to it later reaches Python as written
const READ_ZARR = String.raw`
import sys, json, hashlib, zarr, numpy as np
g = zarr.open_group(sys.argv[1], mode="r")
def image(grp):
    a = grp["0"]
    d = np.ascontiguousarray(a[...])
    return {"attrs": dict(grp.attrs), "shape": list(a.shape), "chunks": list(a.chunks), "dtype": str(a.dtype),
            "compressor": a.compressor.get_config() if a.compressor else None,
            "sha256": hashlib.sha256(d.tobytes()).hexdigest()}
out = {"root": dict(g.attrs)}
if "bioformats2raw.layout" in g.attrs:
    out["images"] = [image(g[k]) for k in sorted(g.group_keys(), key=int)]
else:
    out["images"] = [image(g)]
print(json.dumps(out))
`;

const classes = [
  { value: 1, name: "Background", color: [0, 0, 0] as [number, number, number] },
  { value: 2, name: "Nucleus", color: [255, 0, 0] as [number, number, number] },
];

/** Writes an output whose sample k of plane (s, t, c, z) at (x, y) is f(…); returns canonical arrays per scene (T, C·K, Z, Y, X). */
async function writeOutput(
  sink: OmeZarrSink | Awaited<ReturnType<typeof createImageFileSink>>,
  info: OutputImageInfo,
  bandRows: number,
  f: (s: number, t: number, c: number, z: number, y: number, x: number, k: number) => number,
) {
  const { t: T, c: C, z: Z, scene: S } = info.sizes;
  const K = info.samplesPerPixel;
  const { width: W, height: H } = info;
  await sink.begin(info);
  const canonical = [];
  for (let s = 0; s < S; s++) {
    const a = allocSamples(info.sampleType, T * C * K * Z * H * W);
    for (let t = 0; t < T; t++)
      for (let c = 0; c < C; c++)
        for (let z = 0; z < Z; z++)
          for (let y0 = 0; y0 < H; y0 += bandRows) {
            const rows = Math.min(bandRows, H - y0);
            const d = allocSamples(info.sampleType, rows * W * K);
            for (let y = 0; y < rows; y++)
              for (let x = 0; x < W; x++)
                for (let k = 0; k < K; k++) {
                  const v = f(s, t, c, z, y0 + y, x, k);
                  d[(y * W + x) * K + k] = v;
                  a[((((t * C + c) * K + k) * Z + z) * H + y0 + y) * W + x] = v;
                }
            await sink.writeBand({ scene: s, t, c, z }, y0, rows, d);
          }
    canonical.push(a);
  }
  await sink.finish();
  return canonical;
}

describe("OME-Zarr sink → Python zarr 2", () => {
  it("writes a label image (v2, NGFF 0.4, zlib, '/' chunks) with image-label and czmodel metadata", async () => {
    const dir = await tempDir();
    const path = join(dir, "labels.ome.zarr");
    const info: OutputImageInfo = {
      width: 300,
      height: 200,
      sizes: { scene: 1, t: 1, c: 1, z: 1 },
      samplesPerPixel: 1,
      sampleType: "uint8",
      kind: "labels",
      classes,
      unclassifiedValue: 0,
      physicalSize: { x: 0.5e-6, y: 0.5e-6 },
      description: { model: "nuclei" },
    };
    const sink = await createImageFileSink(path, { tileSize: 128 });
    const [canonical] = await writeOutput(sink, info, 77, (_s, _t, _c, _z, y, x) => 1 + (((x >> 4) + (y >> 3)) % 2));
    expect(await readdir(dir)).toEqual(["labels.ome.zarr"]);

    const r = await python<ZarrReport>(READ_ZARR, path);
    const img = r.images[0]!;
    expect(img).toMatchObject({
      shape: [1, 1, 1, 200, 300],
      chunks: [1, 1, 1, 128, 128],
      dtype: "uint8",
      compressor: { id: "zlib", level: 6 },
    });
    expect(img.sha256).toBe(await sha256(canonical!));
    expect(img.attrs.multiscales).toEqual([
      {
        version: "0.4",
        name: "prediction",
        axes: [
          { name: "t", type: "time" },
          { name: "c", type: "channel" },
          { name: "z", type: "space" },
          { name: "y", type: "space", unit: "micrometer" },
          { name: "x", type: "space", unit: "micrometer" },
        ],
        datasets: [{ path: "0", coordinateTransformations: [{ type: "scale", scale: [1, 1, 1, 0.5, 0.5] }] }],
      },
    ]);
    expect(img.attrs["image-label"]).toEqual({
      version: "0.4",
      colors: [
        { "label-value": 1, rgba: [0, 0, 0, 255] },
        { "label-value": 2, rgba: [255, 0, 0, 255] },
      ],
      properties: [
        { "label-value": 1, class: "Background" },
        { "label-value": 2, class: "Nucleus" },
      ],
    });
    expect(img.attrs.czmodel).toEqual({ kind: "labels", classes, unclassifiedValue: 0, description: { model: "nuclei" } });

    const back = await openImageFile(path);
    expect(back.info).toMatchObject({
      format: "ome-zarr",
      width: 300,
      height: 200,
      sampleType: "uint8",
      channelNames: ["labels"],
      physicalSize: { x: 0.5e-6, y: 0.5e-6 },
      labelClasses: classes,
    });
    expect(firstDifference(await readScene(back, 0), canonical!)).toBe(-1);
  });

  it("writes float32 probabilities of a T×Z stack as channels, and several scenes as bioformats2raw series", async () => {
    const dir = await tempDir();
    const path = join(dir, "probs.zarr");
    const info: OutputImageInfo = {
      width: 70,
      height: 45,
      sizes: { scene: 2, t: 2, c: 1, z: 2 },
      samplesPerPixel: 2,
      sampleType: "float32",
      kind: "probabilities",
      channelNames: ["Background", "Nucleus"],
      classes,
      physicalSize: { x: 1e-6, y: 1e-6, z: 3e-6 },
    };
    const sink = await createImageFileSink(path, { tileSize: 32, compress: false });
    const canonical = await writeOutput(
      sink,
      info,
      20,
      (s, t, _c, z, y, x, k) => (k ? 0.75 : -0.25) * x + y / 3 + t * 100 + z * 10 + s * 1000,
    );
    const r = await python<ZarrReport>(READ_ZARR, path);
    expect(r.root).toEqual({ "bioformats2raw.layout": 3 });
    expect(r.images).toHaveLength(2);
    for (let s = 0; s < 2; s++) {
      expect(r.images[s]).toMatchObject({ shape: [2, 2, 2, 45, 70], chunks: [1, 1, 1, 32, 32], dtype: "float32", compressor: null });
      expect(r.images[s]!.sha256).toBe(await sha256(canonical[s]!));
      expect(r.images[s]!.attrs.omero).toEqual({
        channels: [
          { label: "Background", color: "000000", active: true },
          { label: "Nucleus", color: "FF0000", active: true },
        ],
      });
    }
    const back = await openImageFile(path);
    expect(back.info.sizes).toEqual({ scene: 2, t: 2, c: 2, z: 2 });
    expect(back.info.physicalSize).toEqual({ x: 1e-6, y: 1e-6, z: 3e-6 });
    expect(firstDifference(await readScene(back, 1), canonical[1]!)).toBe(-1);
  });

  it("takes rectangles in any order, across planes and chunk borders (writeTile)", async () => {
    const dir = await tempDir();
    const path = join(dir, "tiles.ome.zarr");
    const info: OutputImageInfo = {
      width: 70,
      height: 45,
      sizes: { scene: 1, t: 2, c: 2, z: 1 },
      samplesPerPixel: 2,
      sampleType: "uint16",
      kind: "regression",
    };
    const sink = await createImageFileSink(path, { tileSize: 16 });
    const [canonical] = await writeShuffledTiles(sink, info, (_s, t, c, _z, y, x, k) => x * 300 + y * 3 + k + c * 17 + t * 101, 3);
    const r = await python<ZarrReport>(READ_ZARR, path);
    expect(r.images[0]).toMatchObject({ shape: [2, 4, 1, 45, 70], chunks: [1, 1, 1, 16, 16], dtype: "uint16" });
    expect(r.images[0]!.sha256).toBe(await sha256(canonical!));
  });

  it("encodes chunks in memory with the isomorphic fflate compressor", async () => {
    const target = new MemoryKeyValueTarget("mem.zarr");
    const sink = new OmeZarrSink(target, { chunkSize: 16 });
    const info: OutputImageInfo = {
      width: 20,
      height: 18,
      sizes: { scene: 1, t: 1, c: 1, z: 1 },
      samplesPerPixel: 1,
      sampleType: "uint16",
      kind: "regression",
    };
    await writeOutput(sink, info, 18, (_s, _t, _c, _z, y, x) => x * 100 + y);
    expect([...target.entries.keys()].sort()).toEqual([
      ".zattrs",
      ".zgroup",
      "0/.zarray",
      "0/0/0/0/0/0",
      "0/0/0/0/0/1",
      "0/0/0/0/1/0",
      "0/0/0/0/1/1",
    ]);
    expect(target.committed).toBe(true);
  });
});

describe("OME-Zarr sink: no partial output", () => {
  const info: OutputImageInfo = {
    width: 64,
    height: 64,
    sizes: { scene: 1, t: 1, c: 1, z: 1 },
    samplesPerPixel: 1,
    sampleType: "uint8",
    kind: "labels",
  };

  it("abort() removes the temp folder", async () => {
    const dir = await tempDir();
    const sink = await createImageFileSink(join(dir, "out.ome.zarr"), { tileSize: 16 });
    await sink.begin(info);
    await sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 32, new Uint8Array(32 * 64));
    expect((await readdir(dir))[0]).toMatch(/^\.out\.ome\.zarr\.[A-Za-z0-9-]+-\d+-[0-9a-f]{8}\.partial$/);
    await sink.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it("abort() during a write (Ctrl-C) leaves nothing", async () => {
    const dir = await tempDir();
    const sink = await createImageFileSink(join(dir, "out.ome.zarr"), { tileSize: 16 });
    await sink.begin(info);
    const pending = sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 64, new Uint8Array(64 * 64).fill(3)).then(
      () => "written",
      (e: unknown) => (e as { code: string }).code,
    );
    await sink.abort();
    expect(["written", "CANCELLED"]).toContain(await pending);
    expect(await readdir(dir)).toEqual([]);
  });

  it("an output folder that does not exist is a one-line IO error", async () => {
    const dir = await tempDir();
    const path = join(dir, "missing", "out.ome.zarr");
    await expect(createImageFileSink(path)).rejects.toThrow(`${path}: cannot write output: the folder does not exist`);
  });

  it("replaces an existing store only with overwrite", async () => {
    const dir = await tempDir();
    const path = join(dir, "out.zarr");
    const first = await createImageFileSink(path);
    await writeOutput(first, info, 64, () => 1);
    await expect(createImageFileSink(path)).rejects.toThrow(`${path}: output already exists (allowed: a new path, or --overwrite)`);
    const second = await createImageFileSink(path, { overwrite: true });
    await writeOutput(second, info, 64, () => 2);
    expect(await readdir(dir)).toEqual(["out.zarr"]);
    const back = await openImageFile(path);
    expect((await back.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: 1, height: 1 }))[0]).toBe(2);
  });
});
