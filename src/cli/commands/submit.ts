/**
 * `czmodel submit MODEL IMAGE -o OUT.ome.zarr --redis URL`: plan a prediction's work units,
 * write the shard state into the OME-Zarr output, and put the units on a BullMQ queue for
 * `czmodel worker` processes on any machine that sees the same files. Prints the job id.
 * See docs/distributed.md.
 */
import { Option, type Command } from "commander";
import { safeUrl } from "../../queue/node/redis.js";
import { submitPrediction } from "../../queue/node/submit.js";
import { intList, numberIn, OPTION_LIMITS, positiveInt } from "../args.js";
import { printJson, printLines } from "../output.js";

interface SubmitCliOptions {
  out: string;
  redis: string;
  queue?: string;
  unitSize?: number;
  attempts?: number;
  output: "labels" | "probabilities";
  minConfidence?: number;
  border?: number[];
  tile?: number[];
  compression: "auto" | "deflate" | "none";
  json?: boolean;
}

export function registerSubmit(program: Command): void {
  program
    .command("submit")
    .description("queue a prediction as work units for `czmodel worker` processes (BullMQ on Redis), into one shared OME-Zarr output")
    .argument("<model>", "the .czann / .czmodel file (every worker must see it under the same absolute path)")
    .argument("<image>", "the input image (same absolute path on every worker)")
    .requiredOption("-o, --out <dir>", "the output OME-Zarr folder (*.ome.zarr) on a file system every worker shares")
    .requiredOption("--redis <url>", "the Redis server, e.g. redis://queue-host:6379")
    .option("--queue <name>", "queue name (default czmodel)")
    .option(
      "--unit-size <px>",
      `work unit edge per plane, rounded to whole chunks (1..${OPTION_LIMITS.unitSize}; default 2048)`,
      positiveInt(OPTION_LIMITS.unitSize),
    )
    .option(
      "--attempts <n>",
      `tries per unit before the job fails (1..${OPTION_LIMITS.attempts}; default 3; retried with backoff)`,
      positiveInt(OPTION_LIMITS.attempts),
    )
    .addOption(
      new Option("--output <what>", "segmentation: class labels or per-class probabilities")
        .choices(["labels", "probabilities"])
        .default("labels"),
    )
    .option("--min-confidence <p>", "labels: pixels whose best class probability is below P get the value 0", numberIn(0, 1))
    .option("--border <n>", "context pixels per tile side", intList("--border", { count: [1, 2, 3] }))
    .option("--tile <h,w>", "tile size for models with dynamic spatial dims", intList("--tile", { min: 1, count: [2, 3] }))
    .addOption(new Option("--compression <mode>", "OME-Zarr chunk compression").choices(["auto", "deflate", "none"]).default("auto"))
    .option("--json", "print the result as JSON")
    .option("--debug", "show stack traces on errors")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  czmodel submit /shared/nuclei.czann /shared/big.czi -o /shared/labels.ome.zarr --redis redis://queue:6379\n" +
        "  czmodel worker --redis redis://queue:6379          # on every machine, as many as you like\n" +
        "  czmodel status <job> --redis redis://queue:6379 --watch",
    )
    .action(async (model: string, image: string, opts: SubmitCliOptions) => {
      const result = await submitPrediction(model, image, opts.out, {
        redis: opts.redis,
        ...(opts.queue ? { queue: opts.queue } : {}),
        ...(opts.unitSize !== undefined ? { unitSize: opts.unitSize } : {}),
        ...(opts.attempts !== undefined ? { attempts: opts.attempts } : {}),
        output: opts.output,
        compression: opts.compression,
        blend: "none",
        rescale: "auto",
        ...(opts.minConfidence !== undefined ? { minConfidence: opts.minConfidence } : {}),
        ...(opts.border ? { border: opts.border.length === 1 ? opts.border[0]! : opts.border } : {}),
        ...(opts.tile ? { tile: opts.tile } : {}),
      });
      if (opts.json) printJson({ ok: true, ...result });
      else
        printLines([
          result.job,
          `  ${result.units} units (${result.megapixels.toFixed(1)} MP) on queue ${result.queue} into ${result.out}`,
          `  run workers: czmodel worker --redis ${safeUrl(opts.redis)}${opts.queue ? ` --queue ${opts.queue}` : ""}`,
        ]);
    });
}
