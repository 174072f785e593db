/**
 * Issue 14 (3): CZI extra dimensions (H, B, V, R, I) as loop dimensions with `--plane h=…`.
 * No real sample has several H indices, so the real CellDivision_T3_Z5_CH2_X240_Y170.czi
 * (uncompressed, dims B C T X Y Z, 30 single-tile planes) is rewritten into a temp file whose
 * directory holds only its four planes T=0, C=0, Z=0..3, each moved to Z=0 and H=z (the B
 * letter of the entry, and of its copy in the subblock segment, renamed to H). The four H
 * planes are then four different real Z planes, so a mixup shows. Reference values come from
 * tifffile / zarr in Python, and from runs on the unmodified file (`--plane z=k`).
 */
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { predictFile } from "../../src/index.js";
import { testdata } from "../helpers/paths.js";
import {
  entryCopies,
  directoryEntryOffset,
  directoryPosition,
  readI32,
  reference,
  sampleBytes,
  samplePath,
  writeI32,
} from "../czi/czi-helpers.js";
import { czmodel, expectOneLineError, listTree, parseJson, scratchDir } from "./helpers.js";

const CD = "CellDivision_T3_Z5_CH2_X240_Y170.czi";
const NUCLEI = testdata("models", "simple_nuclei_segmodel.czann");
let work: string;
let fourH: string;

/** Rewrite the B dimension of the DV entry at `p` as H = h, and set its Z to 0. */
function moveToH(bytes: Uint8Array, p: number, h: number): void {
  const n = readI32(bytes, p + 28);
  for (let k = 0; k < n; k++) {
    const d = p + 32 + 20 * k;
    const letter = String.fromCharCode(bytes[d]!);
    if (letter === "B") {
      bytes[d] = "H".charCodeAt(0);
      writeI32(bytes, d + 4, h);
    } else if (letter === "Z") writeI32(bytes, d + 4, 0);
  }
}

/** The CZI described in the module doc. */
function fourHCzi(): Uint8Array {
  const bytes = sampleBytes(CD);
  const ref = reference[CD]!;
  const chosen: number[] = [];
  for (let z = 0; z < 4; z++) {
    chosen.push(ref.entries.findIndex((e) => e.dims.T!.start === 0 && e.dims.C!.start === 0 && e.dims.Z!.start === z));
  }
  expect(chosen.every((i) => i >= 0)).toBe(true);
  const kept = chosen.map((i, h) => {
    for (const p of entryCopies(bytes, ref, i)) moveToH(bytes, p, h);
    const p = directoryEntryOffset(bytes, i);
    return bytes.slice(p, p + 32 + 20 * readI32(bytes, p + 28));
  });
  // the directory lists only the four chosen entries; the other subblocks stay in the file, unlisted
  let p = directoryEntryOffset(bytes, 0);
  for (const entry of kept) {
    bytes.set(entry, p);
    p += entry.length;
  }
  writeI32(bytes, directoryPosition(bytes) + 32, kept.length);
  return bytes;
}

/** Python: print JSON facts about the arrays tifffile / zarr read. */
function py(script: string, ...args: string[]): unknown {
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, ...args]).toString());
}

const TIFF_FACTS = `
import sys, json, tifffile, numpy
with tifffile.TiffFile(sys.argv[1]) as f:
    s = f.series[0]
    a = s.asarray()
    print(json.dumps({"shape": list(s.shape), "axes": s.axes, "sums": [int(x) for x in a.reshape(-1, a.shape[-2] * a.shape[-1]).sum(1)]}))
`;

/** Whether the planes of the first TIFF (squeezed to N×Y×X) equal the given files' planes, one file per plane or one file of N planes. */
const SAME_PLANES = `
import sys, json, tifffile, numpy
a = tifffile.imread(sys.argv[1]).reshape(-1, 170, 240)
b = numpy.concatenate([tifffile.imread(p).reshape(-1, 170, 240) for p in sys.argv[2:]])
print(json.dumps({"n": [len(a), len(b)], "equal": [bool((a[k] == b[k]).all()) for k in range(len(a))],
  "distinct": len({a[k].tobytes() for k in range(len(a))}), "classes": sorted(int(v) for v in numpy.unique(a))}))
`;

beforeAll(async () => {
  work = await scratchDir("cli-czi-plane-dims-");
  fourH = join(work, "four-h.czi");
  await writeFile(fourH, fourHCzi());
});

describe("a CZI with H = 4", () => {
  it("image-info refuses it without a flag, naming --plane h=0-3; with first it lists H = 4", async () => {
    const r = await czmodel("image-info", fourH);
    expectOneLineError(r, ["unsupported dimension H with size 4 (indices 0..3)", "--plane h=0-3", "--czi-other-dimensions first"]);
    const info = parseJson<{ details: { otherDimensions: Record<string, number>; dimensions: Record<string, number> } }>(
      await czmodel("image-info", fourH, "--czi-other-dimensions", "first", "--json"),
    );
    expect(info.details.otherDimensions).toEqual({ H: 4 });
    expect(info.details.dimensions.H).toBe(1);
  });

  it("predict --plane h=0-3 writes one OME-TIFF whose T axis is H (ModuloAlongT); each plane equals its own run", async () => {
    const dir = await scratchDir("cli-czi-plane-dims-predict-");
    const all = join(dir, "all.ome.tif");
    const r = await czmodel("predict", NUCLEI, fourH, "-o", all, "--plane", "h=0-3", "--quiet", "--json");
    expect(r.status, r.stderr).toBe(0);
    const d = parseJson<{ outputs: { sizes: Record<string, number> }[] }>(r);
    expect(d.outputs[0]!.sizes).toEqual({ scene: 1, t: 4, c: 1, z: 1 });
    expect(py(TIFF_FACTS, all)).toMatchObject({ shape: [4, 170, 240], axes: "PYX" });
    const ome = execFileSync("/usr/bin/python3", ["-c", "import sys, tifffile; print(tifffile.TiffFile(sys.argv[1]).ome_metadata)", all]);
    expect(ome.toString()).toContain('<ModuloAlongT Type="phase" TypeDescription="CZI H (phase)" Start="0" Step="1" End="3"/>');

    const single: string[] = [];
    for (let h = 0; h < 4; h++) {
      const out = join(dir, `h${h}.ome.tif`);
      const one = await czmodel("predict", NUCLEI, fourH, "-o", out, "--plane", `h=${h}`, "--quiet");
      expect(one.status, one.stderr).toBe(0);
      single.push(out);
    }
    expect(py(TIFF_FACTS, single[2]!)).toMatchObject({ shape: [170, 240], axes: "YX" }); // one index: no H axis
    const same = py(SAME_PLANES, all, ...single) as { n: number[]; equal: boolean[]; distinct: number; classes: number[] };
    expect(same).toEqual({ n: [4, 4], equal: [true, true, true, true], distinct: 4, classes: [1, 2] });

    // and the H planes are the original file's Z planes 0..3 (of T=0, C=0)
    const original = join(dir, "original.ome.tif");
    const o = await czmodel("predict", NUCLEI, samplePath(CD), "-o", original, "--plane", "t=0,c=0,z=0-3", "--quiet");
    expect(o.status, o.stderr).toBe(0);
    expect((py(SAME_PLANES, all, original) as { equal: boolean[] }).equal).toEqual([true, true, true, true]);
  });

  it("predict --plane h=1-2 into OME-Zarr: T holds the two H indices, described in .zattrs", async () => {
    const dir = await scratchDir("cli-czi-plane-dims-zarr-");
    const out = join(dir, "labels.ome.zarr");
    const r = await czmodel("predict", NUCLEI, fourH, "-o", out, "--plane", "h=1-2", "--quiet");
    expect(r.status, r.stderr).toBe(0);
    const facts = py(
      "import sys, json, zarr; g = zarr.open_group(sys.argv[1], mode='r'); print(json.dumps({'shape': list(g['0'].shape), 'modulo': g.attrs['czmodel']['moduloAlongT'], 'axes': [a['name'] for a in g.attrs['multiscales'][0]['axes']]}))",
      out,
    );
    expect(facts).toEqual({
      shape: [2, 1, 1, 170, 240],
      modulo: { dimension: "H", size: 2, indices: [1, 2] },
      axes: ["t", "c", "z", "y", "x"],
    });
  });

  it("the library API takes the same selection; indices out of order are written as ModuloAlongT labels", async () => {
    const dir = await scratchDir("cli-czi-plane-dims-api-");
    const out = join(dir, "h30.ome.tif");
    const r = await predictFile(NUCLEI, fourH, out, { planes: { h: [3, 0] } });
    expect(r.outputs[0]!.sizes).toEqual({ scene: 1, t: 2, c: 1, z: 1 });
    const singles = [join(dir, "h3.ome.tif"), join(dir, "h0.ome.tif")];
    await predictFile(NUCLEI, fourH, singles[0]!, { planes: { h: [3] } });
    await predictFile(NUCLEI, fourH, singles[1]!, { planes: { h: [0] } });
    expect(py(TIFF_FACTS, out)).toMatchObject({ shape: [2, 170, 240], axes: "PYX" });
    expect((py(SAME_PLANES, out, ...singles) as { equal: boolean[] }).equal).toEqual([true, true]);
    const ome = execFileSync("/usr/bin/python3", ["-c", "import sys, tifffile; print(tifffile.TiffFile(sys.argv[1]).ome_metadata)", out]);
    expect(ome.toString()).toContain(
      '<ModuloAlongT Type="phase" TypeDescription="CZI H (phase)"><Label>3</Label><Label>0</Label></ModuloAlongT>',
    );
  });

  it("a bad selection is one line, exit 2, nothing written", async () => {
    const dir = await scratchDir("cli-czi-plane-dims-bad-");
    const r = await czmodel("predict", NUCLEI, fourH, "-o", join(dir, "labels.ome.tif"), "--plane", "h=7");
    expectOneLineError(r, ["h index 7 is out of range", "--plane h=", "0..3"]);
    expect(await listTree(dir)).toEqual([]);
    const c = await czmodel("image-convert", fourH, join(dir, "x.ome.tif"), "--plane", "h=4");
    expectOneLineError(c, ["h index 4 is out of range", "0..3"]);
    const png = await czmodel("predict", NUCLEI, samplePath("RGB-8bit.czi"), "-o", join(dir, "labels.ome.tif"), "--plane", "h=1");
    expectOneLineError(png, ["h index 1 is out of range", "0..0"]);
    expect(await listTree(dir)).toEqual([]);
  });

  it("image-convert --plane h=0-3 copies the four planes into one OME-TIFF with the H axis", async () => {
    const dir = await scratchDir("cli-czi-plane-dims-convert-");
    const out = join(dir, "four-h.ome.tif");
    const r = await czmodel("image-convert", fourH, out, "--plane", "h=0-3", "--quiet");
    expect(r.status, r.stderr).toBe(0);
    const original = join(dir, "z.ome.tif");
    const o = await czmodel("image-convert", samplePath(CD), original, "--plane", "t=0,c=0,z=0-3", "--quiet");
    expect(o.status, o.stderr).toBe(0);
    expect(py(TIFF_FACTS, out)).toMatchObject({ shape: [4, 170, 240], axes: "PYX" });
    const same = py(SAME_PLANES, out, original) as { equal: boolean[]; distinct: number };
    expect(same.equal).toEqual([true, true, true, true]);
    expect(same.distinct).toBe(4);
  });
});
