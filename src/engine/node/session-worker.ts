/**
 * The worker thread behind `WorkerSession`: holds one onnxruntime-node session and answers
 * the requests of `worker-protocol.ts` one at a time. Lent buffers always go back to the main
 * thread, also when a run fails. For two-class label runs the model writes its output into
 * the memory of the engine's SIMD kernels (sent as `workerData.simd`), where the argmax turns
 * it into labels without another copy.
 *
 * Started by `worker-session.ts`: built, as `session-worker.js` next to it; from sources, as
 * this `.ts` file through tsx's require hook. So it uses neither `import.meta` nor top-level
 * await, and loads only node built-ins, onnxruntime-node (from the path its parent resolved),
 * the engine's pure `halving.ts` and types. A batch that runs out of memory (a GPU's, usually)
 * is run in halves (`runHalving`), and later batches start at the size that worked.
 */
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import type { InferenceSession, OnnxValue, Tensor } from "onnxruntime-common";
import type {
  LabelsRequest,
  LendReply,
  LendRequest,
  SessionInfo,
  SessionWorkerData,
  WireTensor,
  WorkerMessage,
  WorkerReply,
} from "./worker-protocol.js";
import { runHalving } from "../halving.js";

/** The exports of the engine's SIMD module this worker uses. */
interface SimdExports {
  memory: WebAssembly.Memory;
  argmax2U8(out: number, labels: number, pixels: number, v0: number, v1: number): void;
  argmax2U16(out: number, labels: number, pixels: number, v0: number, v1: number): void;
}

const port = parentPort;
if (!port) throw new Error("session-worker runs only as a worker thread");
const data = workerData as SessionWorkerData;
// Required, not imported: loading the CommonJS package through the ESM loader costs more.
const ort = createRequire(data.ortPath)(data.ortPath) as typeof import("onnxruntime-node");
let session: InferenceSession | undefined;

function loadSimd(bytes: Uint8Array<ArrayBuffer> | null): SimdExports | null {
  try {
    if (bytes && WebAssembly.validate(bytes))
      return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as SimdExports;
  } catch {
    // no kernels: the main thread computes labels itself
  }
  return null;
}
const simd = loadSimd(data.simd);

function open(): InferenceSession {
  if (!session) throw new Error("no session: create it first");
  return session;
}

/** Grow the kernels' memory to at least `bytes`. */
function reserve(kernels: SimdExports, bytes: number): ArrayBuffer {
  const have = kernels.memory.buffer.byteLength;
  if (have < bytes) kernels.memory.grow(Math.ceil((bytes - have) / 65536));
  return kernels.memory.buffer;
}

/** Tiles per run since a batch ran out of memory (`runHalving`): later batches start there. */
let part = Number.POSITIVE_INFINITY;

interface Ran {
  type: Tensor.Type;
  dims: readonly number[];
  data: Tensor.DataType;
}

/**
 * Run a float32 batch (`dims[0]` tiles), into `output` (with `outputDims`) when given. When the
 * device runs out of memory the batch runs in halves, into the same output (or joined after).
 */
async function runBatch(
  inputName: string,
  input: Float32Array,
  dims: readonly number[],
  outputName: string,
  output?: Float32Array,
  outputDims?: readonly number[],
): Promise<Ran> {
  const n = dims[0] ?? 1;
  const inTile = input.length / n;
  const outTile = output ? output.length / n : 0;
  const parts: Ran[] = [];
  const runPart = async (start: number, count: number) => {
    const whole = start === 0 && count === n;
    const slice = whole ? input : input.subarray(start * inTile, (start + count) * inTile);
    const feeds = { [inputName]: new ort.Tensor("float32", slice, [count, ...dims.slice(1)]) };
    const into = output && outputDims ? (whole ? output : output.subarray(start * outTile, (start + count) * outTile)) : undefined;
    const fetches: InferenceSession.FetchesType = into
      ? { [outputName]: new ort.Tensor("float32", into, [count, ...outputDims!.slice(1)]) }
      : [outputName];
    const out = (await open().run(feeds, fetches))[outputName] as Tensor | undefined;
    if (!out) throw new Error(`the model returned no '${outputName}' output`);
    parts.push(out);
  };
  part = await runHalving(n, part, runPart);
  if (parts.length === 1) return parts[0]!;
  const first = parts[0]!;
  const dimsOut = [n, ...first.dims.slice(1)];
  if (output) return { type: first.type, dims: dimsOut, data: output };
  if (first.type !== "float32") return { type: first.type, dims: dimsOut, data: first.data };
  const joined = new Float32Array(parts.reduce((a, p) => a + (p.data as Float32Array).length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p.data as Float32Array, at);
    at += (p.data as Float32Array).length;
  }
  return { type: "float32", dims: dimsOut, data: joined };
}

/** Float32Array over a whole buffer: transferable without moving what is not ours. */
const own = (a: Float32Array): Float32Array => (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice());

const message = (e: unknown): string => String((e instanceof Error && e.message) || e);

function reply(r: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(r, transfer);
}

/** Run into the kernels' memory and turn the two-class output into labels right here. */
async function runLabels(msg: LabelsRequest & { id: number }): Promise<void> {
  const back = [msg.input, msg.labels];
  try {
    if (!simd) throw new Error("this worker has no SIMD kernels");
    const input = new Float32Array(msg.input, 0, msg.inputLength);
    const pixels = msg.outputDims.slice(0, -1).reduce((a, b) => a * b, 1);
    const u16 = msg.labelType === "uint16";
    const outBytes = (pixels * 8 + 15) & ~15;
    const labelBytes = (pixels * (u16 ? 2 : 1) + 15) & ~15;
    const memory = reserve(simd, outBytes + labelBytes + 256);
    const output = new Float32Array(memory, 0, pixels * 2);
    const out = await runBatch(msg.inputName, input, msg.inputDims, msg.outputName, output, msg.outputDims);
    (u16 ? simd.argmax2U16 : simd.argmax2U8)(0, outBytes, pixels, msg.v0, msg.v1);
    if (u16) new Uint16Array(msg.labels, 0, pixels).set(new Uint16Array(simd.memory.buffer, outBytes, pixels));
    else new Uint8Array(msg.labels, 0, pixels).set(new Uint8Array(simd.memory.buffer, outBytes, pixels));
    reply({ id: msg.id, ok: true, value: { input: msg.input, labels: msg.labels, type: out.type, dims: out.dims } }, back);
  } catch (e) {
    reply({ id: msg.id, ok: false, error: message(e) }, back);
  }
}

/** Run with lent buffers; the model writes into the lent output when it fits. */
async function runLend(msg: LendRequest & { id: number }): Promise<void> {
  const back = [msg.input];
  if (msg.output) back.push(msg.output);
  try {
    const input = new Float32Array(msg.input, 0, msg.inputLength);
    const size = msg.outputDims ? msg.outputDims.reduce((a, b) => a * b, 1) : 0;
    const preset = msg.output !== undefined && msg.outputDims !== undefined && msg.output.byteLength >= size * 4;
    const into = preset ? new Float32Array(msg.output!, 0, size) : undefined;
    const out = await runBatch(msg.inputName, input, msg.inputDims, msg.outputName, into, msg.outputDims);
    const value: LendReply = { input: msg.input, type: out.type, dims: out.dims, output: null };
    if (preset) {
      value.output = msg.output!; // onnxruntime wrote into it
    } else {
      if (msg.output) value.spare = msg.output;
      if (out.type === "float32") {
        const data = own(out.data as Float32Array);
        value.output = data.buffer as ArrayBuffer;
        back.push(value.output);
      }
    }
    reply({ id: msg.id, ok: true, value }, back);
  } catch (e) {
    reply({ id: msg.id, ok: false, error: message(e) }, back);
  }
}

/** Outputs as wire tensors, with their buffers to transfer. */
function wire(out: InferenceSession.ReturnType): { value: Record<string, WireTensor>; transfer: ArrayBuffer[] } {
  const value: Record<string, WireTensor> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [name, v] of Object.entries(out)) {
    const t = v as OnnxValue as Tensor;
    value[name] = { type: t.type, data: t.data, dims: t.dims };
    const buffer = (t.data as { buffer?: unknown } | undefined)?.buffer;
    if (buffer instanceof ArrayBuffer && !transfer.includes(buffer)) transfer.push(buffer);
  }
  return { value, transfer };
}

async function handle(msg: WorkerMessage): Promise<void> {
  if (msg.type === "labels") return runLabels(msg);
  if (msg.type === "lend") return runLend(msg);
  try {
    if (msg.type === "create") {
      const s = await ort.InferenceSession.create(msg.bytes, msg.options);
      session = s;
      const info: SessionInfo = {
        inputNames: [...s.inputNames],
        outputNames: [...s.outputNames],
        inputMetadata: [...s.inputMetadata],
        outputMetadata: [...s.outputMetadata],
        labels: simd !== null,
      };
      reply({ id: msg.id, ok: true, value: info });
    } else if (msg.type === "run") {
      const feeds: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(msg.feeds)) feeds[name] = new ort.Tensor(t.type as "float32", t.data as Float32Array, t.dims);
      const s = open();
      const { value, transfer } = wire(await (msg.fetches ? s.run(feeds, [...msg.fetches]) : s.run(feeds)));
      reply({ id: msg.id, ok: true, value }, transfer);
    } else if (msg.type === "release") {
      if (session) await session.release();
      reply({ id: msg.id, ok: true });
    }
  } catch (e) {
    reply({ id: msg.id, ok: false, error: message(e) });
  }
}

// One message at a time: a run's output lives in the kernels' memory until its labels are out.
let queue = Promise.resolve();
port.on("message", (msg: WorkerMessage) => {
  queue = queue.then(() => handle(msg));
});
