/**
 * One benchmark measurement in a fresh process (so its peak RSS and CPU time are its own),
 * printing one JSON line (`OneResult`) on stdout:
 *   e2e MODEL IMAGE OUT OUTPUT PYRAMID OBJECTS [THREADS] — predictFile end to end (read, convert,
 *                                           run, stitch, write); OUTPUT is predictFile's `output`
 *                                           option (labels | probabilities | both), PYRAMID its
 *                                           `pyramid` (on | off | auto), OBJECTS "-" or a CSV path:
 *                                           the objects table measured in the same pass, as
 *                                           `czmodel predict --objects OBJECTS` does
 *   runtime MODEL TILES BATCH IMAGE [THREADS] — the runtime alone: TILES tiles in batches of
 *                                           BATCH from ready input tensors (IMAGE's centre tile,
 *                                           converted as the engine does), no IO, no conversion
 * Used by bench/predict.ts, which runs it several times and takes medians.
 *
 * Wall time (`ms`): both sides are timed from having the model bytes to having every output
 * (session released), so the runtime-only time includes creating the session and its first
 * (slower) runs, as the end-to-end time (the whole `predictFile` call, or with OBJECTS the CLI's
 * predict-with-objects call, table written and renamed) does; both create their
 * sessions with `nodeSessionOptions` (the engine's options) and the same thread count.
 *
 * CPU time (`cpuUserMs`, `cpuSysMs`): `process.cpuUsage()` (getrusage of the whole process, so
 * it counts onnxruntime's threads, the session worker thread and libuv's pool) over the same
 * work from the model path on: the whole `predictFile` call on the e2e side; reading and
 * parsing the model file, the session, the runs and the release on the runtime side. Process
 * start-up (Node, tsx) is outside both windows, so e2e CPU − runtime CPU is what opening the
 * image, reading, converting, stitching and writing cost, less noisy than wall time on a
 * shared machine because it does not count time spent waiting for a core.
 * e2e also reports the main thread's own CPU time (`mainCpuMs`, Linux): what runs there
 * (reading, converting, stitching, writing, the objects) without onnxruntime's threads.
 */
import { readFileSync } from "node:fs";
import { ort } from "../src/onnx/node/runtime.js";
import { nodeSessionOptions } from "../src/engine/node/session-options.js";
import { tileFromImage } from "../src/engine/node/centre-tile.js";
import { predictFile, readModelFile, engineModelFromFile, type PredictFileOptions } from "../src/index.js";
import { checkObjectsBeforePredict, predictWithObjects } from "../src/cli/commands/objects.js";

/** What one measurement prints (one JSON line). */
export interface OneResult {
  /** Wall time of the measured work (see the module doc). */
  ms: number;
  /** CPU time of the whole process over the measured work, user and system. */
  cpuUserMs: number;
  cpuSysMs: number;
  /**
   * e2e only, on Linux: CPU time of the main thread alone over the same work (user + system of
   * its task in /proc). The reading, converting, stitching and writing (and the objects) run
   * there; onnxruntime's threads, which count their busy waits, do not.
   */
  mainCpuMs?: number;
  /** Peak resident set of the process (`maxRSS`), MB. */
  peakRssMb: number;
  tiles: number;
  /** e2e only. */
  megapixels?: number;
  batch?: number;
  tile?: number[];
  files?: string[];
}

const [mode, ...args] = process.argv.slice(2);
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;
const threadsOption = (threads?: string) => (threads ? { threads: Number(threads) } : {});
const cpuFields = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return { cpuUserMs: user / 1000, cpuSysMs: system / 1000 };
};
const print = (result: OneResult) => console.log(JSON.stringify(result));

/** The main thread's CPU time so far (ms), from /proc (clock ticks of 1/100 s, Linux's USER_HZ); undefined elsewhere. */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

if (mode === "e2e") {
  const [model, image, out, output, pyramid, objects, threads] = args as [string, string, string, string, string, string, string?];
  const cpu = process.cpuUsage();
  const mainCpu = mainThreadCpuMs();
  const started = performance.now();
  const options: PredictFileOptions = {
    overwrite: true,
    output: output as PredictFileOptions["output"],
    pyramid: pyramid === "auto" ? "auto" : pyramid === "on",
    ...threadsOption(threads),
  };
  let r: Awaited<ReturnType<typeof predictFile>>;
  if (objects === "-") r = await predictFile(model, image, out, options);
  else {
    // the CLI's own path: model classes checked first, the table written beside the prediction
    const cli = { objects, connectivity: "8" as const, overwrite: true, output, out };
    const classes = await checkObjectsBeforePredict(model, image, cli);
    ({ result: r } = await predictWithObjects(cli, classes, (o) => predictFile(model, image, out, { ...options, objects: o })));
  }
  const used = cpuFields(cpu);
  const mainNow = mainThreadCpuMs();
  print({
    ms: performance.now() - started,
    ...used,
    ...(mainCpu !== undefined && mainNow !== undefined ? { mainCpuMs: mainNow - mainCpu } : {}),
    peakRssMb: peakRssMb(),
    tiles: r.tiles,
    megapixels: r.megapixels,
    batch: r.batchSize,
    tile: r.tile,
    files: r.files,
  });
} else if (mode === "runtime") {
  const [modelPath, tilesText, batchText, image, threads] = args as [string, string, string, string, string?];
  const readCpu = process.cpuUsage();
  const file = await readModelFile(modelPath);
  const { model } = engineModelFromFile(file);
  const read = process.cpuUsage(readCpu);
  const [h, w] = model.tile as [number, number];
  const tiles = Number(tilesText);
  const batch = Number(batchText);
  // real pixels: the model's speed depends on its input (synthetic noise runs the nuclei model
  // at about half the speed of microscopy tiles), so every run gets the image's centre tile
  // as the engine converts it
  const tile = await tileFromImage(file, image);
  const data = new Float32Array(batch * tile.length);
  for (let b = 0; b < batch; b++) data.set(tile, b * tile.length);
  // making the input data is not part of the work, so the CPU window restarts here
  const cpu = process.cpuUsage(read);
  const started = performance.now();
  const session = await ort.InferenceSession.create(model.onnx as Uint8Array, nodeSessionOptions(threads ? Number(threads) : undefined));
  const inputName = session.inputNames[0]!;
  const full = new ort.Tensor("float32", data, [batch, h, w, model.inputChannels]);
  for (let done = 0; done < tiles; done += batch) {
    const n = Math.min(batch, tiles - done);
    const input =
      n === batch ? full : new ort.Tensor("float32", data.subarray(0, n * h * w * model.inputChannels), [n, h, w, model.inputChannels]);
    await session.run({ [inputName]: input });
  }
  await session.release();
  const ms = performance.now() - started;
  print({ ms, ...cpuFields(cpu), peakRssMb: peakRssMb(), tiles });
} else {
  console.error("usage: predict-one.ts e2e MODEL IMAGE OUT OUTPUT PYRAMID [THREADS] | runtime MODEL TILES BATCH [THREADS]");
  process.exitCode = 2;
}
