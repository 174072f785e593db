/**
 * Shared pieces of the distributed benchmark and acceptance run: the real nuclei model and a
 * mirror-tiled uint16 BigTIFF of any size, a plain `czmodel predict` to OME-Zarr, a queued run
 * (`submit` plus N `worker` processes on a real redis-server from test/helpers/redis.ts), the
 * Redis command counters, and a byte-for-byte comparison of two OME-Zarr folders.
 *
 * A queued run is timed from the moment its workers and its submit are started until the
 * output's root `.zattrs` exists (finalize writes it last), so it pays the same process start
 * and model load as a plain predict and is watched without any Redis calls of its own.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { access, readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { makeBigTiffFromImage } from "../src/io/tiff/node/make-big-tiff.js";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const shared = join(root, "..", "shared", "testdata");
export const model = join(shared, "models", "simple_nuclei_segmodel.czann");
const bin = join(root, "bin", "czmodel.js");
/** Node arguments that make a CLI process report its CPU time and peak RSS on exit (`peak-rss.mjs`). */
const measured = ["--import", join(root, "bench", "peak-rss.mjs")];

/** CPU seconds a measured process reported on stderr (0 when it did not). */
const cpuSeconds = (stderr: string) => Number(/cpu-ms (\d+)/.exec(stderr)?.[1] ?? 0) / 1000;

/** A size² uint16 tiled BigTIFF (512² tiles, deflate level 1) built from the nuclei image. */
export async function makeImage(dir: string, size: number): Promise<string> {
  const path = join(dir, `nuclei-${size}.ome.tiff`);
  await makeBigTiffFromImage(join(shared, "images", "nuclei_0000.png"), path, { width: size, height: size });
  return path;
}

/** Run the CLI to completion, measured; throws with its stderr on a non-zero exit. */
async function czmodel(...args: string[]): Promise<{ stdout: string; cpu: number }> {
  const { stdout, stderr } = await exec(process.execPath, [...measured, bin, ...args], { cwd: root, maxBuffer: 64 << 20 });
  return { stdout, cpu: cpuSeconds(stderr) };
}

/** Wall and CPU seconds of a run (CPU: every process of it, all threads). */
export interface Timing {
  seconds: number;
  cpu: number;
}

/** A plain single-process predict to OME-Zarr, process start included. */
export async function plainPredict(image: string, out: string, threads: number): Promise<Timing> {
  const start = performance.now();
  const { cpu } = await czmodel("predict", model, image, "-o", out, "--threads", String(threads), "--quiet");
  return { seconds: (performance.now() - start) / 1000, cpu };
}

/** A worker process with its stderr kept for the error message of a failed run. */
export interface WorkerProcess {
  child: ChildProcess;
  log: string[];
}

export function startWorker(redisUrl: string, threads: number, env: Record<string, string> = {}, concurrency = 1): WorkerProcess {
  const args = ["worker", "--redis", redisUrl, "--threads", String(threads), "--concurrency", String(concurrency)];
  const child = spawn(process.execPath, [...measured, bin, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const log: string[] = [];
  child.stderr?.on("data", (d: Buffer) => log.push(d.toString()));
  return { child, log };
}

/** Stop the workers (SIGTERM: they finish and exit); returns the CPU seconds they used. */
export async function stopWorkers(workers: WorkerProcess[]): Promise<number> {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
          w.child.once("exit", () => resolve());
          w.child.kill("SIGTERM");
        }),
    ),
  );
  return workers.reduce((sum, w) => sum + cpuSeconds(w.log.join("")), 0);
}

/** Wait until the output's root `.zattrs` exists (the job is finalized), polling the file system. */
export async function untilFinalized(out: string, workers: WorkerProcess[], limitS = 3600): Promise<void> {
  const end = Date.now() + limitS * 1000;
  for (;;) {
    if (
      await access(join(out, ".zattrs")).then(
        () => true,
        () => false,
      )
    )
      return;
    if (workers.every((w) => w.child.exitCode !== null || w.child.signalCode !== null) || Date.now() > end)
      throw new Error(`${out} was not finalized; workers:\n${workers.map((w) => w.log.join("")).join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface QueuedRun extends Timing {
  job: string;
  units: number;
}

/** Resolves once every worker has said `worker ready` (connected, waiting for units). */
async function untilReady(workers: WorkerProcess[]): Promise<void> {
  for (;;) {
    if (workers.every((w) => w.log.join("").includes("worker ready"))) return;
    if (workers.some((w) => w.child.exitCode !== null))
      throw new Error(`a worker exited:\n${workers.map((w) => w.log.join("")).join("\n")}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Submit the image and run it with `workers` worker processes of `threads` threads each. The
 * workers are started and connected first, as they are in a deployment (long-lived, waiting
 * for work); the time runs from the submit to the finalized output, so it includes the
 * submit, loading the model in each worker and every unit.
 */
export async function queuedPredict(
  redisUrl: string,
  image: string,
  out: string,
  options: { workers: number; threads: number; unitSize: number; concurrency?: number },
): Promise<QueuedRun> {
  const workers = Array.from({ length: options.workers }, () => startWorker(redisUrl, options.threads, {}, options.concurrency));
  await untilReady(workers);
  const start = performance.now();
  let run: Omit<QueuedRun, "cpu"> & { submitCpu: number };
  try {
    const args = ["submit", model, image, "-o", out, "--redis", redisUrl, "--unit-size", String(options.unitSize), "--json"];
    const submitted = await czmodel(...args);
    const { job, units } = JSON.parse(submitted.stdout) as { job: string; units: number };
    await untilFinalized(out, workers);
    run = { seconds: (performance.now() - start) / 1000, job, units, submitCpu: submitted.cpu };
  } catch (e) {
    await stopWorkers(workers);
    throw e;
  }
  const workerCpu = await stopWorkers(workers);
  const { submitCpu, ...rest } = run;
  return { ...rest, cpu: submitCpu + workerCpu };
}

/** Redis's own counters: commands processed in all and per command name. */
export async function redisCommandCounts(redisUrl: string): Promise<Map<string, number>> {
  const client = new Redis(redisUrl, { lazyConnect: true });
  try {
    await client.connect();
    const info = await client.info("commandstats");
    const counts = new Map<string, number>();
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts.set(m[1] as string, Number(m[2]));
    return counts;
  } finally {
    client.disconnect();
  }
}

/** Every file below `dir`, relative, sorted (the folder's layout). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Differences between two OME-Zarr outputs, ignoring the shard state folder: [] when equal byte for byte. */
export async function compareOutputs(expected: string, actual: string): Promise<string[]> {
  const ours = (await listFiles(actual)).filter((f) => !f.startsWith(".czmodel-shards/"));
  const theirs = await listFiles(expected);
  if (ours.join("\n") !== theirs.join("\n")) return [`file lists differ: ${ours.length} vs ${theirs.length} files`];
  const differing: string[] = [];
  for (const f of theirs) {
    const [a, b] = await Promise.all([readFile(join(expected, f)), readFile(join(actual, f))]);
    if (Buffer.compare(a, b) !== 0) differing.push(f);
  }
  return differing;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
