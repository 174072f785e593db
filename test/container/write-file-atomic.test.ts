import { createHash } from "node:crypto";
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

  it("a large file from two buffers used in turn: every byte lands (writes overlap reads, flushes on the way), then the patch", async () => {
    const chunk = 4 << 20;
    const chunks = 40; // 160 MiB: past the 128 MiB between flushes
    const fill = (buffer: Uint8Array, k: number) => {
      for (let i = 0; i < buffer.length; i += 4096) buffer[i] = (k * 31 + i / 4096) & 255;
      buffer[buffer.length - 1] = k;
    };
    const buffers = [new Uint8Array(chunk), new Uint8Array(chunk)];
    async function* produce() {
      for (let k = 0; k < chunks; k++) {
        const buffer = buffers[k & 1]!;
        await new Promise((resolve) => setImmediate(resolve)); // as a file read would
        fill(buffer, k);
        yield buffer;
      }
    }
    const path = join(dir, "large.bin");
    await writeFileAtomic(path, produce(), { finish: (patch) => patch(enc("HEAD"), 0) });
    const expected = createHash("sha256");
    const one = new Uint8Array(chunk);
    for (let k = 0; k < chunks; k++) {
      fill(one, k);
      expected.update(k === 0 ? Buffer.concat([enc("HEAD"), one.subarray(4)]) : one);
    }
    const written = await readFile(path);
    expect(written.length).toBe(chunk * chunks);
    expect(createHash("sha256").update(written).digest("hex")).toBe(expected.digest("hex"));
    await rm(path);
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
