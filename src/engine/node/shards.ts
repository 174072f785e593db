/**
 * Sharded prediction into one OME-Zarr folder (Node only): `planShardFile` (the work units as
 * JSON, no run), `predictShardFile` (shard K of N runs its units, `units.ts`) and
 * `finalizeShards` (check every chunk, then mark the output complete). See docs/distributed.md.
 *
 * Shard state lives in the output folder: `.czmodel-shards/plan.json` (model, image, output
 * chunking, the `PredictionPlan` and the `UnitPlan`), written atomically by whichever shard
 * comes first and compared byte for byte by every later shard, so a shard with another
 * model, image or options refuses. Each unit runs the ordinary `predict` with its tile block
 * (`PredictOptions.tiles`) into an `OmeZarrSink` that keeps only the unit's chunks; every file
 * is written temp-then-rename, so shards may run in any order, at once, or twice. The
 * `.zattrs` files (the NGFF `multiscales` that make the folder an image) are held back in
 * `.czmodel-shards/attrs/` and put in place by `finalize` once every chunk exists: until then
 * OME-Zarr readers do not take the folder for a finished image.
 */
import { createHash } from "node:crypto";
import { access, readdir, readFile, rm } from "node:fs/promises";
import { promisify } from "node:util";
import { deflate, inflate } from "node:zlib";
import { basename, join } from "node:path";
import type { InferenceSession } from "onnxruntime-common";
import { readModelFile, writeFileAtomic } from "../../container/node/index.js";
import { invalidArgument, invalidMetadata, unsupported } from "../../errors.js";
import { autoChunkSize } from "../../io/chunk-grid.js";
import { nodeZlibCompressor } from "../../io/node/zlib-compressor.js";
import { openImageFile } from "../../io/node/open-file.js";
import { openOptionsForPlanes } from "../../io/open.js";
import { bytesPerSample, type ImageSource } from "../../io/types.js";
import { SharedFolderTarget } from "../../io/zarr/node/shared-folder-target.js";
import { OmeZarrSink, zarrChunkFiles, zarrChunkKey } from "../../io/zarr/zarr-sink.js";
import { encodePiece, joinPieces } from "../../io/zarr/chunk-pieces.js";
import type { PartialChunk } from "../../io/chunk-grid.js";
import type { PlaneIndex, SampleArray } from "../../io/types.js";
import { engineModelFromFile } from "../from-model-file.js";
import { outputInfo } from "../outputs.js";
import { planInput, planPrediction, type PredictionPlan } from "../plan.js";
import { predict } from "../predict.js";
import { runDescription } from "../report.js";
import { readSessionLayout } from "../session.js";
import type { EngineModel, PredictOptions } from "../types.js";
import { chunkUnits, planUnits, shardUnits, type Shard, unitAt, type UnitPlan, type WorkUnit } from "../units.js";
import { nodeRuntime } from "./index.js";
import { WorkerSession } from "./worker-session.js";
import type { PredictFileOptions } from "./predict-file-types.js";
import { nodeSessionOptions } from "./session-options.js";

const STATE_DIR = ".czmodel-shards";
const PLAN_FILE = `${STATE_DIR}/plan.json`;
const ATTRS_DIR = `${STATE_DIR}/attrs`;
const PIECES_DIR = `${STATE_DIR}/pieces`;
const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

export type ShardFileOptions = Omit<PredictFileOptions, "overwrite" | "probabilitiesOut" | "worker" | "tiles" | "onProgress"> & {
  /** Unit edge in pixels per plane (default 8192), rounded to whole tiles. */
  unitSize?: number;
  /** Called after each unit a shard finishes. */
  onUnit?: (unit: WorkUnit, done: number, total: number) => void;
};

/** What every shard of one output must agree on; stored as `.czmodel-shards/plan.json`. */
export interface ShardState {
  format: "czmodel-shards";
  version: 2;
  model: { file: string; name: string; id?: string; onnxSha256: string };
  image: { file: string; width: number; height: number; sampleType: string };
  output: { chunkSize: number; compression: "zlib" | "none" | "auto"; level: number; samples: number };
  plan: PredictionPlan;
  units: UnitPlan;
}

interface Setup {
  model: EngineModel;
  source: ImageSource;
  session: InferenceSession;
  /** Whether `tearDown` releases the session (false when the caller lent a `LoadedModel`). */
  ownsSession: boolean;
  state: ShardState;
  predictOptions: Omit<PredictOptions, "runtime">;
}

/** A model read and its onnxruntime session opened, kept by a caller across units (a queue worker). */
export interface LoadedModel {
  model: EngineModel;
  session: InferenceSession;
}

/**
 * Read a model file and open its session (`threads` intra-op threads) in a worker thread, as
 * a plain predict of a large image does (`WorkerSession`): onnxruntime-node's own `run` blocks
 * the event loop, so in the main thread a unit could not read, convert and write tiles while
 * the model runs (that cost a unit ~25 % more CPU and wall time than the same tiles in predict).
 */
export async function loadShardModel(
  modelPath: string,
  options: Pick<ShardFileOptions, "threads" | "sessionOptions"> = {},
): Promise<LoadedModel> {
  const { model } = engineModelFromFile(await readModelFile(modelPath), modelPath);
  const worker = await WorkerSession.create(model.onnx, nodeSessionOptions(options.threads, options.sessionOptions), nodeRuntime);
  return { model, session: worker.asSession() };
}

/** Refuse an output other than OME-Zarr: only a folder of chunk files can have many writers. */
export function checkShardOutput(outPath: string): void {
  if (!/\.zarr[\\/]*$/i.test(outPath)) {
    throw unsupported("a sharded prediction writes OME-Zarr: a PNG or tiled OME-TIFF has one writer, so shards cannot share it", {
      where: outPath,
      allowed: "an output named *.ome.zarr",
    });
  }
}

/** Chunk size and samples per pixel of the output, as the sink of a single run picks them. */
function outputChunking(model: EngineModel, plan: PredictionPlan): { chunkSize: number; samples: number } {
  const channels = plan.session.outputChannels ?? model.outputChannels ?? model.classes?.length;
  if (channels === undefined) {
    throw unsupported("the model's output channel count is unknown before a run; it cannot be sharded", { where: model.name });
  }
  const { width, height, outSizes, outModulo } = plan.planes;
  const modulo = outModulo ? { tModulo: outModulo } : {};
  const info = outputInfo(plan.outputs[0]!, {
    model,
    width,
    height,
    sizes: outSizes,
    ...modulo,
    channels,
    description: runDescription(plan),
  });
  return { chunkSize: autoChunkSize(width, info.samplesPerPixel * bytesPerSample(info.sampleType)), samples: info.samplesPerPixel };
}

/** Read the model (unless `loaded`) and image, open the session, plan the prediction and its units. */
async function setUp(
  modelPath: string,
  imagePath: string,
  outPath: string,
  options: ShardFileOptions,
  loaded?: LoadedModel,
): Promise<Setup> {
  checkShardOutput(outPath);
  const { creator: _creator, openOptions, compression = "auto", unitSize, onUnit: _onUnit, ...rest } = options;
  if (rest.output === "both")
    throw unsupported("a sharded prediction writes one output", { where: "--output", allowed: "labels, probabilities" });
  if (!["auto", "deflate", "none"].includes(compression)) {
    throw invalidArgument(`compression '${compression}' is not known`, { where: "--compression", allowed: "auto, deflate, none" });
  }
  const { model, session } = loaded ?? (await loadShardModel(modelPath, rest));
  const release = async () => {
    if (!loaded) await session.release().catch(() => undefined);
  };
  const predictOptions = { ...rest, output: model.kind === "segmentation" ? (rest.output ?? "labels") : "labels" } as const;
  let source: ImageSource | undefined;
  try {
    source = await openImageFile(imagePath, openOptionsForPlanes(openOptions, rest.planes));
    const input = planInput(model, source.info, predictOptions);
    const layout = readSessionLayout(session, model, input.dims);
    const plan = planPrediction({ model, image: source.info, session: layout, options: predictOptions, input });
    const { chunkSize, samples } = outputChunking(model, plan);
    const units = planUnits(plan, { chunkSize, ...(unitSize !== undefined ? { unitSize } : {}) });
    const state: ShardState = {
      format: "czmodel-shards",
      version: 2,
      model: {
        file: basename(modelPath),
        name: model.name,
        ...(model.id ? { id: model.id } : {}),
        onnxSha256: createHash("sha256").update(model.onnx).digest("hex"),
      },
      image: { file: basename(imagePath), width: source.info.width, height: source.info.height, sampleType: source.info.sampleType },
      output: { chunkSize, compression: compression === "deflate" ? "zlib" : compression, level: 6, samples },
      plan,
      units,
    };
    return { model, source, session, ownsSession: !loaded, state, predictOptions };
  } catch (e) {
    await release();
    await source?.close();
    throw e;
  }
}

async function tearDown(setup: Setup): Promise<void> {
  if (setup.ownsSession) await setup.session.release().catch(() => undefined);
  await setup.source.close();
}

/** `setUp`, then `use` the setup, then `tearDown` whatever happens. */
async function withSetUp<T>(
  paths: { model: string; image: string; out: string },
  options: ShardFileOptions,
  use: (setup: Setup) => Promise<T>,
  loaded?: LoadedModel,
): Promise<T> {
  const setup = await setUp(paths.model, paths.image, paths.out, options, loaded);
  try {
    return await use(setup);
  } finally {
    await tearDown(setup);
  }
}

/** The shard state and units of a sharded prediction, without running anything (`--plan`). */
export async function planShardFile(
  modelPath: string,
  imagePath: string,
  outPath: string,
  options: ShardFileOptions = {},
): Promise<ShardState> {
  return withSetUp({ model: modelPath, image: imagePath, out: outPath }, options, async (setup) => setup.state);
}

const stateBytes = (state: ShardState) => new TextEncoder().encode(`${JSON.stringify(state, null, 2)}\n`);

async function readIfThere(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Write the state unless there; then the stored one must be the same (a shard of another run refuses). */
async function claimOutput(outPath: string, state: ShardState, mustExist = false): Promise<void> {
  const file = join(outPath, ...PLAN_FILE.split("/"));
  const mine = stateBytes(state);
  if (!(await readIfThere(file))) {
    if (mustExist)
      throw invalidArgument(`no ${PLAN_FILE}: the submitted output is gone or not shared with this machine`, { where: outPath });
    const entries = await readdir(outPath).catch(() => [] as string[]);
    if (entries.some((e) => !e.startsWith("."))) {
      throw invalidArgument("the output folder exists and is not a sharded czmodel output", { where: outPath, allowed: "a new folder" });
    }
    await writeFileAtomic(file, mine, { createDir: true });
  }
  const stored = await readFile(file);
  if (!stored.equals(mine)) {
    const theirs = JSON.parse(stored.toString("utf8")) as Record<string, unknown>;
    const differs = Object.keys(state).filter((k) => JSON.stringify(theirs[k]) !== JSON.stringify(state[k as keyof ShardState]));
    throw invalidArgument(
      `the output was started by shards with another model, image or options (differs in: ${differs.join(", ") || "format"})`,
      {
        where: outPath,
        allowed: "the same MODEL, IMAGE and options for every shard, or a new output",
      },
    );
  }
}

/** `.zattrs` files wait in the state folder until `finalizeShards`. */
const holdAttrs = (key: string) => (key === ".zattrs" || key.endsWith("/.zattrs") ? `${ATTRS_DIR}/${key}` : key);

const atomicWriter = (file: string, bytes: Uint8Array) => writeFileAtomic(file, bytes, { createDir: true });

/** The folder of the pieces of chunk (cy, cx) of `plane`. */
const pieceDir = (outPath: string, plane: PlaneIndex, cy: number, cx: number) =>
  join(outPath, ...PIECES_DIR.split("/"), `${plane.scene}.${plane.t}.${plane.c}.${plane.z}.${cy}.${cx}`);

/** Join the pieces of a shared chunk when every unit that writes a part of it has stored its piece; false while one is missing. */
async function joinIfComplete(
  state: ShardState,
  outPath: string,
  chunk: { stack: number; plane: PlaneIndex; cy: number; cx: number },
  write: (data: SampleArray) => Promise<void>,
): Promise<boolean> {
  const dir = pieceDir(outPath, chunk.plane, chunk.cy, chunk.cx);
  const pieces: { bytes: Uint8Array; where: string }[] = [];
  for (const u of chunkUnits(state.plan, state.units, chunk.stack, chunk.cy, chunk.cx)) {
    const where = join(dir, `u${u}`);
    const stored = await readIfThere(where);
    if (!stored) return false;
    pieces.push({ bytes: await inflateAsync(stored), where });
  }
  await write(joinPieces(pieces));
  return true;
}

/**
 * A unit's chunks that it writes only in part: store each part as a piece, then join every
 * chunk whose pieces are all there (whichever unit stores the last piece writes the chunk;
 * two units finishing together both write it, with the same bytes).
 */
async function sharePieces(setup: Setup, outPath: string, unit: WorkUnit, sink: OmeZarrSink, chunks: PartialChunk[]): Promise<void> {
  const layout = sink.pieceLayout;
  for (const chunk of chunks) {
    const piece = await deflateAsync(encodePiece(chunk, layout), { level: 1 });
    await writeFileAtomic(join(pieceDir(outPath, chunk.plane, chunk.cy, chunk.cx), `u${unit.index}`), piece, { createDir: true });
  }
  for (const { plane, cy, cx } of chunks) {
    await joinIfComplete(setup.state, outPath, { stack: unit.tiles.stack, plane, cy, cx }, (data) => sink.writeChunk(plane, cy, cx, data));
  }
}

/** Run one unit: the ordinary `predict` on its tile block; chunks it shares with other units become pieces. */
async function runUnit(setup: Setup, outPath: string, unit: WorkUnit): Promise<void> {
  const { model, source, session, state } = setup;
  const sink: OmeZarrSink = new OmeZarrSink(new SharedFolderTarget(outPath, atomicWriter, holdAttrs), {
    chunkSize: state.output.chunkSize,
    compression: state.output.compression,
    level: state.output.level,
    compressor: nodeZlibCompressor(state.output.level),
    imageName: model.name,
    onPartialChunks: (chunks) => sharePieces(setup, outPath, unit, sink, chunks),
  });
  await predict(model, source, sink, {
    ...setup.predictOptions,
    runtime: nodeRuntime,
    createSession: async () => session,
    tiles: unit.tiles,
  });
}

/** Plan the units and write the shard state into `outPath` (or check the one there), running nothing. */
export async function startShardOutput(
  modelPath: string,
  imagePath: string,
  outPath: string,
  options: ShardFileOptions = {},
): Promise<ShardState> {
  return withSetUp({ model: modelPath, image: imagePath, out: outPath }, options, async (setup) => {
    await claimOutput(outPath, setup.state);
    return setup.state;
  });
}

/**
 * Run unit `index` of an output whose shard state exists (a queue worker): with `loaded`'s
 * model and session, after checking that this machine plans exactly the stored state.
 */
export async function runShardUnit(
  loaded: LoadedModel,
  paths: { model: string; image: string; out: string },
  index: number,
  options: ShardFileOptions = {},
): Promise<WorkUnit> {
  return withSetUp(
    paths,
    options,
    async (setup) => {
      await claimOutput(paths.out, setup.state, true);
      const unit = unitAt(setup.state.plan, setup.state.units, index);
      await runUnit(setup, paths.out, unit);
      return unit;
    },
    loaded,
  );
}

export interface ShardRunResult {
  out: string;
  shard: Shard;
  /** Indices of the units this shard ran. */
  units: number[];
  unitsTotal: number;
  tiles: number;
  state: ShardState;
}

/** Run shard `shard`'s units of the prediction into the OME-Zarr folder `outPath` (created or shared). */
export async function predictShardFile(
  modelPath: string,
  imagePath: string,
  outPath: string,
  shard: Shard,
  options: ShardFileOptions = {},
): Promise<ShardRunResult> {
  return withSetUp({ model: modelPath, image: imagePath, out: outPath }, options, async (setup) => {
    await claimOutput(outPath, setup.state);
    const mine = shardUnits(setup.state.units.count, shard);
    let tiles = 0;
    for (const [i, index] of mine.entries()) {
      const unit = unitAt(setup.state.plan, setup.state.units, index);
      await runUnit(setup, outPath, unit);
      const nz = "zs" in setup.state.plan.grid ? setup.state.plan.grid.zs.length : 1;
      tiles += nz * (unit.tiles.y[1] - unit.tiles.y[0]) * (unit.tiles.x[1] - unit.tiles.x[0]);
      options.onUnit?.(unit, i + 1, mine.length);
    }
    return { out: outPath, shard, units: mine, unitsTotal: setup.state.units.count, tiles, state: setup.state };
  });
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const key = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(join(dir, e.name), key)));
    else if (e.isFile() && !e.name.endsWith(".partial")) out.push(key);
  }
  return out;
}

export interface FinalizeResult {
  out: string;
  units: number;
  chunks: number;
}

/** One chunk (all samples) of the output: where it is and which file holds its first sample. */
interface OutputChunk {
  stack: number;
  plane: PlaneIndex;
  cy: number;
  cx: number;
}

function* outputChunks(state: ShardState): Generator<OutputChunk> {
  const [rows, cols] = state.units.chunkGrid;
  for (const [stack, { outPlanes }] of state.plan.planes.stacks.entries())
    for (const plane of outPlanes) for (let cy = 0; cy < rows; cy++) for (let cx = 0; cx < cols; cx++) yield { stack, plane, cy, cx };
}

/** Write a joined chunk as the units' sink would: compressed as the array's `.zarray` says. */
async function writeJoinedChunk(outPath: string, state: ShardState, chunk: OutputChunk, data: SampleArray): Promise<void> {
  const scenes = state.plan.planes.outSizes.scene;
  const zarray = JSON.parse(
    (await readFile(join(outPath, ...(scenes > 1 ? [String(chunk.plane.scene)] : []), "0", ".zarray"))).toString("utf8"),
  ) as { compressor: { level: number } | null };
  const K = state.output.samples;
  const files = await zarrChunkFiles(data, K, zarray.compressor ? nodeZlibCompressor(zarray.compressor.level) : undefined);
  for (const [k, bytes] of files.entries())
    await atomicWriter(join(outPath, ...zarrChunkKey(scenes, chunk.plane, chunk.plane.c * K + k, chunk.cy, chunk.cx).split("/")), bytes);
}

/** The chunks of the output that are not there (after joining those whose pieces all are), and the units that would write them. */
async function missingChunks(outPath: string, state: ShardState): Promise<{ missing: string[]; units: Set<number>; total: number }> {
  const K = state.output.samples;
  const scenes = state.plan.planes.outSizes.scene;
  const missing: string[] = [];
  const units = new Set<number>();
  let total = 0;
  for (const chunk of outputChunks(state)) {
    const keys = Array.from({ length: K }, (_, k) => zarrChunkKey(scenes, chunk.plane, chunk.plane.c * K + k, chunk.cy, chunk.cx));
    total += K;
    const absent = [];
    for (const key of keys) if (!(await exists(join(outPath, ...key.split("/"))))) absent.push(key);
    if (absent.length === 0) continue;
    if (await joinIfComplete(state, outPath, chunk, (data) => writeJoinedChunk(outPath, state, chunk, data))) continue;
    missing.push(...absent);
    const dir = pieceDir(outPath, chunk.plane, chunk.cy, chunk.cx);
    for (const u of chunkUnits(state.plan, state.units, chunk.stack, chunk.cy, chunk.cx))
      if (!(await exists(join(dir, `u${u}`)))) units.add(u);
  }
  return { missing, units, total };
}

/**
 * Check that every chunk of the output exists (joining any shared chunk whose pieces are all
 * there but that no unit joined), then put the held-back `.zattrs` in place (the output is
 * complete) and remove the pieces.
 */
export async function finalizeShards(outPath: string): Promise<FinalizeResult> {
  const stored = await readIfThere(join(outPath, ...PLAN_FILE.split("/")));
  if (!stored) throw invalidArgument(`no ${PLAN_FILE}: not a sharded czmodel output`, { where: outPath });
  const state = JSON.parse(stored.toString("utf8")) as ShardState;
  if (state.format !== "czmodel-shards" || state.version !== 2) throw invalidMetadata("unknown shard state format", { where: PLAN_FILE });
  const { missing, units, total } = await missingChunks(outPath, state);
  if (missing.length > 0) {
    const shown = missing.slice(0, 4).join(", ") + (missing.length > 4 ? ", …" : "");
    const which = [...units].sort((a, b) => a - b).join(", ");
    throw invalidArgument(`${missing.length} of ${total} chunks are missing: ${shown} (units ${which}); run their shards again`, {
      where: outPath,
    });
  }
  const attrs = join(outPath, ...ATTRS_DIR.split("/"));
  for (const key of await listFiles(attrs)) await atomicWriter(join(outPath, ...key.split("/")), await readFile(join(attrs, key)));
  await rm(join(outPath, ...PIECES_DIR.split("/")), { recursive: true, force: true });
  return { out: outPath, units: state.units.count, chunks: total };
}
