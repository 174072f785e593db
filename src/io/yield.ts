/**
 * One turn of the event loop, so that queued events (a Cancel message, an abort signal's
 * listeners, a progress repaint) run between batches. Promises that resolve at once (an
 * in-memory read, onnxruntime-web's run) only queue microtasks, which never let a macrotask
 * in: without this a browser worker would see Cancel only after the whole prediction.
 * `setImmediate` in Node; a `MessageChannel` message elsewhere (no 4 ms timer clamp).
 * Isomorphic.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === "function") return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
