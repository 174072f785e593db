/**
 * `InputRows`: the regions a prediction reads through `observe()` come back as whole rows:
 * `take` copies them into a band (interleaved samples as read), `bandRows` hands out the kept
 * rows of a one-sample image; a row never read, or one before `done`, is not there.
 */
import { describe, expect, it } from "vitest";
import { MemoryImageSource } from "../../src/browser.js";
import { InputRows } from "../../src/objects/input-rows.js";

const width = 13;
const height = 9;
const plane = (c: number) => ({ scene: 0, t: 0, c, z: 0 });

/** Overlapping windows that together cover rows 0..height-1 (as tiles with borders do). */
async function readTiles(rows: InputRows): Promise<void> {
  const source = rows.observe();
  for (const c of [0, 1])
    for (const [x, y, w, h] of [
      [0, 0, 8, 6],
      [5, 0, 8, 6],
      [0, 4, 8, 5],
      [5, 4, 8, 5],
    ] as const)
      await source.readRegion(plane(c), { x, y, width: w, height: h });
}

describe("InputRows", () => {
  it("two-sample pixels: take copies the kept rows as the source has them", async () => {
    const data = Uint16Array.from({ length: width * height * 2 }, (_, i) => (i * 7919) % 65536);
    const source = new MemoryImageSource({ width, height, planes: [data, data.map((v) => v ^ 1)], samplesPerPixel: 2, sizes: { c: 2 } });
    const rows = new InputRows(source);
    await readTiles(rows);
    for (const c of [0, 1]) {
      const out = new Uint16Array(3 * width * 2);
      expect(rows.take(c, 2, 3, out)).toBe(true);
      expect(out).toEqual(await source.readRegion(plane(c), { x: 0, y: 2, width, height: 3 }));
    }
    expect(rows.bandRows(0, 3)).toBeUndefined(); // one array per row only for one sample per pixel
    rows.done(5);
    expect(rows.take(0, 4, 2, new Uint16Array(2 * width * 2))).toBe(false);
  });

  it("one-sample pixels: bandRows hands out the kept rows; rows never read are missing", async () => {
    const data = Uint8Array.from({ length: width * height }, (_, i) => (i * 31) % 256);
    const source = new MemoryImageSource({ width, height, planes: [data, data.map((v) => 255 - v)], sizes: { c: 2 } });
    const rows = new InputRows(source);
    expect(rows.bandRows(0, 2)).toBeUndefined();
    await readTiles(rows);
    const band = rows.bandRows(3, 4)!;
    for (const c of [0, 1])
      for (let r = 0; r < 4; r++) expect(band[c]![r]).toEqual(await source.readRegion(plane(c), { x: 0, y: 3 + r, width, height: 1 }));
    expect(rows.bandRows(7, 3)).toBeUndefined(); // row 9 does not exist, so was never read
  });

  it("windows read in any order, with gaps filled later and rows read again, give the source's rows", async () => {
    const data = Uint16Array.from({ length: width * height }, (_, i) => (i * 7919) % 65536);
    const source = new MemoryImageSource({ width, height, planes: [data] });
    const windows: [number, number, number, number][] = [
      [9, 0, 4, 5],
      [0, 0, 4, 9],
      [3, 2, 7, 7],
      [2, 0, 9, 3],
      [8, 4, 5, 5],
    ];
    // every order of the five windows (each covers part of the rows; together all of them)
    const orders = (items: number[]): number[][] =>
      items.length <= 1 ? [items] : items.flatMap((item) => orders(items.filter((i) => i !== item)).map((rest) => [item, ...rest]));
    for (const order of orders([0, 1, 2, 3, 4])) {
      const rows = new InputRows(source);
      const observed = rows.observe();
      for (const k of order) {
        const [x, y, w, h] = windows[k]!;
        await observed.readRegion(plane(0), { x, y, width: w, height: h });
      }
      const out = new Uint16Array(width * height);
      expect(rows.take(0, 0, height, out)).toBe(true);
      expect(out, `order ${order.join(",")}`).toEqual(data);
    }
  });
});
