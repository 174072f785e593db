/**
 * `czmodel worker --redis URL`: run queued work units (`czmodel submit`) of any number of
 * predictions until stopped with Ctrl-C or SIGTERM (running units finish first). One line per
 * unit on stderr unless `--quiet`; `--json` prints one JSON object per unit on stdout instead.
 * See docs/distributed.md.
 */
import type { Command } from "commander";
import { safeUrl } from "../../queue/node/redis.js";
import { startWorker, type WorkerStep } from "../../queue/node/worker.js";
import { defaultThreads } from "../../engine/node/session-options.js";
import { OPTION_LIMITS, positiveInt } from "../args.js";

interface WorkerCliOptions {
  redis: string;
  queue?: string;
  concurrency?: number;
  threads?: number;
  quiet?: boolean;
  json?: boolean;
}

const stepText = (s: WorkerStep) => (s.unit === undefined ? `job ${s.job} finalize` : `job ${s.job} unit ${s.unit}`);
const jsonLine = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

const log = (line: string) => process.stderr.write(`${line}\n`);

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run queued prediction units (czmodel submit) until stopped; any number of workers on any machines")
    .requiredOption("--redis <url>", "the Redis server, e.g. redis://queue-host:6379")
    .option("--queue <name>", "queue name (default czmodel)")
    .option(
      "--concurrency <n>",
      `units run at once by this process (1..${OPTION_LIMITS.concurrency}; default 1)`,
      positiveInt(OPTION_LIMITS.concurrency),
    )
    .option(
      "--threads <n>",
      `onnxruntime threads per model session (1..${OPTION_LIMITS.threads}; default: the cores (${defaultThreads()} here) divided by --concurrency)`,
      positiveInt(OPTION_LIMITS.threads),
    )
    .option("--quiet", "print nothing but errors")
    .option("--json", "print one JSON object per finished or failed unit on stdout ({event, job, unit, ms | error})")
    .option("--debug", "show stack traces on errors")
    .addHelpText(
      "after",
      "\nTimings: CZMODEL_QUEUE_LOCK_MS (a unit's lock, default 30000) and CZMODEL_QUEUE_STALLED_MS (stalled check,\n" +
        "default 30000) bound how soon units of a killed worker run again elsewhere.\n" +
        "\nExamples:\n" +
        "  czmodel worker --redis redis://queue:6379\n" +
        "  czmodel worker --redis redis://queue:6379 --concurrency 2 --threads 4",
    )
    .action(async (opts: WorkerCliOptions) => {
      const worker = await startWorker({
        redis: opts.redis,
        ...(opts.queue ? { queue: opts.queue } : {}),
        ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
        ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
        onDone: (step, ms) => {
          if (opts.json) jsonLine({ event: "done", ...step, ms: Math.round(ms) });
          else if (!opts.quiet) log(`${stepText(step)} done in ${(ms / 1000).toFixed(2)} s`);
        },
        onFailed: (step, error) => (opts.json ? jsonLine({ event: "failed", ...step, error }) : log(`${stepText(step)} failed: ${error}`)),
      });
      if (!opts.quiet && !opts.json) log(`worker ready on ${safeUrl(opts.redis)} queue ${opts.queue ?? "czmodel"}`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      if (!opts.quiet && !opts.json) log("stopping: waiting for running units");
      await worker.close();
    });
}
