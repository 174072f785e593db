/**
 * `npm run bench:distributed [-- --size 16384] [--repeat 3] [--unit-size 8192] [--threads N] [--concurrency N] [--json]`
 *
 * What the queue costs, measured side by side on one machine with the real nuclei model and a
 * mirror-tiled uint16 BigTIFF (`bench/queue-runs.ts`; needs `redis-server`, started on a free
 * loopback port):
 * - plain `czmodel predict -o OUT.ome.zarr --threads T` against `submit` + 1 `worker --threads
 *   T --concurrency C` (T = all cores, C = 1 by default); ratio = plain seconds / queued
 *   seconds (target >= 0.95);
 * - T workers with `--threads 1` each against 1 worker with `--threads T`;
 * - Redis commands per unit (Redis's own `INFO commandstats`, before and after one queued run,
 *   idle workers' blocking polls included) and the output files and bytes per unit: the
 *   per-unit costs the paper plan in docs/distributed.md scales up.
 * Every run starts its processes afresh. Plain predict is timed from its process start; the
 * queue side from the submit, with its workers already started and connected (as they are in
 * a deployment), so model loading counts on both sides;
 * the sides are interleaved `--repeat` times and medians of wall and CPU seconds (every
 * process of a side, all threads: `peak-rss.mjs`) are printed; CPU time shows the work a side
 * does even when the machine is shared and wall time drifts. Per-run lines go to
 * stderr, the table (and `--json`) to stdout.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startRedis, type TestRedis } from "../test/helpers/redis.js";
import {
  compareOutputs,
  listFiles,
  makeImage,
  median,
  plainPredict,
  queuedPredict,
  redisCommandCounts,
  type Timing,
} from "./queue-runs.js";

function usage(message: string): never {
  console.error(`bench/distributed.ts: ${message}`);
  console.error("usage: bench/distributed.ts [--size 16384] [--repeat 3] [--unit-size 8192] [--threads N] [--concurrency N] [--json]");
  process.exit(2);
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) usage(`${name}: "${text}" is not a positive whole number`);
  return n;
}

function parseOptions() {
  try {
    const { values } = parseArgs({
      options: {
        size: { type: "string", default: "16384" },
        repeat: { type: "string", default: "3" },
        "unit-size": { type: "string", default: "8192" },
        threads: { type: "string", default: String(availableParallelism()) },
        concurrency: { type: "string", default: "1" },
        json: { type: "boolean", default: false },
      },
    });
    return {
      size: positiveInt("--size", values.size),
      repeat: positiveInt("--repeat", values.repeat),
      unitSize: positiveInt("--unit-size", values["unit-size"]),
      threads: positiveInt("--threads", values.threads),
      concurrency: positiveInt("--concurrency", values.concurrency),
      json: values.json,
    };
  } catch (e) {
    usage((e as Error).message);
  }
}

type Side = "plain" | "queue1" | "queueSplit";

/** One interleaved round: every side once, each into a fresh output folder. */
async function round(redis: TestRedis, image: string, dir: string, i: number): Promise<Record<Side, Timing>> {
  const { threads, unitSize } = options;
  const out = (name: string) => join(dir, `${name}-${i}.ome.zarr`);
  const plain = await plainPredict(image, out("plain"), threads);
  const queue1 = await queuedPredict(redis.url, image, out("queue1"), { workers: 1, threads, unitSize, concurrency: options.concurrency });
  const split = await queuedPredict(redis.url, image, out("split"), { workers: threads, threads: 1, unitSize });
  for (const name of ["queue1", "split"]) {
    const diff = await compareOutputs(out("plain"), out(name));
    if (diff.length) throw new Error(`${name} output differs from plain predict: ${diff.slice(0, 5).join(", ")}`);
  }
  const t = (r: Timing) => `${r.seconds.toFixed(2)} s (CPU ${r.cpu.toFixed(1)} s)`;
  console.error(
    `run ${i + 1}/${options.repeat}: plain ${t(plain)}, 1 worker × ${threads} threads ${t(queue1)}, ` +
      `${threads} workers × 1 thread ${t(split)} (${queue1.units} units, outputs identical)`,
  );
  for (const name of ["plain", "queue1", "split"]) await rm(out(name), { recursive: true, force: true });
  return { plain, queue1, queueSplit: split };
}

/** Redis commands, output files and bytes per unit, from one more queued run. */
async function perUnitCosts(redis: TestRedis, image: string, dir: string) {
  const out = join(dir, "counted.ome.zarr");
  const before = await redisCommandCounts(redis.url);
  const run = await queuedPredict(redis.url, image, out, { workers: 1, threads: options.threads, unitSize: options.unitSize });
  const after = await redisCommandCounts(redis.url);
  const byCommand = [...after].map(([name, n]) => [name, n - (before.get(name) ?? 0)] as const).filter(([, n]) => n > 0);
  byCommand.sort((a, b) => b[1] - a[1]);
  const total = byCommand.reduce((sum, [, n]) => sum + n, 0) - 1; // less the INFO call that read "after"
  const files = (await listFiles(out)).filter((f) => /^0\/\d/.test(f));
  let bytes = 0;
  for (const f of files) bytes += (await stat(join(out, f))).size;
  return {
    units: run.units,
    redisCommandsPerUnit: total / run.units,
    topCommands: Object.fromEntries(byCommand.slice(0, 8).map(([name, n]) => [name, +(n / run.units).toFixed(1)])),
    chunkFilesPerUnit: files.length / run.units,
    chunkBytesPerUnit: Math.round(bytes / run.units),
  };
}

const options = parseOptions();

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "czmodel-bench-distributed-"));
  const redis = await startRedis();
  try {
    console.error(`building a ${options.size}² uint16 BigTIFF …`);
    const image = await makeImage(dir, options.size);
    const rounds: Record<Side, Timing>[] = [];
    for (let i = 0; i < options.repeat; i++) rounds.push(await round(redis, image, dir, i));
    const med = (side: Side) => median(rounds.map((r) => r[side].seconds));
    const cpu = (side: Side) => median(rounds.map((r) => r[side].cpu));
    const mp = (options.size * options.size) / 1e6;
    const costs = await perUnitCosts(redis, image, dir);
    const result = {
      size: options.size,
      unitSize: options.unitSize,
      threads: options.threads,
      repeat: options.repeat,
      plainSeconds: med("plain"),
      queue1Seconds: med("queue1"),
      queueSplitSeconds: med("queueSplit"),
      plainCpuSeconds: cpu("plain"),
      queue1CpuSeconds: cpu("queue1"),
      queueSplitCpuSeconds: cpu("queueSplit"),
      plainMPperS: mp / med("plain"),
      queue1MPperS: mp / med("queue1"),
      queueVsPlain: med("plain") / med("queue1"),
      splitVsThreads: med("queue1") / med("queueSplit"),
      queueVsPlainCpu: cpu("plain") / cpu("queue1"),
      ...costs,
    };
    printTable(result);
    if (options.json) console.log(JSON.stringify(result, null, 2));
  } finally {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function printTable(r: Record<string, unknown> & { [k: string]: unknown }): void {
  const n = (v: unknown, digits = 2) => (typeof v === "number" ? v.toFixed(digits) : String(v));
  console.log(`image ${r.size}² uint16, units of ${r.unitSize}² (${r.units} units), T = ${r.threads} threads, median of ${r.repeat}`);
  console.log(`plain predict                 ${n(r.plainSeconds)} s  ${n(r.plainMPperS, 1)} MP/s  CPU ${n(r.plainCpuSeconds, 1)} s`);
  console.log(`submit + 1 worker × T threads ${n(r.queue1Seconds)} s  ${n(r.queue1MPperS, 1)} MP/s  CPU ${n(r.queue1CpuSeconds, 1)} s`);
  console.log(`submit + T workers × 1 thread ${n(r.queueSplitSeconds)} s  CPU ${n(r.queueSplitCpuSeconds, 1)} s`);
  console.log(`queue / plain throughput      ${n(r.queueVsPlain, 3)}  (target >= 0.95); by CPU time ${n(r.queueVsPlainCpu, 3)}`);
  console.log(`T×1 / 1×T throughput          ${n(r.splitVsThreads, 3)}`);
  console.log(`Redis commands per unit       ${n(r.redisCommandsPerUnit, 1)}  ${JSON.stringify(r.topCommands)}`);
  console.log(`chunk files, bytes per unit   ${n(r.chunkFilesPerUnit, 1)}, ${r.chunkBytesPerUnit}`);
}

await main();
