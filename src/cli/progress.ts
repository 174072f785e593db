/**
 * Progress bars for long jobs: drawn on stderr only when it is a TTY (never in CI logs, with
 * `--quiet` or with `--json`), showing throughput and ETA.
 */
import cliProgress from "cli-progress";

export interface ProgressReporter {
  update(done: number, total: number, extra?: { rate?: string; eta?: string }): void;
  stop(): void;
}

const silent: ProgressReporter = { update() {}, stop() {} };

export function createProgress(label: string, opts: { quiet?: boolean; json?: boolean } = {}): ProgressReporter {
  if (opts.quiet || opts.json || !process.stderr.isTTY || process.env.CI) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate} | ETA {etaText}`,
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, extra = {}) {
      const payload = { rate: extra.rate ?? "", etaText: extra.eta ?? "…" };
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** 65 s → "1m05s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "…";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
