import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { writeFileAtomic } from "../../src/container/node/index.js";
import { tempDir } from "../helpers/paths.js";

let dir: string;
beforeAll(async () => {
  dir = await tempDir("czmodel-atomic-");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const enc = (s: string) => new TextEncoder().encode(s);

describe("writeFileAtomic", () => {
  it("writes one buffer, or chunks from sync and async sources", async () => {
    await writeFileAtomic(join(dir, "a.bin"), enc("hello"));
    await writeFileAtomic(join(dir, "b.bin"), [enc("he"), enc("llo")]);
    async function* gen() {
      yield enc("hel");
      yield enc("lo");
    }
    await writeFileAtomic(join(dir, "c.bin"), gen());
    for (const f of ["a.bin", "b.bin", "c.bin"]) expect(await readFile(join(dir, f), "utf8")).toBe("hello");
  });

  it("creates the folder when asked", async () => {
    await writeFileAtomic(join(dir, "new", "deeper", "x.bin"), enc("x"), { createDir: true });
    expect(await readFile(join(dir, "new", "deeper", "x.bin"), "utf8")).toBe("x");
  });

  it("after a failure mid-write the old file is untouched and no temp file is left", async () => {
    const sub = join(dir, "fail");
    await mkdir(sub);
    const target = join(sub, "model.czann");
    await writeFile(target, "old content");
    async function* failing() {
      yield enc("new part 1");
      throw new Error("disk on fire");
    }
    const err = await writeFileAtomic(target, failing()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CzmodelError);
    expect((err as CzmodelError).message).toBe(`${target}: cannot write the file: disk on fire`);
    expect((err as CzmodelError).code).toBe("IO");
    expect(await readFile(target, "utf8")).toBe("old content");
    expect(await readdir(sub)).toEqual(["model.czann"]);
  });

  it("when the final rename fails (target is a folder) the temp file is removed", async () => {
    const sub = join(dir, "isdir");
    await mkdir(join(sub, "target"), { recursive: true });
    const err = await writeFileAtomic(join(sub, "target"), enc("x")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CzmodelError);
    expect((err as Error).message).toMatch(/target: cannot write the file \((EISDIR|EEXIST|ENOTEMPTY|EPERM)\)$/);
    expect(await readdir(sub)).toEqual(["target"]);
  });

  it("a missing folder is a clear IO error", async () => {
    const target = join(dir, "nope", "x.bin");
    await expect(writeFileAtomic(target, enc("x"))).rejects.toThrow(`${target}: cannot create a file in ${join(dir, "nope")} (ENOENT)`);
  });
});
