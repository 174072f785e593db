/**
 * `czmodel image-convert` acceptance: every sample CZI → OME-Zarr → OME-TIFF keeps every pixel
 * (the outputs read by zarr and tifffile, hashed per plane like the independent CZI reference
 * in test/fixtures/czi/reference.json), pixel sizes, channel names and colours; PNG → OME-TIFF → PNG
 * is exact (fast-png and tifffile as readers); plane selection; a progress bar on a terminal
 * (none with --json or --quiet); bad input gives one line and leaves nothing behind.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { decode, encode } from "fast-png";
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { reference, SAMPLE_FILES, samplePath } from "../czi/czi-helpers.js";
import { repoRoot, testdata } from "../helpers/paths.js";
import { python } from "../io/helpers.js";
import { czmodel, expectOneLineError, scratchDir } from "./helpers.js";

/** Per (t, c, z) plane: SHA-256 of its H×W×K samples in the source's sample order (`bgr` reverses the stored RGB). */
const PLANE_HASHES = `
import sys, json, hashlib, numpy
path, K, bgr = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "bgr"
if path.endswith(".zarr"):
    import zarr
    a = numpy.asarray(zarr.open_group(path, mode="r")["0"][:])
else:
    import tifffile
    s = tifffile.TiffFile(path).series[0]
    assert s.get_axes(False) == "TCZYXS", s.get_axes(False)
    a = s.asarray().reshape(s.get_shape(False))[..., 0]
T, CK, Z = a.shape[:3]
out = {}
for t in range(T):
    for c in range(CK // K):
        for z in range(Z):
            p = numpy.stack([a[t, c * K + k, z] for k in range(K)], axis=-1)
            if bgr: p = p[..., ::-1]
            out[f"{t},{c},{z}"] = hashlib.sha256(numpy.ascontiguousarray(p).tobytes()).hexdigest()
print(json.dumps({"shape": list(a.shape), "dtype": str(a.dtype), "planes": out}))
`;

interface Hashes {
  shape: number[];
  dtype: string;
  planes: Record<string, string>;
}

async function imageInfo(path: string): Promise<Record<string, unknown>> {
  const r = await czmodel("image-info", path, "--json");
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe("image-convert: every sample CZI to OME-Zarr and back to OME-TIFF", () => {
  it("the reference covers every CZI of the shared folder", async () => {
    const files = (await readdir(testdata("czi"))).filter((f) => f.toLowerCase().endsWith(".czi")).sort();
    expect(SAMPLE_FILES).toEqual(files);
  });

  it.each(SAMPLE_FILES)("%s keeps every pixel, pixel size and channel name", async (name) => {
    const ref = reference[name]!;
    const dir = await scratchDir();
    const source = await imageInfo(samplePath(name));
    const K = source.samplesPerPixel as number;
    const order = source.sampleOrder as string;
    for (const scene of ref.scenes.map((s) => s.index)) {
      const zarr = join(dir, `s${scene}.ome.zarr`);
      const tif = join(dir, `s${scene}.ome.tif`);
      const a = await czmodel("image-convert", samplePath(name), zarr, "--scene", String(scene), "--json");
      expect(a.status, a.stderr).toBe(0);
      const b = await czmodel("image-convert", zarr, tif, "--json");
      expect(b.status, b.stderr).toBe(0);
      const planes = Object.fromEntries(ref.planes.filter((p) => p.scene === scene).map((p) => [`${p.t},${p.c},${p.z}`, p.sha256]));
      for (const out of [zarr, tif]) {
        const got = await python<Hashes>(PLANE_HASHES, out, String(K), order.startsWith("bgr") ? "bgr" : "rgb");
        expect(got.planes, `${out}`).toEqual(planes);
        expect(got.shape.slice(0, 3)).toEqual([ref.sizes.t, ref.sizes.c * K, ref.sizes.z]);
      }
      const back = await imageInfo(tif);
      // the writers round pixel sizes to 12 significant digits (src/io/physical-units.ts)
      const want = (source.physicalSize ?? {}) as Record<string, number>;
      const got = (back.physicalSize ?? {}) as Record<string, number>;
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      for (const [axis, m] of Object.entries(want)) expect(Math.abs(got[axis]! / m - 1), axis).toBeLessThan(1e-9);
      const names = source.channelNames as string[] | undefined;
      if (names && K === 1) expect(back.channelNames).toEqual(names);
      if (names && K === 3) expect(back.channelNames).toEqual(names.flatMap((n) => ["R", "G", "B"].map((s) => `${n} ${s}`)));
    }
  });
});

/**
 * The channel colours a CZI gives (read from its metadata XML with struct and ElementTree: an
 * Information channel's colour is that of the DisplaySetting channel with its Id, else its own
 * `Color`; `#AARRGGBB` → RRGGBB), and the colours each output stores: OME-Zarr `omero`
 * channel `color`s read by zarr, OME-TIFF `Channel Color` (signed RGBA) read by tifffile.
 */
const CHANNEL_COLOURS = `
import sys, json, struct, re, zarr, tifffile
import xml.etree.ElementTree as ET
b = open(sys.argv[1], "rb").read()
meta = struct.unpack_from("<q", b, 32 + 48 + 4 + 8)[0]
n = struct.unpack_from("<i", b, meta + 32)[0]
root = ET.fromstring(b[meta + 32 + 256 : meta + 32 + 256 + n].decode("utf8"))
display = {c.get("Id"): c.findtext("Color") for c in root.findall("Metadata/DisplaySetting/Channels/Channel")}
def hexrgb(t):
    return t.strip().lstrip("#")[-6:].upper() if t else None
want = [hexrgb(display.get(c.get("Id")) or c.findtext("Color")) for c in root.findall("Metadata/Information/Image/Dimensions/Channels/Channel")]
got = {}
for path in sys.argv[2:]:
    if path.endswith(".zarr"):
        got[path] = [c.get("color") for c in zarr.open_group(path, mode="r").attrs["omero"]["channels"]]
    else:
        xml = ET.fromstring(tifffile.TiffFile(path).ome_metadata)
        cols = [c.get("Color") for c in xml.iter("{http://www.openmicroscopy.org/Schemas/OME/2016-06}Channel")]
        got[path] = [None if v is None else "%06X" % ((int(v) & 0xFFFFFFFF) >> 8) for v in cols]
print(json.dumps({"want": want, "got": got}))
`;

describe("image-convert keeps channel colours", () => {
  it.each(SAMPLE_FILES)("%s: CZI → OME-TIFF → OME-Zarr → OME-TIFF", async (name) => {
    const ref = reference[name]!;
    const dir = await scratchDir();
    const [tif, zarr, back] = [join(dir, "a.ome.tif"), join(dir, "b.ome.zarr"), join(dir, "c.ome.tif")];
    const scene = ["--scene", String(ref.scenes[0]!.index)];
    for (const [from, to] of [
      [samplePath(name), tif],
      [tif, zarr],
      [zarr, back],
    ] as const) {
      const r = await czmodel("image-convert", from, to, ...(from === samplePath(name) ? scene : []), "--quiet");
      expect(r.status, r.stderr).toBe(0);
    }
    const { want, got } = await python<{ want: (string | null)[]; got: Record<string, (string | null)[]> }>(
      CHANNEL_COLOURS,
      samplePath(name),
      tif,
      zarr,
      back,
    );
    const K = (await imageInfo(samplePath(name))).samplesPerPixel as number;
    const colours = want.slice(0, ref.sizes.c);
    if (K === 1 && colours.some((c) => c !== null)) {
      // every sample with colours gives all of its channels one
      expect(colours.every((c) => c !== null)).toBe(true);
      for (const out of [tif, zarr, back]) expect(got[out], out).toEqual(colours);
    } else {
      // no colour given (or a colour image, stored as three channels): none invented in the OME-TIFF; OME-Zarr's omero needs one, white
      expect(got[tif]).toEqual(Array(ref.sizes.c * K).fill(null));
      expect(got[zarr]).toEqual(Array(ref.sizes.c * K).fill("FFFFFF"));
    }
  });
});

describe("image-convert keeps the channel colours of an OME-TIFF tifffile wrote", () => {
  it("OME Channel Color (signed RGBA) → OME-Zarr omero colours", async () => {
    const dir = await scratchDir();
    const [tif, zarr] = [join(dir, "in.ome.tif"), join(dir, "out.ome.zarr")];
    await python(
      `import sys, numpy, tifffile
tifffile.imwrite(sys.argv[1], numpy.zeros((3, 16, 16), numpy.uint8), metadata={"axes": "CYX",
  "Channel": {"Name": ["DAPI", "GFP", "none"], "Color": [-16776961, 16711935, None]}})
print("{}")`,
      tif,
    );
    const r = await czmodel("image-convert", tif, zarr, "--quiet");
    expect(r.status, r.stderr).toBe(0);
    const omero = await python<{ label: string; color: string }[]>(
      "import sys, json, zarr; print(json.dumps(zarr.open_group(sys.argv[1], mode='r').attrs['omero']['channels']))",
      zarr,
    );
    // 0xFF0000FF is red, 0x00FF00FF green; a channel without a colour gets omero's white
    expect(omero.map((c) => [c.label, c.color])).toEqual([
      ["DAPI", "FF0000"],
      ["GFP", "00FF00"],
      ["none", "FFFFFF"],
    ]);
  });
});

describe("image-convert: PNG round trip and plane selection", () => {
  it.each([8, 16] as const)("PNG (%i-bit RGB) → OME-TIFF → PNG is exact", async (depth) => {
    const dir = await scratchDir();
    const width = 301;
    const height = 203;
    const n = width * height * 3;
    const data = depth === 8 ? new Uint8Array(n) : new Uint16Array(n);
    for (let i = 0; i < n; i++) data[i] = (i * 2654435761) % (depth === 8 ? 256 : 65536);
    const png = join(dir, "in.png");
    writeFileSync(png, encode({ width, height, data, depth, channels: 3 }));
    const r1 = await czmodel("image-convert", png, join(dir, "mid.ome.tif"));
    expect(r1.status, r1.stderr).toBe(0);
    expect(r1.stdout).toMatch(/wrote .*mid\.ome\.tif: 301 x 203/);
    // the OME-TIFF holds three grey channels; a PNG output takes them back as one RGB plane
    const r2 = await czmodel("image-convert", join(dir, "mid.ome.tif"), join(dir, "out.png"));
    expect(r2.status, r2.stderr).toBe(0);
    const rgb = decode(readFileSync(join(dir, "out.png")));
    expect([rgb.width, rgb.height, rgb.channels, rgb.depth]).toEqual([width, height, 3, depth]);
    expect(Buffer.from(rgb.data.buffer, rgb.data.byteOffset, rgb.data.byteLength).equals(Buffer.from(data.buffer))).toBe(true);
    const tif = await python<{ shape: number[]; sha: string }>(
      "import sys, json, hashlib, numpy, tifffile; a = tifffile.imread(sys.argv[1]); print(json.dumps({'shape': list(a.shape), 'sha': hashlib.sha256(numpy.ascontiguousarray(numpy.moveaxis(a, 0, -1)).tobytes()).hexdigest()}))",
      join(dir, "mid.ome.tif"),
    );
    expect(tif.shape).toEqual([3, height, width]);
    const { createHash } = await import("node:crypto");
    expect(tif.sha).toBe(createHash("sha256").update(new Uint8Array(data.buffer)).digest("hex"));
    // one channel alone is a grey PNG
    for (let c = 0; c < 3; c++) {
      const out = join(dir, `c${c}.png`);
      const r = await czmodel("image-convert", join(dir, "mid.ome.tif"), out, "--plane", `c=${c}`);
      expect(r.status, r.stderr).toBe(0);
      const back = decode(readFileSync(out));
      expect([back.width, back.height, back.channels, back.depth]).toEqual([width, height, 1, depth]);
      const want = data.filter((_, i) => i % 3 === c);
      expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(want.buffer))).toBe(true);
    }
  });

  it("grey PNG → OME-Zarr → PNG is exact", async () => {
    const dir = await scratchDir();
    const width = 1100;
    const height = 700;
    const data = new Uint16Array(width * height).map((_, i) => (i * 7919) & 0xffff);
    writeFileSync(join(dir, "in.png"), encode({ width, height, data, depth: 16, channels: 1 }));
    expect((await czmodel("image-convert", join(dir, "in.png"), join(dir, "a.ome.zarr"))).status).toBe(0);
    expect((await czmodel("image-convert", join(dir, "a.ome.zarr"), join(dir, "b.png"))).status).toBe(0);
    const back = decode(readFileSync(join(dir, "b.png")));
    expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(data.buffer))).toBe(true);
  });

  it("--plane keeps only the selected planes, renumbered from 0", async () => {
    const dir = await scratchDir();
    const name = "CellDivision_T3_Z5_CH2_X240_Y170.czi";
    const out = join(dir, "sel.ome.tif");
    const r = await czmodel("image-convert", samplePath(name), out, "--plane", "t=1-2,c=1,z=3", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, sizes: { scene: 1, t: 2, c: 1, z: 1 }, width: 240, height: 170 });
    const got = await python<Hashes>(PLANE_HASHES, out, "1", "rgb");
    const want = reference[name]!.planes.filter((p) => p.c === 1 && p.z === 3 && p.t >= 1).map((p) => p.sha256);
    expect(Object.values(got.planes)).toEqual(want);
    expect((await imageInfo(out)).channelNames).toEqual(["LED470"]);
    const colours = await python<{ want: string[]; got: Record<string, string[]> }>(CHANNEL_COLOURS, samplePath(name), out);
    expect(colours.got[out]).toEqual([colours.want[1]]); // the colour of the channel kept
  });
});

/** Run `node bin/czmodel.js ARGS…` with a pseudo-terminal as stdin/stdout/stderr (util-linux `script`), outside CI; everything it printed. */
function onTerminal(args: string[]): string {
  const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, join(repoRoot, "bin", "czmodel.js"), ...args].map(quote).join(" ");
  const env = { ...process.env };
  delete env.CI;
  return execFileSync("/usr/bin/script", ["-qfec", command, "/dev/null"], { env, cwd: repoRoot, timeout: 60_000 }).toString("utf8");
}

describe("image-convert on a terminal", () => {
  const CD = "CellDivision_T3_Z5_CH2_X240_Y170.czi";

  it("draws a progress bar that ends at 100 %, then the summary", async () => {
    const dir = await scratchDir();
    const out = onTerminal(["image-convert", samplePath(CD), join(dir, "a.ome.tif")]);
    expect(out).toMatch(/image-convert \[[^\]]+\] 0% \| 0\/1 \| [\d.]+ MP\/s/);
    expect(out).toMatch(/image-convert \[[^\]]+\] 100% \| 1\/1 \| [\d.]+ MP\/s \| ETA 0s/);
    expect(out).toMatch(/wrote .*a\.ome\.tif: 240 x 170, scenes 1, T 3, C 2, Z 5, 1 x uint16/);
  });

  it("--json prints only the JSON summary, no bar; --quiet prints no bar", async () => {
    const dir = await scratchDir();
    const json = onTerminal(["image-convert", samplePath(CD), join(dir, "a.ome.zarr"), "--json"]);
    expect(JSON.parse(json)).toMatchObject({ ok: true, width: 240, height: 170, sizes: { scene: 1, t: 3, c: 2, z: 5 }, levels: 1 });
    const quiet = onTerminal(["image-convert", samplePath(CD), join(dir, "b.ome.zarr"), "--quiet"]);
    expect(quiet).not.toContain("image-convert [");
    expect(quiet).toMatch(/^wrote /);
  });
});

describe("image-convert: bad input", () => {
  it.each([
    [["missing.czi", "out.ome.tif"], [/file not found/]],
    [
      ["S3", "out.ome.tif"],
      [/scenes have different sizes/, /--scene/],
    ],
    [["S3", "out.ome.tif", "--scene", "7"], [/scene index 7 is out of range/]],
    [["CD", "out.png"], [/PNG holds one 2-D plane, this output has 30/]],
    [["CD", "out.jpg"], [/cannot tell the output format/]],
    [["CD", "out.ome.tif", "--plane", "q=1"], [/"q=1" is not an axis selection/]],
    [["CD", "out.ome.tif", "--scene", "0", "--plane", "scene=0"], [/give the scene once/]],
  ])("%j fails in one line and leaves nothing", async (args, patterns) => {
    const dir = await scratchDir();
    const files: Record<string, string> = {
      S3: samplePath("S3_1Pos_2Mosaic_T1_Z1_CH1.czi"),
      CD: samplePath("CellDivision_T3_Z5_CH2_X240_Y170.czi"),
    };
    const argv = args.map((a, i) => (i === 0 ? (files[a] ?? join(dir, a)) : i === 1 ? join(dir, a) : a));
    const r = await czmodel("image-convert", ...argv);
    expectOneLineError(r, patterns);
    expect(await readdir(dir)).toEqual([]);
  });

  it("an existing output needs --overwrite, and the input is never the output", async () => {
    const dir = await scratchDir();
    const out = join(dir, "a.ome.zarr");
    const src = samplePath("100x100.czi");
    expect((await czmodel("image-convert", src, out)).status).toBe(0);
    expectOneLineError(await czmodel("image-convert", src, out), [/output already exists/]);
    expect((await czmodel("image-convert", src, out, "--overwrite")).status).toBe(0);
    expect(await readdir(dir)).toEqual(["a.ome.zarr"]);
    // never onto its own input, not even with --overwrite (an OME-Zarr folder would be emptied)
    expectOneLineError(await czmodel("image-convert", out, out, "--overwrite"), [/would replace one of the inputs/]);
    expect(await readdir(dir)).toEqual(["a.ome.zarr"]);
    expect((await czmodel("image-info", out)).status).toBe(0);
  });
});
