/**
 * `czmodel status JOB --redis URL`: units done / active / failed of a submitted prediction,
 * its speed and time left; `--watch` repeats every 2 s until the job completes or fails (a
 * progress bar of units on a terminal, one line per poll otherwise).
 * See docs/distributed.md.
 */
import type { Command } from "commander";
import { type JobStatus, predictionStatus } from "../../queue/node/status.js";
import { printJson, printLines } from "../output.js";
import { createProgress, formatDuration } from "../progress.js";
import { ExitStatus } from "../run.js";

interface StatusCliOptions {
  redis: string;
  queue?: string;
  watch?: boolean;
  json?: boolean;
}

function statusText(s: JobStatus): string[] {
  const eta = s.etaMs === null ? "?" : formatDuration(s.etaMs);
  const lines = [
    `${s.job}: ${s.state}, ${s.done}/${s.total} units done, ${s.active} active, ${s.failed} failed; ${s.megapixelsPerSecond.toFixed(2)} MP/s, ETA ${eta}`,
  ];
  if (s.error) lines.push(`  ${s.error}`);
  return lines;
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("show how far a submitted prediction (czmodel submit) is: units done / active / failed, MP/s, ETA")
    .argument("<job>", "the job id czmodel submit printed")
    .requiredOption("--redis <url>", "the Redis server, e.g. redis://queue-host:6379")
    .option("--queue <name>", "queue name (default czmodel)")
    .option("--watch", "repeat every 2 s until the job completes or fails (exit 1 if it fails)")
    .option("--json", "print the status as JSON (with --watch: one object per line)")
    .option("--debug", "show stack traces on errors")
    .addHelpText(
      "after",
      "\nExamples:\n  czmodel status 3f2a…-… --redis redis://queue:6379\n  czmodel status 3f2a…-… --redis redis://queue:6379 --watch",
    )
    .action(async (job: string, opts: StatusCliOptions) => {
      const options = { redis: opts.redis, ...(opts.queue ? { queue: opts.queue } : {}) };
      // --watch on a terminal: a progress bar of units, then the final status line
      const bar = opts.watch ? createProgress("units", { json: opts.json ?? false }) : undefined;
      try {
        for (;;) {
          const s = await predictionStatus(job, options);
          const end = !opts.watch || s.state === "completed" || s.state === "failed";
          if (opts.json) {
            if (opts.watch) process.stdout.write(`${JSON.stringify({ ok: true, ...s })}\n`);
            else printJson({ ok: true, ...s });
          } else if (bar && process.stderr.isTTY && !process.env.CI && !end) {
            const eta = s.etaMs === null ? "…" : formatDuration(s.etaMs);
            bar.update(s.done, s.total, { rate: `${s.megapixelsPerSecond.toFixed(1)} MP/s`, eta });
          } else {
            bar?.stop();
            printLines(statusText(s));
          }
          if (s.state === "failed" && opts.watch) throw new ExitStatus(1);
          if (end) return;
          await new Promise((resolve) => setTimeout(resolve, 2000));
        }
      } finally {
        bar?.stop();
      }
    });
}
