/**
 * The state of a submitted prediction (Node only): how many of its units are done, running,
 * failed or still waiting, the finalize step's state, and the speed so far (output megapixels
 * per second since the first unit started) with the time left at that speed.
 */
import { type Job, Queue } from "bullmq";
import { invalidArgument } from "../../errors.js";
import { connectRedis, DEFAULT_QUEUE, type PredictionJobData, type UnitJobData, unitJobId } from "./redis.js";

type PredictionState = "waiting" | "active" | "completed" | "failed";

export interface JobStatus {
  job: string;
  queue: string;
  out: string;
  state: PredictionState;
  done: number;
  active: number;
  failed: number;
  total: number;
  megapixels: number;
  /** Output megapixels per second since the first unit started (0 before). */
  megapixelsPerSecond: number;
  /** Milliseconds left at that speed (null when unknown). */
  etaMs: number | null;
  /** The first failure message of a failed unit or finalize step. */
  error?: string;
}

function overallState(parent: string, active: number, done: number): PredictionState {
  if (parent === "completed") return "completed";
  if (parent === "failed") return "failed";
  if (parent === "active" || active > 0 || done > 0) return "active";
  return "waiting";
}

interface Counts {
  done: number;
  active: number;
  failed: number;
  pixelsDone: number;
  firstStart: number | undefined;
  error: string | undefined;
}

async function countUnits(units: (Job | undefined)[]): Promise<Counts> {
  const states = await Promise.all(units.map((u) => u?.getState() ?? "unknown"));
  const counts: Counts = { done: 0, active: 0, failed: 0, pixelsDone: 0, firstStart: undefined, error: undefined };
  for (const [i, state] of states.entries()) {
    const unit = units[i];
    if (unit?.processedOn) counts.firstStart = Math.min(counts.firstStart ?? unit.processedOn, unit.processedOn);
    if (state === "completed") {
      counts.done++;
      counts.pixelsDone += (unit?.data as UnitJobData | undefined)?.pixels ?? 0;
    } else if (state === "active") counts.active++;
    else if (state === "failed") {
      counts.failed++;
      counts.error ??= `unit ${i}: ${unit?.failedReason}`;
    }
  }
  return counts;
}

/** The status of job `job` on `options.queue`. */
export async function predictionStatus(job: string, options: { redis: string; queue?: string }): Promise<JobStatus> {
  const queueName = options.queue ?? DEFAULT_QUEUE;
  if (!/^[\w-]+$/.test(job)) throw invalidArgument(`'${job}' is not a job id`, { where: "JOB", allowed: "the id czmodel submit printed" });
  const connection = await connectRedis(options.redis);
  const queue = new Queue(queueName, { connection });
  try {
    const parent = await queue.getJob(job);
    if (parent?.name !== "finalize") throw invalidArgument(`no submitted prediction '${job}' on queue '${queueName}'`, { where: "JOB" });
    const data = parent.data as PredictionJobData;
    const units = await Promise.all(Array.from({ length: data.units }, (_, i) => queue.getJob(unitJobId(job, i))));
    const parentState = await parent.getState();
    const c = await countUnits(units);
    const elapsed = c.firstStart === undefined ? 0 : Math.max(1, (parent.finishedOn ?? Date.now()) - c.firstStart);
    const rate = elapsed > 0 ? c.pixelsDone / 1e6 / (elapsed / 1000) : 0;
    const left = (data.pixels - c.pixelsDone) / 1e6;
    const error = c.error ?? (parentState === "failed" ? `finalize: ${parent.failedReason}` : undefined);
    return {
      job,
      queue: queueName,
      out: data.out,
      state: overallState(parentState, c.active, c.done),
      done: c.done,
      active: c.active,
      failed: c.failed,
      total: data.units,
      megapixels: data.pixels / 1e6,
      megapixelsPerSecond: rate,
      etaMs: parentState === "completed" ? 0 : rate > 0 ? (left / rate) * 1000 : null,
      ...(error ? { error } : {}),
    };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
