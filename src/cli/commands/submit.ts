/**
 * `czmodel submit MODEL IMAGE -o OUT.ome.zarr --redis URL`: plan a prediction's work units,
 * write the shard state into the OME-Zarr output, and put the units on a BullMQ queue for
 * `czmodel worker` processes on any machine that sees the same files. Prints the job id.
 * See docs/distributed.md.
 */
import type { Command } from "commander";
import { safeUrl } from "../../queue/node/redis.js";
import { submitPrediction } from "../../queue/node/submit.js";
import { OPTION_LIMITS, positiveInt } from "../args.js";
import { addRunOptions, type RunCliOptions, runOptionsFrom } from "../run-options.js";
import { printJson, printLines } from "../output.js";

interface SubmitCliOptions extends RunCliOptions {
  out: string;
  redis: string;
  queue?: string;
  unitSize?: number;
  attempts?: number;
  json?: boolean;
}

export function registerSubmit(program: Command): void {
  const command = program
    .command("submit")
    .description("queue a prediction as work units for `czmodel worker` processes (BullMQ on Redis), into one shared OME-Zarr output")
    .argument("<model>", "the .czann / .czmodel file (every worker must see it under the same absolute path)")
    .argument("<image>", "the input image (same absolute path on every worker)")
    .requiredOption("-o, --out <dir>", "the output OME-Zarr folder (*.ome.zarr) on a file system every worker shares")
    .requiredOption("--redis <url>", "the Redis server, e.g. redis://queue-host:6379")
    .option("--queue <name>", "queue name (default czmodel)")
    .option(
      "--unit-size <px>",
      `work unit edge per plane, rounded to whole tiles (1..${OPTION_LIMITS.unitSize}; default 8192)`,
      positiveInt(OPTION_LIMITS.unitSize),
    )
    .option(
      "--attempts <n>",
      `tries per unit before the job fails (1..${OPTION_LIMITS.attempts}; default 3; retried with backoff)`,
      positiveInt(OPTION_LIMITS.attempts),
    );
  addRunOptions(command, ["labels", "probabilities"], "segmentation: class labels or per-class probabilities")
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
        ...runOptionsFrom(opts),
        blend: "none",
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
