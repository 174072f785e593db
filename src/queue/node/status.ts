/**
 * The state of a submitted prediction (Node only): how many of its units are done, running,
 * failed or still waiting, the finalize step's state, and the speed so far (output megapixels
 * per second since the first unit started) with the time left at that speed. A few Redis
 * calls whatever the number of units.
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

/** Units of `job` among `jobs` (active or failed jobs of the whole queue). */
const unitsOf = (jobs: Job[], job: string) => jobs.filter((j) => j.name === "unit" && (j.data as UnitJobData).job === job);

/** At most this many failed jobs of the queue are looked at for a job's failures. */
const FAILED_SCAN = 1000;

/**
 * The status of job `job` on `options.queue`, from counters whose cost does not grow with the
 * number of units: the finalize job's count of processed children (done), the queue's active
 * jobs (running now: at most the workers' concurrency) and its most recent failed jobs. Output
 * megapixels done are estimated as done / total of the job's pixels; the speed counts from the
 * first unit's start.
 */
export async function predictionStatus(job: string, options: { redis: string; queue?: string }): Promise<JobStatus> {
  const queueName = options.queue ?? DEFAULT_QUEUE;
  if (!/^[\w-]+$/.test(job)) throw invalidArgument(`'${job}' is not a job id`, { where: "JOB", allowed: "the id czmodel submit printed" });
  const connection = await connectRedis(options.redis);
  const queue = new Queue(queueName, { connection });
  try {
    const parent = await queue.getJob(job);
    if (parent?.name !== "finalize") throw invalidArgument(`no submitted prediction '${job}' on queue '${queueName}'`, { where: "JOB" });
    const data = parent.data as PredictionJobData;
    const [parentState, deps, active, failed, first] = await Promise.all([
      parent.getState(),
      parent.getDependenciesCount({ processed: true }),
      queue.getActive().then((jobs) => unitsOf(jobs, job)),
      queue.getFailed(0, FAILED_SCAN - 1).then((jobs) => unitsOf(jobs, job)),
      queue.getJob(unitJobId(job, 0)),
    ]);
    const done = parentState === "completed" ? data.units : (deps.processed ?? 0);
    const starts = [first?.processedOn, ...active.map((j) => j.processedOn)].filter((t): t is number => t !== undefined);
    const firstStart = starts.length ? Math.min(...starts) : undefined;
    const elapsed = firstStart === undefined ? 0 : Math.max(1, (parent.finishedOn ?? Date.now()) - firstStart);
    const pixelsDone = (data.pixels * done) / data.units;
    const rate = elapsed > 0 ? pixelsDone / 1e6 / (elapsed / 1000) : 0;
    const left = (data.pixels - pixelsDone) / 1e6;
    const unitError = failed[0] ? `unit ${(failed[0].data as UnitJobData).unit}: ${failed[0].failedReason}` : undefined;
    const error = unitError ?? (parentState === "failed" ? `finalize: ${parent.failedReason}` : undefined);
    return {
      job,
      queue: queueName,
      out: data.out,
      state: overallState(parentState, active.length, done),
      done,
      active: active.length,
      failed: failed.length,
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
