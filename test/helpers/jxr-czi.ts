/**
 * A pair of CZIs for end-to-end JPEG-XR tests (CLI and page): a mosaic of the committed
 * JxrEncApp tile `gray8-257x131-q90` (4 × 4 tiles, 1028 × 524, compression 4), and its twin
 * with the same decoded pixels stored uncompressed. The decoded pixels are JxrDecApp's (the
 * decode is checked against the SHA-256 test/fixtures/jxr/make.py recorded from JxrDecApp).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeJxr } from "../../src/io/czi/jxr.js";
import { buildCzi, type SynthTile } from "../czi/synthetic-czi.js";
import { fixture } from "./paths.js";

const TILE = "gray8-257x131-q90";
export const JXR_MOSAIC = { width: 4 * 257, height: 4 * 131 };

/** Write `name.jxr.czi` and `name.raw.czi` into `dir`; returns their paths. */
export async function writeJxrCziPair(dir: string, name = "mosaic"): Promise<{ jxr: string; raw: string }> {
  const cases: { name: string; sha256: string }[] = JSON.parse(readFileSync(fixture("jxr", "cases.json"), "utf8"));
  const stream = new Uint8Array(readFileSync(fixture("jxr", `${TILE}.jxr`)));
  const decoded = await decodeJxr(stream);
  if (createHash("sha256").update(decoded.bytes).digest("hex") !== cases.find((c) => c.name === TILE)?.sha256) {
    throw new Error(`${TILE}: decoded pixels differ from JxrDecApp's`);
  }
  const tiles = (compression: number, data: Uint8Array): SynthTile[] =>
    Array.from({ length: 16 }, (_, i) => ({
      x: (i % 4) * 257,
      y: Math.floor(i / 4) * 131,
      width: 257,
      height: 131,
      dims: { C: 0, M: i },
      pixelType: 0,
      compression,
      data,
    }));
  const jxr = join(dir, `${name}.jxr.czi`);
  const raw = join(dir, `${name}.raw.czi`);
  await writeFile(jxr, buildCzi(tiles(4, stream)));
  await writeFile(raw, buildCzi(tiles(0, decoded.bytes)));
  return { jxr, raw };
}
