/**
 * Chunk pieces on their own: two writers' parts of one chunk (taken from `ChunkGrid` as a work
 * unit's sink does) join into exactly the chunk one writer fills, zero past the image edge;
 * pieces that overlap, leave pixels out, reach outside the chunk or are not pieces at all are
 * one-line errors naming the piece.
 */
import { describe, expect, it } from "vitest";
import { ChunkGrid, type PartialChunk } from "../../src/io/chunk-grid.js";
import { encodePiece, joinPieces } from "../../src/io/zarr/chunk-pieces.js";

const sizes = { scene: 1, t: 1, c: 1, z: 1 };
const plane = { scene: 0, t: 0, c: 0, z: 0 };
/** A 10×6 two-sample uint16 image in 8×8 chunks: chunk (0, 1) holds x 8-9 only. */
const layout = { width: 10, height: 6, samplesPerPixel: 2, sampleType: "uint16" as const, sizes, chunkWidth: 8, chunkHeight: 8 };
const pieceLayout = { sampleType: "uint16" as const, samplesPerPixel: 2, chunkWidth: 8, chunkHeight: 8 };
const value = (x: number, y: number, k: number) => 1000 * k + 10 * y + x + 1;

function rect(x: number, y: number, width: number, height: number): Uint16Array {
  const data = new Uint16Array(width * height * 2);
  for (let j = 0; j < height; j++)
    for (let i = 0; i < width; i++) for (let k = 0; k < 2; k++) data[(j * width + i) * 2 + k] = value(x + i, y + j, k);
  return data;
}

/** Write rectangles into a grid and take what stays incomplete: one writer's pieces. */
async function piecesOf(rects: [number, number, number, number][]): Promise<PartialChunk[]> {
  const grid = new ChunkGrid(layout, async () => undefined);
  for (const [x, y, w, h] of rects) await grid.write(plane, { x, y, width: w, height: h }, rect(x, y, w, h));
  return grid.takePending();
}

describe("chunk pieces", () => {
  it("two writers' parts join into the chunk one writer fills", async () => {
    const whole: Uint16Array[] = [];
    const grid = new ChunkGrid(layout, async (chunks) => {
      for (const c of chunks) if (c.cx === 1) whole.push(Uint16Array.from(c.data as Uint16Array));
    });
    await grid.write(plane, { x: 0, y: 0, width: 10, height: 6 }, rect(0, 0, 10, 6));
    const a = (await piecesOf([[0, 0, 9, 6]])).find((c) => c.cx === 1)!; // x 8 only
    const b = (
      await piecesOf([
        [9, 0, 1, 2],
        [9, 2, 1, 4],
      ])
    ).find((c) => c.cx === 1)!; // x 9, in two parts
    const joined = joinPieces([
      { bytes: encodePiece(a, pieceLayout), where: "a" },
      { bytes: encodePiece(b, pieceLayout), where: "b" },
    ]);
    expect(Array.from(joined)).toEqual(Array.from(whole[0]!));
    expect(joined[(0 * 8 + 2) * 2]).toBe(0); // past the image edge: zero
  });

  it("refuses overlapping, incomplete, out-of-chunk and foreign pieces in one line", async () => {
    const a = encodePiece((await piecesOf([[0, 0, 9, 6]])).find((c) => c.cx === 1)!, pieceLayout);
    const b = encodePiece((await piecesOf([[8, 0, 2, 3]])).find((c) => c.cx === 1)!, pieceLayout);
    expect(() =>
      joinPieces([
        { bytes: a, where: "u0" },
        { bytes: b, where: "u1" },
      ]),
    ).toThrow(/^u1: two pieces of one chunk overlap$/);
    expect(() => joinPieces([{ bytes: a, where: "u0" }])).toThrow(/^u0: the pieces cover 6 of the chunk's 12 pixels$/);
    expect(() => joinPieces([{ bytes: new Uint8Array([1, 2, 3]), where: "u3" }])).toThrow(/^u3: not a chunk piece: no CZPC signature$/);
    const outside = Buffer.from(a);
    const at = outside.indexOf('"parts":[8,0,9,6]');
    expect(at).toBeGreaterThan(0);
    outside.write('"parts":[8,0,9,9]', at, "latin1");
    expect(() => joinPieces([{ bytes: outside, where: "u4" }])).toThrow(/^u4: a piece reaches outside its chunk$/);
  });
});
