/**
 * A queue worker (Node only): runs the units of any number of submitted predictions, and each
 * prediction's finalize step once all its units are done. The opened model session is kept
 * between units of the same model (by model path and file SHA-256). Before a unit runs, the
 * worker hashes the model file (again only when its size, times or inode changed) and
 * compares it with the submitted hash, and plans the unit
 * itself and compares the plan with the stored shard state: a worker that cannot read the
 * files, or sees another model, fails the unit in one line and writes nothing. Failed units
 * are retried by BullMQ with backoff; a unit whose worker died (its lock expired) is taken up
 * again by another worker's stalled check (timings in `redis.ts`).
 */
import { stat } from "node:fs/promises";
import { type Job, Worker } from "bullmq";
import { invalidArgument } from "../../errors.js";
import { defaultThreads } from "../../engine/node/session-options.js";
import { finalizeShards, type LoadedModel, loadShardModel, runShardUnit } from "../../engine/node/shards.js";
import { connectRedis, DEFAULT_QUEUE, type PredictionJobData, stallOptions, type UnitJobData } from "./redis.js";
import { fileSha256 } from "./submit.js";

export interface WorkerOptions {
  redis: string;
  queue?: string;
  /** Units run at once by this process (default 1). */
  concurrency?: number;
  /** onnxruntime intra-op threads per session (default: the cores divided by `concurrency`). */
  threads?: number;
  /** Called after each unit or finalize step, with the time it took. */
  onDone?: (step: WorkerStep, ms: number) => void;
  /** Called when a unit or finalize step fails (it may be retried). */
  onFailed?: (step: WorkerStep, message: string) => void;
}

/** A unit (`unit` set) or the finalize step of job `job`. */
export interface WorkerStep {
  job: string;
  unit?: number;
}

export interface RunningWorker {
  /** Stop taking units, wait for the running ones, and close the sessions. */
  close(): Promise<void>;
}

/** Sessions kept open at most, besides those in use (each holds a model's weights and onnxruntime's arena). */
const KEPT_SESSIONS = 2;

interface CachedSession {
  loaded: Promise<LoadedModel>;
  /** Units running with it now. */
  users: number;
  lastUsed: number;
}

/**
 * Opened model sessions by model path and SHA-256, so consecutive units of one model skip
 * reading it and starting onnxruntime. At most `KEPT_SESSIONS` idle sessions stay open: a
 * worker serving many jobs with different models closes the least recently used one.
 */
class SessionCache {
  private readonly sessions = new Map<string, CachedSession>();
  constructor(private readonly threads: number | undefined) {}

  /** Run `use` with the session of this model, opening it if needed. */
  async with<T>(path: string, sha256: string, use: (loaded: LoadedModel) => Promise<T>): Promise<T> {
    const key = `${path}\0${sha256}`;
    let entry = this.sessions.get(key);
    if (!entry) {
      const loaded = loadShardModel(path, this.threads !== undefined ? { threads: this.threads } : {});
      loaded.catch(() => this.sessions.delete(key));
      entry = { loaded, users: 0, lastUsed: 0 };
      this.sessions.set(key, entry);
    }
    entry.users++;
    try {
      return await use(await entry.loaded);
    } finally {
      entry.users--;
      entry.lastUsed = performance.now();
      await this.evict();
    }
  }

  /** Close idle sessions beyond `KEPT_SESSIONS`, least recently used first. */
  private async evict(): Promise<void> {
    const idle = [...this.sessions].filter(([, e]) => e.users === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, e] of idle.slice(0, Math.max(0, this.sessions.size - KEPT_SESSIONS))) {
      this.sessions.delete(key);
      await release(e);
    }
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const e of all) await release(e);
  }
}

async function release(e: CachedSession): Promise<void> {
  const loaded = await e.loaded.catch(() => undefined);
  await loaded?.session.release().catch(() => undefined);
}

/**
 * SHA-256 of model files, hashed again only when a file's size, modification time or inode
 * changes: hashing a 1 GB model before every unit would cost seconds per unit.
 */
class ModelHashes {
  private readonly known = new Map<string, { stamp: string; sha256: string }>();

  async of(path: string): Promise<string> {
    const s = await stat(path).catch(() => undefined);
    const stamp = s ? `${s.size}:${s.mtimeMs}:${s.ino}:${s.ctimeMs}` : "";
    const known = this.known.get(path);
    if (known && s && known.stamp === stamp) return known.sha256;
    const sha256 = await fileSha256(path);
    if (s) this.known.set(path, { stamp, sha256 });
    return sha256;
  }
}

async function runUnitJob(data: UnitJobData, sessions: SessionCache, hashes: ModelHashes, threads: number | undefined): Promise<void> {
  const sha256 = await hashes.of(data.model);
  if (sha256 !== data.modelSha256) {
    throw invalidArgument(
      `the model file on this machine is not the submitted one (SHA-256 ${sha256.slice(0, 12)}…, submitted ${data.modelSha256.slice(0, 12)}…)`,
      {
        where: data.model,
      },
    );
  }
  const options = { ...data.options, ...(threads !== undefined ? { threads } : {}) };
  await sessions.with(data.model, sha256, (loaded) => runShardUnit(loaded, data, data.unit, options));
}

/** Start a worker on `options.queue`; it runs until `close()`. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { redis, queue = DEFAULT_QUEUE, concurrency = 1 } = options;
  // concurrent units share the cores rather than each asking for all of them
  const threads = options.threads ?? Math.max(1, Math.floor(defaultThreads() / concurrency));
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw invalidArgument(`${concurrency} is not an integer >= 1`, { where: "--concurrency" });
  const stall = stallOptions();
  const connection = await connectRedis(redis, { reconnect: true });
  const sessions = new SessionCache(threads);
  const hashes = new ModelHashes();
  const describeJob = (job: Job): WorkerStep =>
    job.name === "unit" ? { job: (job.data as UnitJobData).job, unit: (job.data as UnitJobData).unit } : { job: String(job.id) };
  const worker = new Worker(
    queue,
    async (job: Job) => {
      const started = performance.now();
      if (job.name === "unit") await runUnitJob(job.data as UnitJobData, sessions, hashes, threads);
      else await finalizeShards((job.data as PredictionJobData).out);
      options.onDone?.(describeJob(job), performance.now() - started);
    },
    { connection, concurrency, ...stall },
  );
  worker.on("failed", (job, e) => {
    if (job) options.onFailed?.(describeJob(job), e.message);
  });
  worker.on("error", () => undefined);
  await worker.waitUntilReady();
  return {
    close: async () => {
      await worker.close();
      await sessions.close();
      connection.disconnect();
    },
  };
}
