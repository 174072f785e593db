/**
 * Extra CZI dimensions read as planes (`planeDimensions`, `--plane h=…`): a synthetic CZI with
 * T = 2, H = 1..3 and B = 0..1, one 4×4 Gray8 tile per plane whose pixels all hold
 * 100·T + 10·H + B, so every read names the plane it came from. The fold into T and its undoing
 * by `pickT` are checked against that formula.
 */
import { describe, expect, it } from "vitest";
import { pickT } from "../../src/io/extra-dimensions.js";
import { openBytes } from "./czi-helpers.js";
import { buildCzi, type SynthTile } from "./synthetic-czi.js";

function tile(t: number, h: number, b: number): SynthTile {
  return {
    x: 0,
    y: 0,
    width: 4,
    height: 4,
    pixelType: 0,
    dims: { T: t, H: h, B: b, C: 0 },
    data: new Uint8Array(16).fill(100 * t + 10 * h + b),
  };
}

const tiles: SynthTile[] = [];
for (let t = 0; t < 2; t++) for (let h = 1; h <= 3; h++) for (let b = 0; b < 2; b++) tiles.push(tile(t, h, b));
const bytes = buildCzi(tiles);
const RECT = { x: 0, y: 0, width: 4, height: 4 };

describe("CZI extra dimensions as planes", () => {
  it("without planeDimensions the file is refused, naming --plane for the dimension", async () => {
    await expect(openBytes(bytes, "hb.czi")).rejects.toThrow(/unsupported dimension B with size 2 .*--plane b=0-1/);
  });

  it("folds H and B into T, T slowest, B fastest, each offset to start at 0", async () => {
    const img = await openBytes(bytes, "hb.czi", { planeDimensions: ["b", "h"] });
    expect(img.info.sizes).toEqual({ scene: 1, t: 12, c: 1, z: 1 });
    expect(img.info.foldedIntoT).toEqual([
      { name: "h", size: 3 },
      { name: "b", size: 2 },
    ]);
    expect(img.info.details?.foldedIntoT).toEqual(["H=3", "B=2"]);
    for (let t = 0; t < 2; t++)
      for (let h = 0; h < 3; h++)
        for (let b = 0; b < 2; b++) {
          const px = await img.readRegion({ scene: 0, t: (t * 3 + h) * 2 + b, c: 0, z: 0 }, RECT);
          expect([...px]).toEqual(new Array(16).fill(100 * t + 10 * (h + 1) + b));
        }
    await img.close();
  });

  it("pickT maps a selection of T, H and B to folded t indices and keeps the one dimension with several indices", async () => {
    const img = await openBytes(bytes, "hb.czi", { planeDimensions: ["h", "b"] });
    expect(pickT(img.info, { t: [1], h: [0, 2], b: [1] })).toEqual({ t: [7, 11], modulo: { dimension: "h", indices: [0, 2] } });
    expect(pickT(img.info, { h: [1], b: [0] })).toEqual({ t: [2, 8] });
    expect(() => pickT(img.info, { h: [0, 1], b: [0, 1] })).toThrow(/several indices of both h and b are selected/);
    expect(() => pickT(img.info, { h: [3], b: [0] })).toThrow(/h index 3 is out of range/);
    expect(() => pickT(img.info, { h: [0], b: [0], v: [1] })).toThrow(/v index 1 is out of range/);
    expect(pickT(img.info, { h: [0], b: [0], v: [0] })).toEqual({ t: [0, 6] });
    await img.close();
  });
});
