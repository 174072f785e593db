/**
 * The worker thread of `jxr-thread.ts`: decodes JPEG XR streams with its own instance of the
 * wasm module the main thread compiled and sent (`init`), and answers each `decode` with the
 * pixels (their buffer transferred) or a one-line error. Node-only.
 */
import { parentPort } from "node:worker_threads";
import { createJxrDecoder, type JxrDecode } from "../jxr.js";

export type JxrWorkerRequest =
  | { type: "init"; module: WebAssembly.Module }
  | { type: "decode"; id: number; data: Uint8Array; maxBytes: number };

export type JxrWorkerReply =
  | { id: number; ok: true; width: number; height: number; pixelType: 0 | 1 | 2 | 3 | 4; bytes: Uint8Array }
  | { id: number; ok: false; error: string };

let decode: JxrDecode | undefined;

parentPort?.on("message", async (msg: JxrWorkerRequest) => {
  if (msg.type === "init") {
    const module = msg.module;
    decode = createJxrDecoder(() => Promise.resolve(module));
    return;
  }
  let reply: JxrWorkerReply;
  try {
    if (!decode) throw new Error("JPEG XR worker used before init");
    const image = await decode(msg.data, msg.maxBytes);
    reply = { id: msg.id, ok: true, ...image };
  } catch (e) {
    reply = { id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort?.postMessage(reply, reply.ok ? [reply.bytes.buffer as ArrayBuffer] : []);
});
