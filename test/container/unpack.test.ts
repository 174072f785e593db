import { readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { readModelFile, unpackModel } from "../../src/container/node/index.js";
import { tempDir, testdata } from "../helpers/paths.js";
import { rawZip } from "./helpers/raw-zip.js";

let root: string;
beforeAll(async () => {
  root = await tempDir("czmodel-unpack-");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every path under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    out.push(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1) + (e.isDirectory() ? "/" : ""));
  }
  return out.sort();
}

describe("unpackModel", () => {
  it("extracts a real .czseg into a new folder", async () => {
    const src = testdata("models", "simple_nuclei_segmodel_legacy.czseg");
    const target = join(root, "legacy", "out");
    const files = await unpackModel(src, target);
    const guid = "27eaeeab-7e9a-4f9c-88bb-6e5b477d2241";
    expect(files).toEqual([join(target, `${guid}.xml`), join(target, `${guid}.model`), join(target, `modelid=${guid}`)]);
    const m = await readModelFile(src);
    expect(Buffer.from(await readFile(files[1] as string)).equals(Buffer.from(m.modelBytes))).toBe(true);
    expect((await readFile(files[0] as string)).length).toBe(557);
    expect((await readFile(files[2] as string)).length).toBe(0);
    expect(await tree(target)).toEqual([`${guid}.model`, `${guid}.xml`, `modelid=${guid}`]);
  });

  it("refuses a same-named file in the target without overwrite, writing nothing; with it replaces it and keeps others", async () => {
    const target = join(root, "existing");
    await mkdir(target, { recursive: true });
    await writeFile(join(target, "model.json"), "old");
    await writeFile(join(target, "keep.txt"), "keep");
    await expect(unpackModel(testdata("models", "simple_nuclei_segmodel.czann"), target)).rejects.toThrow(
      `${join(target, "model.json")}: output already exists (allowed: a new folder, or --overwrite)`,
    );
    expect(await tree(target)).toEqual(["keep.txt", "model.json"]);
    expect(await readFile(join(target, "model.json"), "utf8")).toBe("old");
    const files = await unpackModel(testdata("models", "simple_nuclei_segmodel.czann"), target, { overwrite: true });
    expect(files).toEqual([join(target, "model.json"), join(target, "model.model")]);
    expect((await readFile(join(target, "model.json"), "utf8")).startsWith('{"Id": "34c8660b')).toBe(true);
    expect(await tree(target)).toEqual(["keep.txt", "model.json", "model.model"]);
  });

  it("turns backslash names into sub-folders", async () => {
    const src = join(root, "bs.zip");
    await writeFile(
      src,
      rawZip([
        { name: "dir\\sub\\a.txt", data: "A", method: 8 },
        { name: "dir/", data: "" },
        { name: "b.txt", data: "B" },
      ]),
    );
    const target = join(root, "bs-out");
    const files = await unpackModel(src, target);
    expect(files).toEqual([join(target, "dir", "sub", "a.txt"), join(target, "b.txt")]);
    expect(await tree(target)).toEqual(["b.txt", "dir/", "dir/sub/", "dir/sub/a.txt"]);
  });

  const slips: [string, string][] = [
    ["../evil.txt", "contains '..'"],
    ["ok/../../evil.txt", "contains '..'"],
    ["..\\evil.txt", "contains '..'"],
    ["/tmp/evil.txt", "is an absolute path"],
    ["\\evil.txt", "is an absolute path"],
    ["C:\\evil.txt", "has a drive letter"],
    ["c:evil.txt", "has a drive letter"],
    ["a/b:stream", "contains ':' (a Windows stream or drive separator)"],
  ];
  it.each(slips)("refuses zip-slip name %s and writes nothing", async (name, why) => {
    const base = join(root, `slip-${Math.random().toString(36).slice(2)}`);
    const src = join(base, "slip.zip");
    await mkdir(base, { recursive: true });
    await writeFile(
      src,
      rawZip([
        { name: "fine.txt", data: "fine" },
        { name, data: "evil" },
      ]),
    );
    const target = join(base, "deep", "out");
    const err = await unpackModel(src, target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CzmodelError);
    expect((err as Error).message).toBe(
      `${src}: entry ${JSON.stringify(name)} ${why}; refusing to extract it (allowed: relative entry names inside the archive)`,
    );
    expect(await tree(base)).toEqual(["slip.zip"]);
  });

  it("leaves nothing behind when an entry is corrupt (CRC mismatch in the last entry)", async () => {
    const base = join(root, "crc");
    await mkdir(join(base, "out"), { recursive: true });
    const src = join(base, "bad.zip");
    await writeFile(
      src,
      rawZip([
        { name: "a.txt", data: "A" },
        { name: "b.txt", data: "B", crc32: 1 },
      ]),
    );
    const err = await unpackModel(src, join(base, "out")).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/: b\.txt: CRC-32 mismatch/);
    expect(await tree(base)).toEqual(["bad.zip", "out/"]);
  });

  it("refuses a zip bomb before writing", async () => {
    const base = join(root, "bomb");
    await mkdir(base, { recursive: true });
    const src = join(base, "bomb.zip");
    await writeFile(src, rawZip([{ name: "x.bin", data: new Uint8Array(10), method: 8, declaredSize: 3_000_000_000 }]));
    const err = await unpackModel(src, join(base, "out")).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^.*bomb\.zip: x\.bin: entry compresses 3000000000 bytes into \d+ \(ratio \d+:1, zip bomb\?\)/);
    expect(await tree(base)).toEqual(["bomb.zip"]);
  });

  it("refuses duplicate names", async () => {
    const src = join(root, "dup.zip");
    await writeFile(
      src,
      rawZip([
        { name: "a.txt", data: "1" },
        { name: "a.txt", data: "2" },
      ]),
    );
    await expect(unpackModel(src, join(root, "dup-out"))).rejects.toThrow(`${src}: entry "a.txt" appears twice`);
  });

  it("can be read back: an unpacked czann's files are the original entries", async () => {
    const src = testdata("models", "simple_pytorch_nuclei_segmodel_pytorch.czann");
    const files = await unpackModel(src, join(root, "pt"));
    const m = await readModelFile(src);
    expect(Buffer.from(readFileSync(files[0] as string)).equals(Buffer.from(m.metadataBytes))).toBe(true);
  });
});
