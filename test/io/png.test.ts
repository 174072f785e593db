/**
 * PNG: our fast-png reader against sharp/libvips (an independent decoder) on the real test
 * images, palette and low-bit PNGs, pHYs; our PNG sink read back by sharp (values) and by a
 * Python chunk walker (the `czmodel` tEXt metadata); what PNG cannot hold is refused with a
 * one-line error and no partial output.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { MemoryByteSource } from "../../src/bytes/byte-source.js";
import { createImageFileSink } from "../../src/io/node/create-sink.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import { openPng } from "../../src/io/png/png-source.js";
import type { OutputImageInfo } from "../../src/io/types.js";
import { tempDir, testdata } from "../helpers/paths.js";
import { firstDifference, python } from "./helpers.js";

async function sharpRaw(path: string | Buffer, grey: boolean, sixteen: boolean) {
  let img = sharp(path);
  if (grey) img = img.toColourspace(sixteen ? "grey16" : "b-w");
  const { data, info } = await img.raw({ depth: sixteen ? "ushort" : "uchar" }).toBuffer({ resolveWithObject: true });
  const values = sixteen ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data);
  return { values, info };
}

describe("PNG reader = sharp on the real test images", () => {
  it("nuclei_0000.png: 1960×1416 uint16 grey", async () => {
    const path = testdata("images", "nuclei_0000.png");
    const source = await openImageFile(path);
    expect(source.info).toMatchObject({
      format: "png",
      width: 1960,
      height: 1416,
      samplesPerPixel: 1,
      sampleOrder: "gray",
      sampleType: "uint16",
      sizes: { scene: 1, t: 1, c: 1, z: 1 },
    });
    const ours = await source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: 1960, height: 1416 });
    const ref = await sharpRaw(path, true, true);
    expect(ref.info.channels).toBe(1);
    expect(firstDifference(ours, ref.values)).toBe(-1);
    const region = await source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 1000, y: 700, width: 3, height: 2 });
    expect(Array.from(region)).toEqual([0, 1, 2, 1960, 1961, 1962].map((d) => ref.values[700 * 1960 + 1000 + d]));
  });

  it.each(["kidney_dapi_lowsnr.png", "kidney_dapi_highsnr.png"])("%s: 1024×1024 8-bit RGB", async (name) => {
    const path = testdata("images", name);
    const source = await openImageFile(path);
    expect(source.info).toMatchObject({ width: 1024, height: 1024, samplesPerPixel: 3, sampleOrder: "rgb", sampleType: "uint8" });
    const ours = await source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: 1024, height: 1024 });
    const ref = await sharpRaw(path, false, false);
    expect(ref.info.channels).toBe(3);
    expect(firstDifference(ours, ref.values)).toBe(-1);
  });

  it("nuclei_0000_labels.png: 8-bit grey labels", async () => {
    const path = testdata("images", "nuclei_0000_labels.png");
    const source = await openImageFile(path);
    expect(source.info).toMatchObject({ samplesPerPixel: 1, sampleType: "uint8" });
    const ours = await source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: 1960, height: 1416 });
    expect(firstDifference(ours, (await sharpRaw(path, true, false)).values)).toBe(-1);
  });

  it("expands a palette PNG to RGB like libvips", async () => {
    const rgb = await sharp(testdata("images", "kidney_dapi_lowsnr.png"))
      .extract({ left: 100, top: 100, width: 64, height: 48 })
      .tint("#ff8040")
      .png({ palette: true, colours: 16 })
      .toBuffer();
    const source = await openPng(new MemoryByteSource(rgb, "palette.png"));
    expect(source.info).toMatchObject({
      samplesPerPixel: 3,
      sampleOrder: "rgb",
      sampleType: "uint8",
      details: { bitDepth: 4, palette: 16 },
    });
    const ours = await source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: 64, height: 48 });
    expect(firstDifference(ours, (await sharpRaw(rgb, false, false)).values)).toBe(-1);
  });

  it("scales 2-bit grey to 8 bits and reads pHYs as metres", async () => {
    // A 2-bit grey PNG with pHYs = 4 000 000 px/m (0.25 µm), made by Python's zlib and struct.
    const made = await python<{ png: string }>(String.raw`
import zlib, struct, json, base64
w, h = 5, 3
rows = [bytes([0, 0b00011011, 0b11000000]) for _ in range(h)]
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 2, 0, 0, 0, 0)) \
    + chunk(b"pHYs", struct.pack(">IIB", 4000000, 4000000, 1)) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")
print(json.dumps({"png": base64.b64encode(png).decode()}))
`);
    const bytes = Buffer.from(made.png, "base64");
    const source = await openPng(new MemoryByteSource(bytes, "two-bit.png"));
    expect(source.info).toMatchObject({ width: 5, height: 3, sampleType: "uint8", physicalSize: { x: 0.25e-6, y: 0.25e-6 } });
    const row = await source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 1, width: 5, height: 1 });
    // 2-bit values 0, 1, 2, 3, 3 scaled by 255/3
    expect(Array.from(row)).toEqual([0, 85, 170, 255, 255]);
    expect(Array.from(row)).toEqual(Array.from((await sharpRaw(bytes, true, false)).values.subarray(5, 10)));
  });

  it("says a truncated PNG is unreadable", async () => {
    const bytes = await readFile(testdata("images", "nuclei_0000_labels.png"));
    await expect(openPng(new MemoryByteSource(bytes.subarray(0, 5000), "cut.png"))).rejects.toThrow(
      /^cut\.png: not a readable PNG \(.+\); the file may be truncated or corrupt$/,
    );
  });
});

const READ_PNG_TEXT = String.raw`
import sys, json, struct
d = open(sys.argv[1], "rb").read()
pos, text, ihdr = 8, {}, None
while pos < len(d):
    n, t = struct.unpack(">I4s", d[pos:pos + 8]); body = d[pos + 8:pos + 8 + n]; pos += 12 + n
    if t == b"IHDR": ihdr = struct.unpack(">IIBB", body[:10])
    if t == b"tEXt":
        k, v = body.split(b"\0", 1); text[k.decode("latin-1")] = v.decode("latin-1")
print(json.dumps({"ihdr": ihdr, "text": text}))
`;

describe("PNG sink", () => {
  const classes = [
    { value: 1, name: "Background", color: [0, 0, 0] as [number, number, number] },
    { value: 2, name: "Zellkern µ", color: [255, 0, 0] as [number, number, number] },
  ];

  it.each([
    ["uint8", 8],
    ["uint16", 16],
  ] as const)("writes %s labels that sharp reads back, with class metadata in tEXt", async (sampleType, bits) => {
    const dir = await tempDir();
    const path = join(dir, "labels.png");
    const info: OutputImageInfo = {
      width: 61,
      height: 47,
      sizes: { scene: 1, t: 1, c: 1, z: 1 },
      samplesPerPixel: 1,
      sampleType,
      kind: "labels",
      classes,
      unclassifiedValue: 0,
    };
    const sink = await createImageFileSink(path);
    await sink.begin(info);
    const all = sampleType === "uint8" ? new Uint8Array(61 * 47) : new Uint16Array(61 * 47);
    for (let i = 0; i < all.length; i++) all[i] = (i * 7919) % (sampleType === "uint8" ? 256 : 65536);
    for (let y = 0; y < 47; y += 10) {
      const rows = Math.min(10, 47 - y);
      await sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, y, rows, all.slice(y * 61, (y + rows) * 61));
    }
    await sink.finish();
    expect(await readdir(dir)).toEqual(["labels.png"]);
    expect(firstDifference((await sharpRaw(path, true, bits === 16)).values, all)).toBe(-1);
    const meta = await python<{ ihdr: number[]; text: Record<string, string> }>(READ_PNG_TEXT, path);
    expect(meta.ihdr).toEqual([61, 47, bits, 0]);
    expect(JSON.parse(meta.text.czmodel!)).toEqual({ kind: "labels", classes, unclassifiedValue: 0 });
    expect(meta.text.czmodel).toContain("Zellkern \\u00b5");
    // our reader gives the recorded classes back (for `objects` on the labels)
    const back = await openImageFile(path);
    expect(back.info.labelClasses).toEqual(classes);
    await back.close();
  });

  it.each([
    [{ sampleType: "float32" }, "PNG cannot hold float32 samples; write to .ome.tiff or .ome.zarr instead (allowed: uint8, uint16)"],
    [{ sizes: { scene: 1, t: 1, c: 1, z: 3 } }, "PNG holds one 2-D plane, this output has 3; write to .ome.tiff or .ome.zarr instead"],
    [
      { samplesPerPixel: 2 },
      "PNG cannot hold 2 samples per pixel; write to .ome.tiff or .ome.zarr instead (allowed: 1 (grey, labels) or 3 (RGB))",
    ],
  ] as const)("refuses %j with a one-line error and leaves nothing after abort", async (change, message) => {
    const dir = await tempDir();
    const path = join(dir, "out.png");
    const sink = await createImageFileSink(path);
    const info = {
      width: 8,
      height: 8,
      sizes: { scene: 1, t: 1, c: 1, z: 1 },
      samplesPerPixel: 1,
      sampleType: "uint8",
      kind: "probabilities",
      ...change,
    } as OutputImageInfo;
    const err = await sink.begin(info).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "UNSUPPORTED" });
    expect((err as Error).message).toBe(`${path}: ${message}`);
    await sink.abort();
    expect(await readdir(dir)).toEqual([]);
  });
});
