/**
 * The page's side of the worker RPC: `call(op, args)` returns a promise of the result;
 * errors come back as `PageError`s that keep the library's code and message; progress
 * events go to the caller's callback.
 */
import type { PredictProgress } from "../../src/engine/index.js";
import type { ErrorInfo, Op, ReplyMessage, RequestMessage, Requests } from "./protocol.js";

export class PageError extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
    this.name = "PageError";
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onProgress?: (p: PredictProgress) => void;
}

export class WorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL("../worker.ts", import.meta.url), { type: "module", name: "czmodel-worker" });
    this.worker.onmessage = (event: MessageEvent<ReplyMessage>) => this.receive(event.data);
    this.worker.onerror = (event) => {
      const error = new PageError({ code: "INTERNAL", message: `the worker failed: ${event.message || "could not start"}` });
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  call<K extends Op>(
    op: K,
    args: Requests[K]["args"],
    onProgress?: (p: PredictProgress) => void,
    transfer: Transferable[] = [],
  ): Promise<Requests[K]["result"]> {
    const id = this.nextId++;
    const message: RequestMessage<K> = { id, op, args };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...(onProgress ? { onProgress } : {}) });
      this.worker.postMessage(message, transfer);
    });
  }

  private receive(reply: ReplyMessage): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if (reply.kind === "progress") {
      p.onProgress?.(reply.progress);
      return;
    }
    this.pending.delete(reply.id);
    if (reply.kind === "result") p.resolve(reply.result);
    else p.reject(new PageError(reply.error));
  }
}
