/**
 * Submitting a prediction to the queue (Node only): plan the work units and write the shard
 * state into the OME-Zarr output (`engine/node/shards.ts`), then add one BullMQ flow whose
 * children are the units and whose parent, run once every unit is done, finalizes the output.
 * Paths are stored absolute and the model file's SHA-256 with them, so a worker that sees
 * another file refuses. See docs/distributed.md.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { FlowProducer } from "bullmq";
import { invalidArgument, ioError } from "../../errors.js";
import { checkShardOutput, startShardOutput } from "../../engine/node/shards.js";
import { allUnits, type WorkUnit } from "../../engine/units.js";
import { connectRedis, DEFAULT_QUEUE, type PredictionJobData, type QueuedOptions, type UnitJobData, unitJobId } from "./redis.js";

export interface SubmitOptions extends QueuedOptions {
  redis: string;
  queue?: string;
  /** Tries per unit (and for the finalize step), with exponential backoff from 1 s. */
  attempts?: number;
}

export interface SubmitResult {
  job: string;
  queue: string;
  units: number;
  out: string;
  megapixels: number;
}

/** SHA-256 (hex) of a file, streamed. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (e) {
    throw ioError(`cannot read the model file: ${(e as Error).message}`, { where: path, cause: e });
  }
  return hash.digest("hex");
}

/** Output pixels of a unit: its tiles' centres, times its planes. */
const unitPixels = (unit: WorkUnit) => unit.out.width * unit.out.height * unit.outPlanes.length;

/** Plan, write the shard state, and enqueue the units and their finalize step as one flow. */
export async function submitPrediction(
  modelPath: string,
  imagePath: string,
  outPath: string,
  options: SubmitOptions,
): Promise<SubmitResult> {
  const { redis, queue = DEFAULT_QUEUE, attempts = 3, ...queued } = options;
  if (!Number.isInteger(attempts) || attempts < 1) throw invalidArgument(`${attempts} is not an integer >= 1`, { where: "--attempts" });
  const paths = { model: resolve(modelPath), image: resolve(imagePath), out: resolve(outPath) };
  const modelSha256 = await fileSha256(paths.model);
  checkShardOutput(outPath);
  const connection = await connectRedis(redis);
  try {
    const state = await startShardOutput(paths.model, paths.image, paths.out, queued);
    const job = randomUUID();
    const base = { ...paths, modelSha256, options: queued };
    const units = allUnits(state.plan, state.units);
    const children = units.map((unit) => {
      const data: UnitJobData = { ...base, job, unit: unit.index, pixels: unitPixels(unit) };
      return {
        name: "unit",
        queueName: queue,
        data,
        opts: { jobId: unitJobId(job, unit.index), attempts, backoff: { type: "exponential", delay: 1000 }, failParentOnFailure: true },
      };
    });
    const pixels = children.reduce((sum, c) => sum + c.data.pixels, 0);
    const data: PredictionJobData = { ...base, units: units.length, pixels };
    const flow = new FlowProducer({ connection });
    try {
      await flow.add({ name: "finalize", queueName: queue, data, opts: { jobId: job, attempts }, children });
    } finally {
      await flow.close();
    }
    return { job, queue, units: units.length, out: paths.out, megapixels: pixels / 1e6 };
  } finally {
    connection.disconnect();
  }
}
