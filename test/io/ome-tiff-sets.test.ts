/**
 * Multi-file OME-TIFF (issue 14): sets written at test time by the committed
 * test/fixtures/ome-tiff-sets/make.py with python3-tifffile, as Bio-Formats lays them out — a
 * renamed single file (TiffData names the old name, UUID is the file's own), a 3-file UUID set,
 * and BinaryOnly files with a companion `.ome`. Every plane read through `openImageFile`, from
 * any file of a set (and from the companion), equals numpy's array the script wrote; sizes are
 * also checked through `czmodel image-info --json`. A missing sibling is one line naming it and
 * its UUID, exit 2 (image-info, image-convert and predict; nothing written); at most `maxOpenFiles` files are open at once.
 */
import { execFileSync } from "node:child_process";
import { copyFile, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openImageFile } from "../../src/io/node/open-file.js";
import { openTiff } from "../../src/io/tiff/tiff-source.js";
import { FileByteSource } from "../../src/bytes/node/file-byte-source.js";
import type { ImageSource } from "../../src/io/types.js";
import { czmodel, expectOneLineError, parseJson, scratchDir } from "../cli/helpers.js";
import { fixture, testdata } from "../helpers/paths.js";

const NUCLEI = testdata("models", "simple_nuclei_segmodel.czann");

interface Expected {
  shape: [number, number, number, number, number]; // T, C, Z, Y, X
  data: Uint8Array | Uint16Array;
}

let out: string;

async function expected(set: string): Promise<Expected> {
  const meta = JSON.parse(await readFile(join(out, set, "expected.json"), "utf8")) as { shape: Expected["shape"]; dtype: string };
  const bytes = await readFile(join(out, set, "expected.bin"));
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { shape: meta.shape, data: meta.dtype === "uint16" ? new Uint16Array(buf) : new Uint8Array(buf) };
}

/** Every plane of `image` equals numpy's (T, C, Z, Y, X) array. */
async function expectPixels(image: ImageSource, want: Expected): Promise<void> {
  const [T, C, Z, Y, X] = want.shape;
  expect(image.info.sizes).toEqual({ scene: 1, t: T, c: C, z: Z });
  expect([image.info.width, image.info.height]).toEqual([X, Y]);
  expect(image.info.sampleType).toBe(want.data instanceof Uint16Array ? "uint16" : "uint8");
  for (let t = 0; t < T; t++)
    for (let c = 0; c < C; c++)
      for (let z = 0; z < Z; z++) {
        const got = await image.readRegion({ scene: 0, t, c, z }, { x: 0, y: 0, width: X, height: Y });
        const start = ((t * C + c) * Z + z) * Y * X;
        expect(Array.from(got), `t=${t} c=${c} z=${z}`).toEqual(Array.from(want.data.subarray(start, start + Y * X)));
      }
}

async function readAll(path: string, want: Expected): Promise<void> {
  const image = await openImageFile(path);
  try {
    await expectPixels(image, want);
  } finally {
    await image.close();
  }
}

beforeAll(async () => {
  out = await scratchDir("ome-tiff-sets-");
  execFileSync("/usr/bin/python3", [fixture("ome-tiff-sets", "make.py"), out, testdata("images", "nuclei_0000.png")]);
});

describe("multi-file OME-TIFF", () => {
  it("a renamed OME-TIFF reads: its TiffData UUID is the file's own", async () => {
    await readAll(join(out, "renamed", "renamed.ome.tif"), await expected("renamed"));
  });

  it("a 3-file UUID set reads whole from any of its files", async () => {
    const want = await expected("uuid-set");
    for (const z of [0, 1, 2]) await readAll(join(out, "uuid-set", `set_z${z}.ome.tif`), want);
  });

  it("a BinaryOnly set reads whole from its companion .ome or any of its TIFFs", async () => {
    const want = await expected("companion");
    for (const name of ["set.companion.ome", "a.ome.tif", "b.ome.tif", "c.ome.tif"]) await readAll(join(out, "companion", name), want);
  });

  it("czmodel image-info --json gives the set's sizes", async () => {
    const cases: [string, string][] = [
      ["renamed", "renamed.ome.tif"],
      ["uuid-set", "set_z1.ome.tif"],
      ["companion", "set.companion.ome"],
      ["companion", "c.ome.tif"],
    ];
    for (const [set, name] of cases) {
      const [T, C, Z, Y, X] = (await expected(set)).shape;
      const r = await czmodel("image-info", join(out, set, name), "--json");
      expect(r.status, r.stderr).toBe(0);
      const info = parseJson<{ format: string; width: number; height: number; sizes: Record<string, number>; details: { files?: number } }>(
        r,
      );
      expect(info.format).toBe("ome-tiff");
      expect(info.details.files).toBe(set === "renamed" ? undefined : 3);
      expect([info.width, info.height]).toEqual([X, Y]);
      expect(info.sizes).toEqual({ scene: 1, t: T, c: C, z: Z });
    }
  });

  it("keeps at most maxOpenFiles sibling files open", async () => {
    const want = await expected("uuid-set");
    let open = 0;
    let most = 0;
    const folder = join(out, "uuid-set");
    const siblings = {
      exists: async () => true,
      open: async (name: string) => {
        const file = await FileByteSource.open(join(folder, name));
        most = Math.max(most, ++open);
        const close = file.close.bind(file);
        file.close = async () => {
          open--;
          await close();
        };
        return file;
      },
    };
    const image = await openTiff(await FileByteSource.open(join(folder, "set_z0.ome.tif")), { siblings, maxOpenFiles: 1 });
    try {
      await expectPixels(image, want);
    } finally {
      await image.close();
    }
    expect(most).toBe(1);
    expect(open).toBe(0);
  });

  it("a missing sibling is one line naming it and its UUID, exit 2", async () => {
    const dir = await scratchDir("ome-tiff-missing-");
    for (const name of ["set_z0.ome.tif", "set_z2.ome.tif"]) await copyFile(join(out, "uuid-set", name), join(dir, name));
    const uuid = (await readFile(join(out, "uuid-set", "set_z1.ome.tif"), "latin1")).match(/<OME [^>]*UUID="([^"]+)"/)![1]!;
    const input = join(dir, "set_z0.ome.tif");
    const r = await czmodel("image-info", input);
    expectOneLineError(r, [`${input}: file "set_z1.ome.tif" (UUID ${uuid}) of this multi-file OME-TIFF is missing from its folder`]);
    // image-convert and predict stop the same way, before writing anything
    const outputs = await scratchDir("ome-tiff-missing-out-");
    const missing = `file "set_z1.ome.tif" (UUID ${uuid}) of this multi-file OME-TIFF is missing from its folder`;
    expectOneLineError(await czmodel("image-convert", input, join(outputs, "a.ome.zarr")), [missing]);
    expectOneLineError(await czmodel("predict", NUCLEI, input, "-o", join(outputs, "b.ome.tif")), [missing]);
    expect(await readdir(outputs)).toEqual([]);
    const companion = await scratchDir("ome-companion-missing-");
    for (const name of ["set.companion.ome", "a.ome.tif", "c.ome.tif"]) await copyFile(join(out, "companion", name), join(companion, name));
    expectOneLineError(await czmodel("image-info", join(companion, "a.ome.tif")), [
      'file "b.ome.tif" (UUID urn:uuid:',
      "is missing from its folder",
    ]);
    await rm(join(companion, "set.companion.ome"));
    expectOneLineError(await czmodel("image-info", join(companion, "a.ome.tif")), [
      'file "set.companion.ome" (UUID urn:uuid:',
      "is missing",
    ]);
  });

  it("czmodel predict on a set gives the labels of the same pixels in one file", async () => {
    const dir = await scratchDir("ome-tiff-predict-");
    const labels: number[][] = [];
    for (const [input, output] of [
      [join(out, "uuid-set", "set_z2.ome.tif"), join(dir, "set.ome.tif")],
      [join(out, "single", "uuid-set.ome.tif"), join(dir, "single.ome.tif")],
    ] as const) {
      const r = await czmodel("predict", NUCLEI, input, "-o", output);
      expect(r.status, r.stderr).toBe(0);
      const image = await openImageFile(output);
      try {
        expect(image.info.sizes).toEqual({ scene: 1, t: 1, c: 2, z: 3 });
        const planes: number[] = [];
        for (let c = 0; c < 2; c++)
          for (let z = 0; z < 3; z++)
            planes.push(...(await image.readRegion({ scene: 0, t: 0, c, z }, { x: 0, y: 0, width: 128, height: 96 })));
        labels.push(planes);
      } finally {
        await image.close();
      }
    }
    expect(new Set(labels[0]).size).toBeGreaterThan(1); // not a blank image
    expect(labels[0]).toEqual(labels[1]);
  });

  it("a sibling that holds another UUID than its TiffData names is refused when it is read", async () => {
    const dir = await scratchDir("ome-tiff-swapped-");
    for (const [from, to] of [
      ["set_z0.ome.tif", "set_z0.ome.tif"],
      ["set_z1.ome.tif", "set_z1.ome.tif"],
      ["set_z1.ome.tif", "set_z2.ome.tif"], // another file of the set under z2's name
    ] as const)
      await copyFile(join(out, "uuid-set", from), join(dir, to));
    const image = await openImageFile(join(dir, "set_z0.ome.tif"));
    try {
      await expect(image.readRegion({ scene: 0, t: 0, c: 0, z: 2 }, { x: 0, y: 0, width: 4, height: 4 })).rejects.toThrow(
        /set_z2\.ome\.tif: holds UUID urn:uuid:[0-9a-f-]+ but the OME-XML expects urn:uuid:[0-9a-f-]+ for "set_z2\.ome\.tif"$/,
      );
      // the files that are right still read
      expect((await image.readRegion({ scene: 0, t: 0, c: 1, z: 1 }, { x: 0, y: 0, width: 4, height: 4 })).length).toBe(16);
    } finally {
      await image.close();
    }
  });

  it("from a single Blob (the browser) a set is a one-line refusal", async () => {
    const { openImageSource } = await import("../../src/io/open.js");
    const { BlobByteSource } = await import("../../src/bytes/byte-source.js");
    const bytes = await readFile(join(out, "uuid-set", "set_z0.ome.tif"));
    await expect(openImageSource(new BlobByteSource(new Blob([bytes]), "set_z0.ome.tif"))).rejects.toThrow(
      /^set_z0\.ome\.tif: multi-file OME-TIFF: data is stored in "set_z1\.ome\.tif" \(UUID urn:uuid:[0-9a-f-]+\), which cannot be reached from a single file/,
    );
    const renamed = await readFile(join(out, "renamed", "renamed.ome.tif"));
    const image = await openImageSource(new BlobByteSource(new Blob([renamed]), "renamed.ome.tif"));
    await expectPixels(image, await expected("renamed"));
  });
});
