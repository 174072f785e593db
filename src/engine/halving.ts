/**
 * Out-of-memory retries for a batch of tiles: `isOutOfMemory` recognises onnxruntime's
 * allocation failures (its memory arena's "Failed to allocate memory for requested buffer of
 * size N", a CUDA call's "CUDA failure 2: out of memory", cuBLAS/cuDNN `*_STATUS_ALLOC_FAILED`),
 * and `runHalving` runs a batch in parts, halving the part after such a failure until one tile
 * fails on its own. Pure and isomorphic: the run is a parameter, so tests inject a failing one.
 */

const OUT_OF_MEMORY =
  /Failed to allocate memory for requested buffer|CUDA failure 2: out of memory|\bout of memory\b|_STATUS_ALLOC(ATION)?_FAILED/i;

/** True when `e` is onnxruntime's report of memory it could not allocate (on a GPU or the host). */
export function isOutOfMemory(e: unknown): boolean {
  const text = e instanceof Error ? e.message : String(e);
  return OUT_OF_MEMORY.test(text);
}

/**
 * Run items `0 .. total-1` as `run(start, count)` calls of at most `chunk` items, in order.
 * After an out-of-memory failure the part is retried as halves (and the smaller size is kept
 * for the rest); any other failure, or one of a single item, is thrown. Returns the part size
 * that worked, for the next batch to start with.
 */
export async function runHalving(
  total: number,
  chunk: number,
  run: (start: number, count: number) => Promise<void>,
  outOfMemory: (e: unknown) => boolean = isOutOfMemory,
): Promise<number> {
  let size = Math.max(1, Math.min(chunk, total));
  for (let start = 0; start < total; ) {
    const count = Math.min(size, total - start);
    try {
      await run(start, count);
      start += count;
    } catch (e) {
      if (count === 1 || !outOfMemory(e)) throw e;
      size = Math.ceil(count / 2);
    }
  }
  return size;
}
