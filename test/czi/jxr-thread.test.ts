/**
 * JPEG XR decoding in Node's worker thread (`io/czi/node/jxr-thread.ts`): the same pixels as
 * JxrDecApp (the SHA-256s of test/fixtures/jxr/cases.json) for every fixture, also many at
 * once; errors come back as one line; the caller's buffer is not taken; and a CZI opened by
 * path (`openCziFile`, `openImageFile`) decodes through it to the pixels of the in-thread decoder.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeJxr } from "../../src/io/czi/jxr.js";
import { openCziFile } from "../../src/io/czi/node/open-czi-file.js";
import { decodeJxrInWorker } from "../../src/io/czi/node/jxr-thread.js";
import { openImageFile } from "../../src/io/node/open-file.js";
import { fixture, tempDir } from "../helpers/paths.js";
import { openBytes } from "./czi-helpers.js";
import { buildCzi } from "./synthetic-czi.js";

const CASES: { name: string; sha256: string }[] = JSON.parse(readFileSync(fixture("jxr", "cases.json"), "utf8"));
const stream = (name: string) => new Uint8Array(readFileSync(fixture("jxr", `${name}.jxr`)));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("JPEG XR in a worker thread", () => {
  it("decodes every fixture like JxrDecApp, concurrently", async () => {
    const images = await Promise.all(CASES.map((c) => decodeJxrInWorker(stream(c.name))));
    expect(images.map((im) => sha(im.bytes))).toEqual(CASES.map((c) => c.sha256));
  });

  it("leaves the caller's bytes usable and reports errors in one line", async () => {
    const data = stream(CASES[0]!.name);
    await decodeJxrInWorker(data);
    expect(data.byteLength).toBeGreaterThan(0); // copied, not transferred away
    await expect(decodeJxrInWorker(new Uint8Array(64))).rejects.toThrow(/^jxrlib: [^\n]+$/);
    await expect(decodeJxrInWorker(data, 100)).rejects.toThrow(/^jxrlib: the image is larger than the limit/);
    expect(sha((await decodeJxrInWorker(data)).bytes)).toBe(CASES[0]!.sha256);
  });

  it("CZIs opened by path decode through it, to the in-thread decoder's pixels", async () => {
    const c = CASES.find((x) => x.name.startsWith("bgr48"))!;
    const [w, h] = [45, 29];
    const czi = buildCzi([{ x: 0, y: 0, width: w, height: h, dims: { C: 0 }, pixelType: 4, compression: 4, data: stream(c.name) }]);
    const path = join(await tempDir(), "bgr48.czi");
    await writeFile(path, czi);
    const expected = await (await openBytes(czi, "memory.czi", { decodeJxr })).readRegion(
      { scene: 0, t: 0, c: 0, z: 0 },
      { x: 0, y: 0, width: w, height: h },
    );
    for (const image of [await openCziFile(path), await openImageFile(path)]) {
      try {
        const got = await image.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: w, height: h });
        expect(Array.from(got)).toEqual(Array.from(expected));
      } finally {
        await image.close();
      }
    }
  });
});
