/**
 * `npm run acceptance:distributed [-- --size 16384] [--workers 3] [--unit-size 4096]`
 *
 * The distributed acceptance run, end to end with real processes: a size² uint16 tiled BigTIFF
 * (mirror-tiled nuclei image) and the real nuclei model; a plain `czmodel predict` to OME-Zarr;
 * then a real `redis-server`, `czmodel submit` and `--workers` worker processes, one of which
 * is killed with SIGKILL while it runs a unit, a third of the way in. It checks that
 * `czmodel status --json` ends `completed` with every unit done, that the output equals the
 * plain one file for file, byte for byte, that no temp file or piece is left, and that
 * `python3-zarr` reads the same pixels from both. Exits 1 on any difference. Slow (minutes at
 * 16384² on two cores), so it is a script and not part of `npm test`; the same checks run at
 * a small size in test/cli/queue.test.ts.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { Queue } from "bullmq";
import { startRedis } from "../test/helpers/redis.js";
import { compareOutputs, listFiles, makeImage, model, plainPredict, startWorker, stopWorkers, untilFinalized } from "./queue-runs.js";

const exec = promisify(execFile);
const bin = fileURLToPath(new URL("../bin/czmodel.js", import.meta.url));
const { values } = parseArgs({
  options: {
    size: { type: "string", default: "16384" },
    workers: { type: "string", default: "3" },
    "unit-size": { type: "string", default: "4096" },
  },
});
const size = Number(values.size);
const workerCount = Number(values.workers);
/** Locks short enough that the killed worker's unit is taken up within seconds, long enough for a loaded machine. */
const LOCKS = { CZMODEL_QUEUE_LOCK_MS: "10000", CZMODEL_QUEUE_STALLED_MS: "5000" };

interface Status {
  state: string;
  done: number;
  active: number;
  failed: number;
  total: number;
}

async function cli(...args: string[]): Promise<string> {
  return (await exec(process.execPath, [bin, ...args], { maxBuffer: 64 << 20 })).stdout;
}

/** Mean of every pixel, as python3-zarr reads the array. */
async function zarrMean(path: string): Promise<number> {
  const code = "import sys, zarr, numpy; a = zarr.open(sys.argv[1], mode='r')['0']; print(float(numpy.asarray(a[:]).mean()))";
  return Number((await exec("/usr/bin/python3", ["-c", code, path])).stdout);
}

function check(ok: boolean, what: string): void {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) process.exitCode = 1;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "czmodel-acceptance-"));
  const redis = await startRedis();
  try {
    console.log(`building a ${size}² uint16 BigTIFF …`);
    const image = await makeImage(dir, size);
    const plain = join(dir, "plain.ome.zarr");
    const out = join(dir, "queued.ome.zarr");
    const p = await plainPredict(image, plain, 2);
    console.log(`plain predict: ${p.seconds.toFixed(1)} s`);
    const submitted = JSON.parse(
      await cli("submit", model, image, "-o", out, "--redis", redis.url, "--unit-size", values["unit-size"], "--json"),
    ) as { job: string; units: number };
    const status = async () => JSON.parse(await cli("status", submitted.job, "--redis", redis.url, "--json")) as Status;
    const start = performance.now();
    const workers = Array.from({ length: workerCount }, () => startWorker(redis.url, 1, LOCKS));
    for (let s = await status(); s.done < submitted.units / 3 || s.active === 0; s = await status())
      await new Promise((r) => setTimeout(r, 200));
    workers[0]!.child.kill("SIGKILL");
    console.log(`killed worker 1 of ${workerCount} with SIGKILL at ${((performance.now() - start) / 1000).toFixed(1)} s`);
    await untilFinalized(out, workers.slice(1));
    console.log(`queued run: ${((performance.now() - start) / 1000).toFixed(1)} s, ${submitted.units} units`);
    await stopWorkers(workers);
    const final = await status();
    check(final.state === "completed" && final.done === final.total && final.failed === 0, `status ${JSON.stringify(final)}`);
    const queue = new Queue("czmodel", { connection: { url: redis.url } });
    const jobs = await Promise.all(Array.from({ length: submitted.units }, (_, i) => queue.getJob(`${submitted.job}-u${i}`)));
    await queue.close();
    const rerun = jobs.filter((j) => (j?.attemptsStarted ?? 0) > 1).length;
    check(rerun > 0, `the killed worker's unit ran again elsewhere (${rerun} unit(s) started more than once)`);
    const diff = await compareOutputs(plain, out);
    check(diff.length === 0, `output equals plain predict byte for byte${diff.length ? `: ${diff.slice(0, 5).join(", ")}` : ""}`);
    const leftovers = (await listFiles(out)).filter((f) => f.endsWith(".partial") || f.includes("/pieces/"));
    check(leftovers.length === 0, `no temp files or pieces left${leftovers.length ? `: ${leftovers.slice(0, 5).join(", ")}` : ""}`);
    const [a, b] = await Promise.all([zarrMean(plain), zarrMean(out)]);
    check(a === b, `python3-zarr reads the same pixels (mean ${b})`);
  } finally {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
