/**
 * `writeFully` (bytes/node/write-fully.ts): every byte lands where it should, whether the
 * buffer goes out in one `write` (small), as one `writev` of 128 KiB pieces, or as several
 * `writev` calls (more than 1024 pieces), appended or at a position.
 */
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFully } from "../../src/bytes/node/write-fully.js";
import { tempDir } from "../helpers/paths.js";

/** `n` bytes that differ from piece to piece and from their neighbours. */
function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed + (i >> 17)) & 255;
  return out;
}

describe("writeFully", () => {
  it("writes small, pieced and many-pieced buffers, appended and at positions", async () => {
    const path = join(await tempDir(), "out.bin");
    const small = pattern(1000, 1);
    const pieced = pattern(5 * (1 << 20) + 7, 2); // 41 pieces in one writev
    const many = pattern(129 * (1 << 20) + 3, 3); // 1033 pieces: two writev calls
    const handle = await open(path, "w");
    try {
      await writeFully(handle, small);
      await writeFully(handle, pieced);
      await writeFully(handle, many, small.length + pieced.length);
      await writeFully(handle, pattern(300_000, 4), 10); // over the start, across a piece boundary
    } finally {
      await handle.close();
    }
    const want = Buffer.concat([small, pieced, many]);
    want.set(pattern(300_000, 4), 10);
    const got = await readFile(path);
    expect(got.length).toBe(want.length);
    expect(got.equals(want)).toBe(true);
  });
});
