/**
 * Our OME-TIFF writer, checked by an independent reader: Debian's tifffile reads the files
 * (BigTIFF, tiles, deflate, OME axes, shape, dtype, values by SHA-256, physical sizes,
 * channel names, class MapAnnotations), and our own reader reads them back. Also: abort and
 * failures leave no partial output, and an unwritable output fails with a one-line error.
 */
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryByteSource } from "../../src/bytes/byte-source.js";
import { MemoryByteTarget } from "../../src/io/byte-target.js";
import { createImageFileSink } from "../../src/io/node/create-sink.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import { OmeTiffSink } from "../../src/io/tiff/ome-tiff-sink.js";
import { openTiff } from "../../src/io/tiff/tiff-source.js";
import { allocSamples, type OutputImageInfo } from "../../src/io/types.js";
import { tempDir } from "../helpers/paths.js";
import { firstDifference, partialFiles, python, readScene, sha256 } from "./helpers.js";
import { canonicalOutput, writeShuffledTiles } from "./shuffled-tiles.js";

interface TiffReport {
  bigtiff: boolean;
  ome: boolean;
  series: { axes: string; shape: number[]; dtype: string; sha256: string }[];
  tile: [number, number];
  compression: string;
  images: { name: string; pixels: Record<string, string>; channels: { name: string | null; color: string | null }[] }[];
  maps: Record<string, Record<string, string>>;
}

// biome-ignore lint/complexity/noUselessStringRaw: embedded Python is String.raw in every test, so a backslash added to it later reaches Python as written
const READ_OME_TIFF = String.raw`
import sys, json, hashlib, tifffile, numpy as np, xml.etree.ElementTree as ET
t = tifffile.TiffFile(sys.argv[1])
out = {"bigtiff": t.is_bigtiff, "ome": t.is_ome, "series": []}
for s in t.series:
    a = s.asarray()
    out["series"].append({"axes": s.axes, "shape": list(a.shape), "dtype": str(a.dtype),
                          "sha256": hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()})
p = t.pages[0]
out["tile"] = [p.tilelength, p.tilewidth]
out["compression"] = p.compression.name
ns = {"o": "http://www.openmicroscopy.org/Schemas/OME/2016-06"}
root = ET.fromstring(t.ome_metadata)
out["images"] = [{"name": im.attrib.get("Name"), "pixels": dict(im.find("o:Pixels", ns).attrib),
                  "channels": [{"name": c.attrib.get("Name"), "color": c.attrib.get("Color")}
                               for c in im.findall("o:Pixels/o:Channel", ns)]}
                 for im in root.findall("o:Image", ns)]
out["maps"] = {m.attrib["Namespace"]: {e.attrib["K"]: e.text for e in m.findall("o:Value/o:M", ns)}
               for m in root.findall("o:StructuredAnnotations/o:MapAnnotation", ns)}
print(json.dumps(out))
`;

/** Canonical T, C·K, Z, Y, X array of an output whose sample k of plane (t, c, z) at (x, y) is f(...). */
function makeOutput(info: OutputImageInfo, f: (t: number, c: number, z: number, y: number, x: number, k: number) => number) {
  const { width: W } = info;
  const K = info.samplesPerPixel;
  const canonical = canonicalOutput(info, (s, t, c, z, y, x, k) => f(t, c, z, y, x, k) + s);
  /** Bands of `rows` rows, samples interleaved, for plane (s, t, c, z). */
  const band = (s: number, t: number, c: number, z: number, y0: number, rows: number) => {
    const d = allocSamples(info.sampleType, rows * W * K);
    for (let y = 0; y < rows; y++)
      for (let x = 0; x < W; x++) for (let k = 0; k < K; k++) d[(y * W + x) * K + k] = f(t, c, z, y0 + y, x, k) + s;
    return d;
  };
  return { canonical, band };
}

async function writeAll(
  sink: { writeBand: OmeTiffSink["writeBand"] },
  info: OutputImageInfo,
  band: ReturnType<typeof makeOutput>["band"],
  bandRows: number,
) {
  for (let s = 0; s < info.sizes.scene; s++)
    for (let t = 0; t < info.sizes.t; t++)
      for (let c = 0; c < info.sizes.c; c++)
        for (let z = 0; z < info.sizes.z; z++)
          for (let y = 0; y < info.height; y += bandRows) {
            const rows = Math.min(bandRows, info.height - y);
            await sink.writeBand({ scene: s, t, c, z }, y, rows, band(s, t, c, z, y, rows));
          }
}

const classes = [
  { value: 1, name: "Background", color: [0, 0, 0] as [number, number, number] },
  { value: 2, name: "Zellkern µ&<>", color: [255, 64, 0] as [number, number, number] },
];

describe("OME-TIFF sink → tifffile", () => {
  it("writes a label image with class metadata, physical size and description", async () => {
    const dir = await tempDir();
    const path = join(dir, "labels.ome.tiff");
    const info: OutputImageInfo = {
      width: 777,
      height: 515,
      sizes: { scene: 1, t: 1, c: 1, z: 1 },
      samplesPerPixel: 1,
      sampleType: "uint8",
      kind: "labels",
      classes,
      unclassifiedValue: 0,
      physicalSize: { x: 0.325e-6, y: 0.325e-6 },
      description: { model: "nuclei", modelId: "1234", scaling: [1, 1] },
    };
    const { canonical, band } = makeOutput(info, (_t, _c, _z, y, x) => ((x >> 5) + (y >> 4)) % 3);
    const sink = await createImageFileSink(path, { tileSize: 256, imageName: "nuclei_0000", creator: "czmodel test" });
    await sink.begin(info);
    await writeAll(sink, info, band, 100);
    expect(await readdir(dir)).toHaveLength(1); // only the temp file so far
    await expect(stat(path)).rejects.toThrow();
    await sink.finish();
    expect(await readdir(dir)).toEqual(["labels.ome.tiff"]);

    const r = await python<TiffReport>(READ_OME_TIFF, path);
    expect(r.bigtiff).toBe(true);
    expect(r.ome).toBe(true);
    expect(r.tile).toEqual([256, 256]);
    expect(r.compression).toBe("ADOBE_DEFLATE");
    expect(r.series).toEqual([{ axes: "YX", shape: [515, 777], dtype: "uint8", sha256: await sha256(canonical[0]!) }]);
    expect(r.images[0]!.name).toBe("nuclei_0000");
    expect(r.images[0]!.pixels).toMatchObject({
      DimensionOrder: "XYZCT",
      Type: "uint8",
      SizeX: "777",
      SizeY: "515",
      SizeC: "1",
      SizeZ: "1",
      SizeT: "1",
      PhysicalSizeX: "0.325",
      PhysicalSizeXUnit: "µm",
      PhysicalSizeY: "0.325",
    });
    expect(r.images[0]!.channels).toEqual([{ name: "labels", color: null }]);
    expect(r.maps).toEqual({
      "czmodel/output": { kind: "labels", "unclassified-value": "0", model: "nuclei", modelId: "1234", scaling: "[1,1]" },
      "czmodel/class-names": { "1": "Background", "2": "Zellkern µ&<>" },
      "czmodel/class-colors": { "1": "#000000", "2": "#ff4000" },
    });

    // Our reader reads it back.
    const back = await openImageFile(path);
    expect(back.info).toMatchObject({ format: "ome-tiff", width: 777, height: 515, sampleType: "uint8", channelNames: ["labels"] });
    expect(back.info.physicalSize).toEqual({ x: 0.325e-6, y: 0.325e-6 });
    expect(back.info.labelClasses).toEqual([
      { value: 1, name: "Background", color: [0, 0, 0] },
      { value: 2, name: "Zellkern µ&<>", color: [255, 64, 0] },
    ]);
    expect(firstDifference(await readScene(back, 0), canonical[0]!)).toBe(-1);
    await back.close();
  });

  it("writes float32 probabilities of a T×Z stack as C planes (TCZYX), channel names and colours", async () => {
    const dir = await tempDir();
    const path = join(dir, "probs.ome.tif");
    const info: OutputImageInfo = {
      width: 130,
      height: 90,
      sizes: { scene: 1, t: 2, c: 1, z: 3 },
      samplesPerPixel: 2,
      sampleType: "float32",
      kind: "probabilities",
      channelNames: ["Background", "Zellkern µ&<>"],
      classes,
      physicalSize: { x: 0.5e-6, y: 0.25e-6, z: 2e-6 },
    };
    const { canonical, band } = makeOutput(info, (t, _c, z, y, x, k) => (k === 0 ? 0.25 : -1.5) * x + y / 7 + t * 1000 + z * 100);
    const sink = await createImageFileSink(path, { tileSize: 64 });
    await sink.begin(info);
    await writeAll(sink, info, band, 37);
    await sink.finish();

    const r = await python<TiffReport>(READ_OME_TIFF, path);
    expect(r.series).toEqual([{ axes: "TCZYX", shape: [2, 2, 3, 90, 130], dtype: "float32", sha256: await sha256(canonical[0]!) }]);
    expect(r.images[0]!.pixels).toMatchObject({
      SizeC: "2",
      SizeZ: "3",
      SizeT: "2",
      PhysicalSizeX: "0.5",
      PhysicalSizeY: "0.25",
      PhysicalSizeZ: "2",
      Type: "float",
    });
    // OME Color is RGBA as a signed 32-bit integer: #ff4000ff.
    expect(r.images[0]!.channels).toEqual([
      { name: "Background", color: "255" },
      { name: "Zellkern µ&<>", color: String((255 << 24) | (64 << 16) | 0xff | 0) },
    ]);

    const back = await openImageFile(path);
    expect(back.info.sizes).toEqual({ scene: 1, t: 2, c: 2, z: 3 });
    expect(back.info.channelNames).toEqual(["Background", "Zellkern µ&<>"]);
    expect(back.info.physicalSize).toEqual({ x: 0.5e-6, y: 0.25e-6, z: 2e-6 });
    expect(firstDifference(await readScene(back, 0), canonical[0]!)).toBe(-1);
    await back.close();
  });

  it("takes rectangles in any order, across planes and tile borders (writeTile), with the same file content", async () => {
    const dir = await tempDir();
    const path = join(dir, "probs-tiles.ome.tif");
    const info: OutputImageInfo = {
      width: 130,
      height: 90,
      sizes: { scene: 2, t: 1, c: 1, z: 3 },
      samplesPerPixel: 2,
      sampleType: "float32",
      kind: "probabilities",
      channelNames: ["Background", "Zellkern µ&<>"],
      classes,
    };
    const sink = await createImageFileSink(path, { tileSize: 32 });
    const canonical = await writeShuffledTiles(
      sink,
      info,
      (s, _t, _c, z, y, x, k) => (k === 0 ? 0.25 : -1.5) * x + y / 7 + z * 100 + s * 1000,
      7,
    );
    const r = await python<TiffReport>(READ_OME_TIFF, path);
    expect(r.tile).toEqual([32, 32]);
    expect(r.series).toEqual([
      { axes: "CZYX", shape: [2, 3, 90, 130], dtype: "float32", sha256: await sha256(canonical[0]!) },
      { axes: "CZYX", shape: [2, 3, 90, 130], dtype: "float32", sha256: await sha256(canonical[1]!) },
    ]);
  });

  it("compresses label images and stores float32 outputs raw by default (auto); compress: true deflates both", async () => {
    const dir = await tempDir();
    const compressionOf = async (sampleType: "uint8" | "float32", compress?: boolean) => {
      const path = join(dir, `${sampleType}-${compress}.ome.tif`);
      const info: OutputImageInfo = {
        width: 40,
        height: 30,
        sizes: { scene: 1, t: 1, c: 1, z: 1 },
        samplesPerPixel: 1,
        sampleType,
        kind: sampleType === "uint8" ? "labels" : "regression",
      };
      const sink = await createImageFileSink(path, compress === undefined ? {} : { compress });
      await sink.begin(info);
      await sink.writeBand(
        { scene: 0, t: 0, c: 0, z: 0 },
        0,
        30,
        sampleType === "uint8" ? new Uint8Array(1200).fill(1) : new Float32Array(1200).fill(0.5),
      );
      await sink.finish();
      return (await python<TiffReport>(READ_OME_TIFF, path)).compression;
    };
    expect(await compressionOf("uint8")).toBe("ADOBE_DEFLATE");
    expect(await compressionOf("float32")).toBe("NONE");
    expect(await compressionOf("float32", true)).toBe("ADOBE_DEFLATE");
    expect(await compressionOf("uint8", false)).toBe("NONE");
  });

  it("picks smaller tiles for very wide multi-sample outputs, so one row of tiles stays small", async () => {
    const target = new MemoryByteTarget("wide.ome.tif");
    const sink = new OmeTiffSink(target, { compression: "none" });
    // 2 float32 samples × 8192 px = 64 KiB per row: 512 rows would be 32 MiB + 1 row → 256.
    const info: OutputImageInfo = {
      width: 8193,
      height: 16,
      sizes: { scene: 1, t: 1, c: 1, z: 1 },
      samplesPerPixel: 2,
      sampleType: "float32",
      kind: "probabilities",
    };
    await sink.begin(info);
    await sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 16, new Float32Array(8193 * 16 * 2).fill(0.5));
    await sink.finish();
    const back = await openTiff(new MemoryByteSource(target.bytes, "wide.ome.tif"));
    expect(back.info.details).toMatchObject({ tileSize: [256, 256] });
  });

  it("writes several scenes as OME Images (uint16, uncompressed)", async () => {
    const dir = await tempDir();
    const path = join(dir, "scenes.ome.tif");
    const info: OutputImageInfo = {
      width: 40,
      height: 33,
      sizes: { scene: 2, t: 1, c: 2, z: 1 },
      samplesPerPixel: 1,
      sampleType: "uint16",
      kind: "regression",
    };
    const { canonical, band } = makeOutput(info, (_t, c, _z, y, x) => x * 1000 + y * 3 + c * 7);
    const sink = await createImageFileSink(path, { compress: false, tileSize: 16 });
    await sink.begin(info);
    await writeAll(sink, info, band, 33);
    await sink.finish();
    const r = await python<TiffReport>(READ_OME_TIFF, path);
    expect(r.compression).toBe("NONE");
    expect(r.series).toEqual([
      { axes: "CYX", shape: [2, 33, 40], dtype: "uint16", sha256: await sha256(canonical[0]!) },
      { axes: "CYX", shape: [2, 33, 40], dtype: "uint16", sha256: await sha256(canonical[1]!) },
    ]);
    expect(r.images.map((i) => i.name)).toEqual(["prediction scene 0", "prediction scene 1"]);
    const back = await openImageFile(path);
    expect(back.info.sizes).toEqual({ scene: 2, t: 1, c: 2, z: 1 });
    expect(firstDifference(await readScene(back, 1), canonical[1]!)).toBe(-1);
    await back.close();
  });

  it("works in memory with the isomorphic fflate compressor", async () => {
    const target = new MemoryByteTarget("mem.ome.tif");
    const sink = new OmeTiffSink(target, { tileSize: 32 });
    const info: OutputImageInfo = {
      width: 50,
      height: 40,
      sizes: { scene: 1, t: 1, c: 1, z: 1 },
      samplesPerPixel: 1,
      sampleType: "uint16",
      kind: "labels",
    };
    const { canonical, band } = makeOutput(info, (_t, _c, _z, y, x) => x * y);
    await sink.begin(info);
    await writeAll(sink, info, band, 40);
    await sink.finish();
    const back = await openTiff(new MemoryByteSource(target.bytes, "mem.ome.tif"));
    expect(back.info.details).toMatchObject({ compression: "deflate", tiled: true, tileSize: [32, 32], bigTiff: true });
    expect(firstDifference(await readScene(back, 0), canonical[0]!)).toBe(-1);
  });
});

describe("OME-TIFF sink: no partial output", () => {
  const info: OutputImageInfo = {
    width: 64,
    height: 64,
    sizes: { scene: 1, t: 1, c: 1, z: 1 },
    samplesPerPixel: 1,
    sampleType: "uint8",
    kind: "labels",
  };

  it("abort() removes the temp file", async () => {
    const dir = await tempDir();
    const sink = await createImageFileSink(join(dir, "out.ome.tif"));
    await sink.begin(info);
    await sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 32, new Uint8Array(32 * 64));
    expect(await partialFiles(dir)).toHaveLength(1);
    await sink.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it("abort() during a write (Ctrl-C) leaves nothing", async () => {
    const dir = await tempDir();
    const sink = await createImageFileSink(join(dir, "out.ome.tif"), { tileSize: 16 });
    await sink.begin(info);
    const pending = sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 64, new Uint8Array(64 * 64).fill(3)).then(
      () => "written",
      (e: unknown) => (e as { code: string }).code,
    );
    await sink.abort();
    expect(["written", "CANCELLED"]).toContain(await pending);
    expect(await readdir(dir)).toEqual([]);
  });

  it("finish() before all pixels are written fails; abort() then leaves nothing", async () => {
    const dir = await tempDir();
    const sink = await createImageFileSink(join(dir, "out.ome.tif"));
    await sink.begin(info);
    await sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 10, new Uint8Array(10 * 64));
    await expect(sink.finish()).rejects.toThrow(
      "OmeTiffSink.finish() before all pixels were written: missing 1 of 1 chunks, the first in plane 1 of 1 (scene 0, t 0, c 0, z 0) at x 0, y 0",
    );
    await sink.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it("an output folder that does not exist is a one-line IO error, before any work", async () => {
    const dir = await tempDir();
    const path = join(dir, "missing", "out.ome.tif");
    const err = await createImageFileSink(path).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "IO", exitCode: 2 });
    expect((err as Error).message).toBe(`${path}: cannot write output: the folder does not exist`);
  });

  it("a path through a file is a one-line IO error", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "file"), "x");
    const path = join(dir, "file", "out.ome.tif");
    await expect(createImageFileSink(path)).rejects.toThrow(`${path}: cannot write output: a part of the path is not a folder`);
    expect(await readdir(dir)).toEqual(["file"]);
  });

  it("an existing output is kept unless overwrite is set", async () => {
    const dir = await tempDir();
    const path = join(dir, "out.ome.tif");
    await writeFile(path, "old");
    await expect(createImageFileSink(path)).rejects.toThrow(`${path}: output already exists (allowed: a new path, or --overwrite)`);
    const sink = await createImageFileSink(path, { overwrite: true });
    await sink.begin(info);
    await sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 64, new Uint8Array(64 * 64).fill(7));
    await sink.finish();
    expect(await readdir(dir)).toEqual(["out.ome.tif"]);
    const back = await openImageFile(path);
    expect((await back.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 63, y: 63, width: 1, height: 1 }))[0]).toBe(7);
    await back.close();
  });

  it("rejects a tile size that is not a multiple of 16 without leaving a temp file", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "sub"));
    await expect(createImageFileSink(join(dir, "sub", "out.ome.tif"), { tileSize: 100 })).rejects.toThrow(
      "tileSize: tile size 100 is not allowed (allowed: a multiple of 16, at least 16)",
    );
    expect(await readdir(join(dir, "sub"))).toEqual([]);
  });
});
