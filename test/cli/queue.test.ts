/**
 * `czmodel submit` / `worker` / `status` against a real redis-server (test/helpers/redis.ts)
 * on the nuclei model and image (1960×1416, 2×2 tiles of 1024², one tile per unit: 4 units): two worker processes
 * give an OME-Zarr byte for byte equal to a plain `predict`; a worker killed with SIGKILL
 * mid-unit loses nothing (its unit's lock expires and the other worker runs it again); a Redis
 * restarted mid-job (append-only file on) is reconnected to and the job completes; a
 * worker seeing another model file fails the unit and writes nothing; an unreachable Redis
 * and a tiled output are one-line errors, fast.
 */
import type { ChildProcess } from "node:child_process";
import { appendFile, copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testdata } from "../helpers/paths.js";
import { freePort, startRedis, type TestRedis } from "../helpers/redis.js";
import { czmodel, expectOneLineError, listTree, parseJson, scratchDir, spawnBin } from "./helpers.js";

const model = testdata("models", "simple_nuclei_segmodel.czann");
const image = testdata("images", "nuclei_0000.png");
/** Short locks so a killed worker's unit is taken up again within a few seconds. */
const FAST = { CZMODEL_QUEUE_LOCK_MS: "2000", CZMODEL_QUEUE_STALLED_MS: "1000" };

interface Status {
  state: string;
  done: number;
  active: number;
  failed: number;
  total: number;
  error?: string;
}

describe("queued prediction on a real Redis", () => {
  let redis: TestRedis;
  let work: string;
  let plain: string;
  const workers: { child: ChildProcess; log: string[] }[] = [];

  const worker = () => {
    const child = spawnBin("czmodel", ["worker", "--redis", redis.url, "--threads", "1"], FAST);
    const entry = { child, log: [] as string[] };
    child.stderr?.on("data", (d: Buffer) => entry.log.push(d.toString()));
    workers.push(entry);
    return entry;
  };
  const status = async (job: string) => parseJson<Status>(await czmodel("status", job, "--redis", redis.url, "--json"));
  const submit = async (out: string, ...more: string[]) => {
    const r = await czmodel("submit", model, image, "-o", out, "--redis", redis.url, "--unit-size", "1024", "--json", ...more);
    return parseJson<{ job: string; units: number }>(r);
  };
  const until = async (job: string, done: (s: Status) => boolean, ms = 40_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const s = await status(job);
      if (done(s)) return s;
      if (Date.now() > end)
        throw new Error(`job ${job} still ${JSON.stringify(s)}; workers:\n${workers.map((w) => w.log.join("")).join("\n")}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const expectSameAsPlain = async (out: string) => {
    const files = ((await listTree(out)) ?? []).filter((f) => !f.startsWith(".czmodel-shards"));
    expect(files).toEqual(await listTree(plain));
    for (const f of files.filter((name) => !name.endsWith("/")))
      expect(Buffer.compare(await readFile(join(out, f)), await readFile(join(plain, f))), f).toBe(0);
  };

  beforeAll(async () => {
    redis = await startRedis();
    work = await scratchDir("cli-queue-");
    plain = join(work, "plain.ome.zarr");
    const r = await czmodel("predict", model, image, "-o", plain, "--quiet");
    expect(r.status, r.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    await redis?.stop();
  });

  it("two workers run the 4 units; status ends completed; the output equals plain predict chunk for chunk", async () => {
    const out = join(work, "two.ome.zarr");
    const submitted = await submit(out);
    expect(submitted.units).toBe(4);
    expect(await status(submitted.job)).toMatchObject({ state: "waiting", done: 0, active: 0, failed: 0, total: 4 });
    worker();
    worker();
    const s = await until(submitted.job, (x) => x.state === "completed" || x.state === "failed");
    expect(s).toMatchObject({ state: "completed", done: 4, active: 0, failed: 0, total: 4 });
    await expectSameAsPlain(out);
  }, 60_000);

  it("a worker killed with SIGKILL mid-unit: its unit runs again elsewhere and the output is the same", async () => {
    for (const w of workers.splice(0)) w.child.kill("SIGTERM");
    const out = join(work, "killed.ome.zarr");
    const { job } = await submit(out);
    const victim = worker();
    await until(job, (x) => x.active > 0);
    victim.child.kill("SIGKILL");
    worker();
    const s = await until(job, (x) => x.state === "completed" || x.state === "failed");
    expect(s).toMatchObject({ state: "completed", done: 4, failed: 0 });
    await expectSameAsPlain(out);
    const queue = new Queue("czmodel", { connection: { url: redis.url } });
    try {
      const units = await Promise.all(Array.from({ length: 4 }, (_, i) => queue.getJob(`${job}-u${i}`)));
      expect(units.some((u) => (u?.attemptsStarted ?? 0) > 1)).toBe(true);
    } finally {
      await queue.close();
    }
  }, 60_000);

  it("Redis restarted mid-job (append-only file on): the workers reconnect and the job completes with the same bytes", async () => {
    for (const w of workers.splice(0)) w.child.kill("SIGKILL");
    const out = join(work, "restarted.ome.zarr");
    const { job } = await submit(out);
    worker();
    worker();
    await until(job, (x) => x.done >= 1);
    await redis.restart();
    const s = await until(job, (x) => x.state === "completed" || x.state === "failed");
    expect(s).toMatchObject({ state: "completed", done: 4, active: 0, failed: 0, total: 4 });
    await expectSameAsPlain(out);
  }, 60_000);

  it("a worker that sees another model file fails the unit in one line and writes no chunk", async () => {
    for (const w of workers.splice(0)) w.child.kill("SIGKILL"); // no worker may take a unit before the file changes
    const copy = join(work, "model-copy.czann");
    await copyFile(model, copy);
    const out = join(work, "other-model.ome.zarr");
    const r = await czmodel("submit", copy, image, "-o", out, "--redis", redis.url, "--unit-size", "1024", "--attempts", "1", "--json");
    const { job } = parseJson<{ job: string }>(r);
    await appendFile(copy, Buffer.from([0]));
    worker();
    const s = await until(job, (x) => x.state === "failed");
    expect(s.error).toMatch(/model-copy\.czann: the model file on this machine is not the submitted one/);
    expect(((await listTree(out)) ?? []).filter((f) => !f.startsWith(".czmodel-shards"))).toEqual([]);
  }, 30_000);

  it("an unreachable Redis is one line and exit 2 within seconds; a tiled output is refused before connecting", async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    for (const args of [["submit", model, image, "-o", join(work, "x.ome.zarr")], ["status", "some-job"], ["worker"]]) {
      expectOneLineError(await czmodel(...args, "--redis", dead), ["cannot reach Redis", "ECONNREFUSED"]);
    }
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await listTree(join(work, "x.ome.zarr"))).toBeNull();
    const tiff = await czmodel("submit", model, image, "-o", join(work, "x.ome.tiff"), "--redis", dead);
    expectOneLineError(tiff, ["one writer", "*.ome.zarr"]);
  });
});
