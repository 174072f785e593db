/**
 * Issue 12 point 2: corrupt pixel data is an error, never fill values or zeros in silence. A
 * present OME-Zarr chunk that inflates to the wrong size, fails its codec, does not match the
 * dtype or is a symlink names the chunk; a missing chunk stays the fill value; an absurd chunk
 * shape is refused on open. A TIFF whose blocks are not what its Compression tag says names
 * the tag and its value. The stores and files are generated here (`zarr.ts`, `tiff.ts`).
 */
import { rm, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import type { ImageSource } from "../../src/io/types.js";
import { tempDir } from "../helpers/paths.js";
import { buildTiff, grayTiff, short, TAG, withTags } from "./tiff.js";
import { pixel, writeZarr, type ZarrSpec } from "./zarr.js";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function scratch(): Promise<string> {
  const d = await tempDir("czmodel-hostile-");
  dirs.push(d);
  return d;
}

const plane = { scene: 0, t: 0, c: 0, z: 0 };
const whole = (s: ImageSource) => s.readRegion(plane, { x: 0, y: 0, width: s.info.width, height: s.info.height });

/** The error `promise` ends with (it must be a CzmodelError). */
async function failure(promise: Promise<unknown>): Promise<CzmodelError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CzmodelError);
  return e as CzmodelError;
}

describe.each(["zlib", null] as const)("OME-Zarr chunks (compressor %s)", (compressor) => {
  const spec: ZarrSpec = { shape: [8, 8], chunks: [4, 4], compressor };
  const raw = (values: number[]) => new Uint8Array(new Uint16Array(values).buffer);
  const encode = (bytes: Uint8Array) => (compressor === "zlib" ? new Uint8Array(deflateSync(bytes)) : bytes);

  it("reads a good store, and a missing chunk as the fill value", async () => {
    const dir = await writeZarr(await scratch(), spec, ["1.1"]);
    const got = await whole(await openImageFile(dir));
    expect(got[0]).toBe(pixel(0, 0));
    expect(got[3 * 8 + 2]).toBe(pixel(3, 2));
    expect(got[5 * 8 + 6]).toBe(7); // chunk 1.1 is missing: fill_value
  });

  it.each([
    ["inflates to too few values", raw(new Array(15).fill(1))],
    ["inflates to too many values", raw(new Array(17).fill(1))],
    ["does not match the dtype size (an odd byte count)", new Uint8Array(33)],
  ])("a chunk that %s is an error naming the chunk", async (_, bytes) => {
    const dir = await writeZarr(await scratch(), spec);
    await writeFile(join(dir, "0", "0.1"), encode(bytes));
    const e = await failure(whole(await openImageFile(dir)));
    expect(e.code).toBe("INVALID_IMAGE");
    expect(e.message).toContain("chunk 0/0.1");
    expect(e.message).toContain(dir);
  });

  it("a chunk with the wrong codec's bytes is an error naming the chunk", async () => {
    const dir = await writeZarr(await scratch(), spec);
    const good = raw(new Array(16).fill(3));
    // zlib store: raw bytes where zlib data belongs; raw store: zlib data where raw bytes belong
    await writeFile(join(dir, "0", "1.0"), compressor === "zlib" ? good : new Uint8Array(deflateSync(good)));
    const e = await failure(whole(await openImageFile(dir)));
    expect(e.message).toMatch(/chunk 0\/1\.0 (is corrupt|decodes to|holds \d+ bytes)/);
  });

  it("a chunk that is a symbolic link is refused, not followed", async () => {
    const dir = await writeZarr(await scratch(), spec);
    const elsewhere = join(await scratch(), "other");
    await writeFile(elsewhere, encode(raw(new Array(16).fill(9))));
    await rm(join(dir, "0", "1.1"));
    await symlink(elsewhere, join(dir, "0", "1.1"));
    const e = await failure(whole(await openImageFile(dir)));
    expect(e.message).toContain(join(dir, "0", "1.1"));
    expect(e.message).toContain("symbolic link");
  });

  it.each([
    [[2 ** 20, 2 ** 20], /makes chunks of 2199023255552 bytes/],
    [[0, 4], /chunk shape \[0, 4\] is impossible/],
  ])("an absurd chunk shape %j is refused on open", async (chunks, message) => {
    const dir = await writeZarr(await scratch(), { ...spec, zarray: { chunks } });
    const e = await failure(openImageFile(dir));
    expect(e.message).toMatch(message);
    expect(e.message).toContain(`${dir}/0`);
  });
});

describe("OME-Zarr metadata documents", () => {
  it("a .zattrs of 100 MiB is refused unread, naming the file", async () => {
    const dir = await writeZarr(await scratch(), { shape: [8, 8], chunks: [4, 4], compressor: null });
    await truncate(join(dir, ".zattrs"), 100 * 1024 * 1024); // sparse: nothing is written
    const e = await failure(openImageFile(dir));
    expect(e.message).toContain(
      `${join(dir, ".zattrs")}: metadata document of 104857600 bytes is too large (allowed: at most 16777216 bytes)`,
    );
  });
});

describe("TIFF blocks that are not what Compression says", () => {
  it.each([
    [50000, "zstd"],
    [50001, "WebP"],
  ])("Compression=%i over raw data is an error naming the tag and value", async (code, name) => {
    const path = join(await scratch(), "lying.tif");
    await writeFile(path, buildTiff(withTags(grayTiff(), short(TAG.Compression, code))));
    const e = await failure(openImageFile(path).then(whole));
    expect(e.message).toBe(`${path}: Compression=${code} (${name}) but strip 0 of page 0 is not ${name} data`);
  });

  it("an unknown Compression value is an error naming it", async () => {
    const path = join(await scratch(), "unknown.tif");
    await writeFile(path, buildTiff(withTags(grayTiff(), short(TAG.Compression, 50002))));
    const e = await failure(openImageFile(path).then(whole));
    expect(e.message).toContain("unsupported TIFF compression 50002");
  });

  it("the same file with Compression=1 reads its pixels", async () => {
    const path = join(await scratch(), "raw.tif");
    await writeFile(path, buildTiff(grayTiff()));
    const got = await whole(await openImageFile(path));
    expect([got[0], got[17], got[255]]).toEqual([0, 4, (15 + 45) % 256]);
  });
});
