/**
 * `czmodel predict --shard K/N`, `--plan` and `czmodel finalize` on the real nuclei model and
 * image (1960×1416, 2×2 tiles of 1024², 512² chunks, one tile per unit: 4 units, whose
 * pixels meet inside 6 of the 12 chunks): four shards run out of order, one of them twice,
 * give chunk files byte for byte the same as a plain `predict` to OME-Zarr (the shared chunks
 * joined from the units' pieces); finalize with a unit missing fails naming its chunks, and
 * joins a shared chunk whose pieces are all there; bad `--shard` values and a shard with
 * other options are one-line errors.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { testdata } from "../helpers/paths.js";
import { python } from "../io/helpers.js";
import { czmodel, expectOneLineError, listTree, parseJson, scratchDir } from "./helpers.js";

const model = testdata("models", "simple_nuclei_segmodel.czann");
const image = testdata("images", "nuclei_0000.png");

/** Every file of an OME-Zarr folder except the shard state. */
async function zarrFiles(dir: string): Promise<string[]> {
  return ((await listTree(dir)) ?? []).filter((f) => !f.startsWith(".czmodel-shards"));
}

describe("sharded predict to OME-Zarr", () => {
  let work: string;
  let plain: string;
  beforeAll(async () => {
    work = await scratchDir("cli-shards-");
    plain = join(work, "plain.ome.zarr");
    const r = await czmodel("predict", model, image, "-o", plain, "--quiet");
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  it("--plan prints the units as JSON without running", async () => {
    const out = join(work, "planned.ome.zarr");
    const plan = parseJson<{ ok: boolean; chunk: number[]; units: { index: number; chunks: unknown }[] }>(
      await czmodel("predict", model, image, "-o", out, "--plan", "--unit-size", "1024"),
    );
    expect(plan.ok).toBe(true);
    expect(plan.chunk).toEqual([512, 512]);
    expect(plan.units.map((u) => u.index)).toEqual([0, 1, 2, 3]);
    // unit 1 is the top-right tile: its pixels x 980-1959, y 0-707 meet chunk columns 1-3 and rows 0-1
    expect(plan.units[1]).toMatchObject({ out: { x: 980, y: 0, width: 980, height: 708 }, chunks: { y: [0, 2], x: [1, 4] } });
    expect(await listTree(out)).toBeNull();
  });

  it("4 shards out of order, one twice, equal plain predict chunk for chunk; finalize waits for the last", async () => {
    const out = join(work, "sharded.ome.zarr");
    const shard = (k: number) => czmodel("predict", model, image, "-o", out, "--shard", `${k}/4`, "--unit-size", "1024", "--quiet");
    for (const k of [3, 1, 0, 1]) {
      const r = await shard(k);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`shard ${k}/4: 1 of 4 units`);
    }
    // unit 2 (bottom-left tile) is missing: its own chunks in row 2 and the chunks of row 1 it shares
    const missing = await czmodel("finalize", out);
    expectOneLineError(missing, ["4 of 12 chunks are missing: 0/0/0/0/1/0, 0/0/0/0/1/1, 0/0/0/0/2/0, 0/0/0/0/2/1 (units 2)"]);
    const before = await zarrFiles(out);
    expect(before).not.toContain(".zattrs"); // not an NGFF image until finalized
    expect(before).toContain("0/.zarray");
    // reading it before finalize says so, in one line
    expectOneLineError(await czmodel("objects", out, "--objects", join(work, "early.csv")), ["not finalized yet", "czmodel finalize"]);

    // a shard of the same output with other options refuses
    const other = await czmodel("predict", model, image, "-o", out, "--shard", "2/4", "--unit-size", "1024", "--border", "40");
    expectOneLineError(other, ["another model, image or options", "plan"]);

    expect((await shard(2)).status).toBe(0);
    // a shared chunk that no unit joined (as on a file system that shows new files late) is joined by finalize
    await rm(join(out, "0", "0", "0", "0", "1", "1"));
    const done = parseJson<{ ok: boolean; units: number; chunks: number }>(await czmodel("finalize", out, "--json"));
    expect(done).toMatchObject({ ok: true, units: 4, chunks: 12 });

    const files = await zarrFiles(out);
    expect(files).toEqual(await zarrFiles(plain));
    for (const f of files.filter((name) => !name.endsWith("/")))
      expect(Buffer.compare(await readFile(join(out, f)), await readFile(join(plain, f))), f).toBe(0);
    expect(((await listTree(out)) ?? []).filter((f) => f.includes(".partial") || f.includes("pieces"))).toEqual([]);

    const read = await python<{ shape: number[]; sum: number }>(
      "import sys, json, zarr, numpy; a = zarr.open(sys.argv[1], mode='r')['0']; print(json.dumps({'shape': list(a.shape), 'sum': int(numpy.asarray(a[:]).astype('int64').sum())}))",
      out,
    );
    expect(read.shape).toEqual([1, 1, 1, 1416, 1960]);
    expect(read.sum).toBeGreaterThan(1416 * 1960);
  }, 300_000);

  it("bad --shard values, a non-Zarr output and a foreign finalize are one-line errors", async () => {
    const out = join(work, "bad.ome.zarr");
    for (const [value, pattern] of [
      ["4/4", "shard 4 does not exist among 4 shards"],
      ["7/3", "shard 7 does not exist among 3 shards"],
      ["1", '"1" is not a shard'],
      ["a/b", '"a/b" is not a shard'],
      ["0/0", "shard count 0 must be at least 1"],
    ] as const) {
      expectOneLineError(await czmodel("predict", model, image, "-o", out, "--shard", value), ["--shard", pattern]);
    }
    expectOneLineError(await czmodel("predict", model, image, "-o", join(work, "labels.ome.tif"), "--shard", "0/2"), [
      "one writer",
      "*.ome.zarr",
    ]);
    expectOneLineError(await czmodel("finalize", plain), ["not a sharded czmodel output"]);
    expect(await listTree(out)).toBeNull();
  });
});
