/** Deterministic test inputs for runs that need some data but no image (the spatial-invariance proof). Isomorphic. */

/** Deterministic pseudo-random data for test runs (LCG), values in [0, 1) or integers [0, max]. */
export function syntheticData(type: string, length: number, seed = 12345): Float32Array | Uint8Array | Uint16Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  if (type === "uint8") return Uint8Array.from({ length }, () => Math.floor(next() * 256));
  if (type === "uint16") return Uint16Array.from({ length }, () => Math.floor(next() * 65536));
  return Float32Array.from({ length }, next);
}
