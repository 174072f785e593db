/**
 * Issue 12 point 7: `unpack` and lying archives. Central records sharing one local entry are
 * refused by the reader (unpack, inspect) before anything is written; the declared sizes
 * together are bounded; a folder inside the target that is a symbolic link is never written
 * through; an abort (API signal, SIGTERM/SIGINT to the CLI) removes the staging folder and a
 * target it created. The archives are generated here.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { unpackModel } from "../../src/container/node/index.js";
import { CzmodelError } from "../../src/errors.js";
import { czmodel, expectOneLineError, listTree, scratchDir, zipEntry } from "../cli/helpers.js";
import { rawZip } from "../container/helpers/raw-zip.js";
import { repoRoot, testdata } from "../helpers/paths.js";
import { sharedEntryZip } from "./zip.js";

let work: string;
let modelJson: Uint8Array;
let modelBytes: Uint8Array;
beforeAll(async () => {
  work = await scratchDir("hostile-unpack-");
  const czann = testdata("models", "simple_nuclei_segmodel.czann");
  modelJson = await zipEntry(czann, "model.json");
  modelBytes = await zipEntry(czann, "model.model");
});

async function archive(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(work, name);
  await writeFile(path, bytes);
  return path;
}

async function failure(promise: Promise<unknown>): Promise<CzmodelError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CzmodelError);
  return e as CzmodelError;
}

/** A valid model file with `extra` stored entries of `size` random bytes each (slow enough to interrupt). */
function bigModel(extra: number, size: number): Uint8Array {
  const filler = new Uint8Array(randomBytes(size));
  return rawZip([
    { name: "model.json", data: modelJson },
    { name: "model.model", data: modelBytes },
    ...Array.from({ length: extra }, (_, i) => ({ name: `extra/${i}.bin`, data: filler })),
  ]);
}

describe("unpack refuses lying archives before writing", () => {
  it("3000 central records sharing one local entry are refused by unpack and inspect", async () => {
    const path = await archive("shared.czann", sharedEntryZip(3000, new Uint8Array(1000).fill(7)));
    const target = join(work, "shared-out");
    const e = await failure(unpackModel(path, target));
    expect(e.message).toBe(`${path}: corrupt ZIP archive: entry "f0" overlaps entry "f1" (shared or overlapping local entries)`);
    expect(await listTree(target)).toBeNull();
    expectOneLineError(await czmodel("inspect", path), [path, "overlaps"]);
    expectOneLineError(await czmodel("unpack", path, target), [path, "overlaps"]);
    expect(await listTree(target)).toBeNull();
  });

  it("entries whose declared sizes add up past 5 GiB are refused", async () => {
    const packed = new Uint8Array(randomBytes(3_300_000));
    const lie = { method: 8, rawData: packed, declaredSize: 3 * 1024 ** 3 };
    const path = await archive(
      "huge.zip",
      rawZip([
        { name: "a.bin", data: "", ...lie },
        { name: "b.bin", data: "", ...lie },
      ]),
    );
    const target = join(work, "huge-out");
    const e = await failure(unpackModel(path, target));
    expect(e.message).toMatch(/entries declare 6442450944 bytes in all, more than the limit of 5368709120/);
    expect(await listTree(target)).toBeNull();
  });

  it("never writes through a symbolic link inside the target", async () => {
    const outside = await scratchDir("hostile-outside-");
    const target = join(work, "linked-out");
    await mkdir(target);
    await symlink(outside, join(target, "sub"));
    const path = await archive("sub.zip", rawZip([{ name: "sub/x.txt", data: "escaped" }]));
    const e = await failure(unpackModel(path, target));
    expect(e.message).toContain(`${join(target, "sub")} is a symbolic link`);
    expect(await readdir(outside)).toEqual([]);
    expect(await listTree(target)).toEqual(["sub"]);
  });
});

describe("an interrupted unpack leaves nothing", () => {
  it("an aborted signal removes the staging folder and the target it created", async () => {
    const path = await archive("big.czann", bigModel(20, 64 * 1024));
    const target = join(work, "aborted-out");
    // a signal that turns aborted at its 10th check, i.e. in the middle of the extraction
    let checks = 0;
    let seenAtAbort: string[] = [];
    const reason = new CzmodelError("CANCELLED", "stopped by the test");
    const signal = {
      get aborted() {
        return checks >= 10;
      },
      reason,
      throwIfAborted() {
        if (++checks === 10) seenAtAbort = readdirSync(target);
        if (checks >= 10) throw reason;
      },
    } as unknown as AbortSignal;
    const e = await failure(unpackModel(path, target, { signal }));
    expect(e).toBe(reason);
    expect(seenAtAbort).toEqual([expect.stringMatching(/^\.czmodel-unpack-/)]);
    expect(await listTree(target)).toBeNull();
  });

  it.each(["SIGTERM", "SIGINT"] as const)("%s to `czmodel unpack` exits 130 and leaves no staging folder", async (signal) => {
    const path = await archive(`big-${signal}.czann`, bigModel(400, 256 * 1024));
    const target = join(work, `signal-${signal}`);
    await mkdir(target);
    await writeFile(join(target, "keep.txt"), "mine");
    const child = spawn(process.execPath, [join(repoRoot, "bin", "czmodel.js"), "unpack", path, target], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while ((await readdir(target)).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill(signal);
    expect(await exited).toBe(130);
    expect(stderr).toBe("czmodel: error: interrupted; nothing was extracted\n");
    expect(await readdir(target)).toEqual(["keep.txt"]);
  });
});
