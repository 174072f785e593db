/**
 * `npm run bench:startup [-- --repeat 15] [--json]`
 *
 * CLI start-up as an installed package runs it (built by the npm script first): each command
 * in its own `node` process, wall time, the three kinds interleaved and the median of
 * `--repeat` taken:
 * - `node -e 0`: Node's own start-up, the floor;
 * - the bundle in dist/cli/ (what `czmodel` runs when installed; scripts/bundle-cli.mjs);
 * - the per-file dist/src/cli/entry.js that `tsc` writes (what it ran before the bundle).
 * Commands: `--version`, `inspect` and `validate` of a small real model (ZEISS's nuclei
 * .czann, 100 KB), `pack --help`. The ratio column is bundle / per-file; the target for
 * `inspect` is < 0.3 s.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values: args } = parseArgs({
  options: { repeat: { type: "string", default: "15" }, json: { type: "boolean", default: false } },
});
const repeat = Number(args.repeat);
if (!Number.isInteger(repeat) || repeat < 1) {
  console.error("usage: bench/startup.ts [--repeat 15] [--json]");
  process.exit(2);
}
const MODEL = `${root}../shared/testdata/models/simple_nuclei_segmodel.czann`;
if (!existsSync(MODEL)) {
  console.error(`bench:startup: ${MODEL} is missing (../shared/testdata)`);
  process.exit(2);
}

const ENTRIES = {
  bundle: `${root}dist/cli/entry.js`,
  perFile: `${root}dist/src/cli/entry.js`,
};
const COMMANDS: Record<string, string[]> = {
  "--version": ["--version"],
  "inspect small model": ["inspect", MODEL],
  "validate small model": ["validate", MODEL],
  "pack --help": ["pack", "--help"],
};

/** Wall milliseconds of `node ARGS` (its output discarded; a failure stops the bench). */
function timeNode(argv: string[]): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, argv, { stdio: "ignore" });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

// a launcher file per entry (not `node -e`: `node -e CODE inspect …` starts Node's debugger)
const launchers = mkdtempSync(join(tmpdir(), "czmodel-bench-startup-"));
process.on("exit", () => rmSync(launchers, { recursive: true, force: true }));
/** The `node` arguments that run the CLI of `entry` with `cli` as its arguments. */
function cliArgv(entry: string, cli: string[]): string[] {
  const launcher = join(launchers, `${entry === ENTRIES.bundle ? "bundle" : "per-file"}.mjs`);
  const href = JSON.stringify(pathToFileURL(entry).href);
  writeFileSync(launcher, `const m = await import(${href});\nawait m.czmodelMain(process.argv.slice(2));\n`);
  return [launcher, ...cli];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const nodeTimes: number[] = [];
const rows = Object.entries(COMMANDS).map(([name, cli]) => {
  const bundle: number[] = [];
  const perFile: number[] = [];
  for (let i = 0; i < repeat; i++) {
    nodeTimes.push(timeNode(["-e", "0"]));
    bundle.push(timeNode(cliArgv(ENTRIES.bundle, cli)));
    perFile.push(timeNode(cliArgv(ENTRIES.perFile, cli)));
  }
  const row = { command: name, bundleMs: median(bundle), perFileMs: median(perFile), ratio: median(bundle) / median(perFile) };
  console.error(`${name}: bundle ${row.bundleMs.toFixed(0)} ms, per-file ${row.perFileMs.toFixed(0)} ms`);
  return row;
});
const nodeMs = median(nodeTimes);

if (args.json) {
  console.log(JSON.stringify({ repeat, nodeMs, rows }));
} else {
  console.log(`CLI start-up, median of ${repeat} (node -e 0: ${nodeMs.toFixed(0)} ms)`);
  console.log("| Command | Bundle (dist/cli) | Per-file (dist/src) | Ratio | Bundle less node -e 0 |");
  console.log("|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.command} | ${r.bundleMs.toFixed(0)} ms | ${r.perFileMs.toFixed(0)} ms | ${r.ratio.toFixed(2)} | ${(r.bundleMs - nodeMs).toFixed(0)} ms |`,
    );
  }
}
