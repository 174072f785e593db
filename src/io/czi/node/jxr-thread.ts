/**
 * JPEG XR decoding off the main thread in Node: `decodeJxrInWorker` has the signature of
 * `decodeJxr` but runs it in one worker thread shared by the whole process (started on the
 * first JPEG-XR subblock, held only while a decode is waiting, so an idle worker never keeps
 * the process alive). The main thread compiles the module once and posts it; the stream is
 * copied to the worker and the pixels come back by transfer. Node's file openers pass this to
 * the CZI reader, so a prediction's main thread (reading, converting, writing) does not stall
 * for each subblock. Node-only.
 */
import type { Worker } from "node:worker_threads";
import { startModuleWorker } from "../../../bytes/node/module-worker.js";
import { jxrWasmModule, type JxrDecode, type JxrImage } from "../jxr.js";
import type { JxrWorkerReply, JxrWorkerRequest } from "./jxr-worker.js";

interface Pending {
  resolve: (image: JxrImage) => void;
  reject: (e: Error) => void;
}

let started: Promise<{ worker: Worker; pending: Map<number, Pending> }> | undefined;
let nextId = 0;

async function start(): Promise<{ worker: Worker; pending: Map<number, Pending> }> {
  const module = await jxrWasmModule();
  const worker = startModuleWorker(import.meta.url, "jxr-worker");
  worker.unref();
  const pending = new Map<number, Pending>();
  const failAll = (e: Error) => {
    started = undefined; // the next decode starts a fresh worker
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on("message", (reply: JxrWorkerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.ok) p.resolve({ width: reply.width, height: reply.height, pixelType: reply.pixelType, bytes: reply.bytes });
    else p.reject(new Error(reply.error));
  });
  worker.on("error", (e) => failAll(new Error(`jxrlib: the JPEG XR worker failed (${e instanceof Error ? e.message : String(e)})`)));
  worker.on("exit", (code) => failAll(new Error(`jxrlib: the JPEG XR worker exited (code ${code})`)));
  worker.postMessage({ type: "init", module } satisfies JxrWorkerRequest);
  return { worker, pending };
}

/** `decodeJxr`, run in the shared worker thread. */
export const decodeJxrInWorker: JxrDecode = async (data, maxBytes = 0x7fffffff) => {
  started ??= start();
  const current = started;
  const { worker, pending } = await current.catch((e: unknown) => {
    if (started === current) started = undefined;
    throw e;
  });
  const copy = data.slice();
  return new Promise<JxrImage>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.ref();
    worker.postMessage({ type: "decode", id, data: copy, maxBytes } satisfies JxrWorkerRequest, [copy.buffer]);
  });
};
