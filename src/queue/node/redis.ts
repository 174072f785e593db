/**
 * The Redis side of the prediction queue (Node only): connecting with bounded timeouts, the
 * job data a submitted prediction puts on the queue, and the BullMQ timing options.
 *
 * CLI commands (`submit`, `status`) connect without reconnecting: an unreachable or refusing
 * server is one `IO` error within `CONNECT_TIMEOUT_MS`. A worker checks the server the same way
 * at start, then keeps a connection that reconnects forever (a long-running service should
 * survive a Redis restart). Stalled-job recovery timings come from the environment so tests
 * (and impatient clusters) can shorten them: `CZMODEL_QUEUE_LOCK_MS` (a unit's lock, renewed
 * while it runs; default 30000) and `CZMODEL_QUEUE_STALLED_MS` (how often workers look for
 * units whose lock expired, e.g. after `kill -9`; default 30000).
 */
import { Redis, type RedisOptions } from "ioredis";
import { invalidArgument, ioError } from "../../errors.js";
import type { ShardFileOptions } from "../../engine/node/shards.js";

/** Queue name when `--queue` is not given. */
export const DEFAULT_QUEUE = "czmodel";

/** How long one connection attempt may take. */
const CONNECT_TIMEOUT_MS = 5000;

/** The options of a unit run that travel in the job (no callbacks, no per-machine settings). */
export type QueuedOptions = Omit<ShardFileOptions, "onUnit" | "threads" | "sessionOptions" | "creator">;

/** Data of the finalize (parent) job; its children are the units. */
export interface PredictionJobData {
  /** Absolute paths, as every worker must see them (a shared file system). */
  model: string;
  image: string;
  out: string;
  /** SHA-256 of the model file: a worker with another file under that path refuses. */
  modelSha256: string;
  options: QueuedOptions;
  units: number;
  /** Output pixels of the whole prediction (all planes), for MP/s and ETA. */
  pixels: number;
}

/** Data of one unit job. */
export interface UnitJobData extends Omit<PredictionJobData, "units" | "pixels"> {
  job: string;
  unit: number;
  /** Output pixels this unit writes (all its planes). */
  pixels: number;
}

/** The id of unit `index` of job `job` (BullMQ ids may not contain ':'). */
export const unitJobId = (job: string, index: number) => `${job}-u${index}`;

/** `redis://user:secret@host` → `redis://user:***@host`, for messages. */
export function safeUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:/@]*:)[^@]*@/, "$1***@");
}

function redisOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidArgument(`'${safeUrl(url)}' is not a URL`, { where: "--redis", allowed: "redis://HOST:PORT or rediss://HOST:PORT" });
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw invalidArgument(`'${parsed.protocol}' is not a Redis URL scheme`, {
      where: "--redis",
      allowed: "redis://HOST:PORT or rediss://HOST:PORT",
    });
  }
  return { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS };
}

/**
 * Connect to `url` once, without reconnecting; an unreachable server is an `IO` error (within
 * about `CONNECT_TIMEOUT_MS`). `reconnect` returns a client that afterwards reconnects forever
 * and never fails a command for want of a connection (what BullMQ workers need).
 */
export async function connectRedis(url: string, opts: { reconnect?: boolean } = {}): Promise<Redis> {
  const base = redisOptions(url);
  const probe = new Redis(url, { ...base, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let lastError: unknown;
  probe.on("error", (e: unknown) => {
    lastError = e;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    // disconnecting a client whose socket already closed leaves a 2 s timer that delays exit
    if (probe.status !== "end") probe.disconnect();
    const reason = describe(lastError ?? e);
    throw ioError(`cannot reach Redis: ${reason}`, { where: safeUrl(url), cause: lastError ?? e });
  }
  if (!opts.reconnect) {
    probe.on("error", () => undefined);
    return probe;
  }
  probe.disconnect();
  const client = new Redis(url, { ...base, lazyConnect: false, maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 500, 5000) });
  client.on("error", () => undefined);
  return client;
}

function describe(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err?.code ? `${err.code} ${err.message ?? ""}`.trim() : String(err?.message ?? e);
}

function envMs(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 100) throw invalidArgument(`'${raw}' is not a whole number of milliseconds >= 100`, { where: name });
  return n;
}

/** BullMQ worker timings: lock duration and stalled-check interval (see the module comment). */
export function stallOptions(): { lockDuration: number; stalledInterval: number; maxStalledCount: number } {
  return {
    lockDuration: envMs("CZMODEL_QUEUE_LOCK_MS", 30_000),
    stalledInterval: envMs("CZMODEL_QUEUE_STALLED_MS", 30_000),
    maxStalledCount: 2,
  };
}
