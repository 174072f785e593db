/**
 * `InputWindows`: the regions a prediction reads through `observe()` are kept as read, and come
 * back as the source's rows: `take` copies them into a band (interleaved samples as read),
 * `rowPieces` hands out each row of a one-sample image as pieces of the kept windows; a pixel
 * never read, or rows whose windows went back to the pool (`done`), are not there. The engine
 * sees no `readRegionInto`, and a window back in the pool is read into again.
 */
import { describe, expect, it } from "vitest";
import { MemoryImageSource } from "../../src/browser.js";
import type { ImageSource, PlaneIndex, Rect, SampleArray } from "../../src/io/types.js";
import type { RowPieces } from "../../src/objects/labeler.js";
import { InputWindows } from "../../src/objects/input-windows.js";

const width = 13;
const height = 9;
const plane = (c: number) => ({ scene: 0, t: 0, c, z: 0 });

/** Overlapping windows that together cover rows 0..height-1 (as tiles with borders do). */
async function readTiles(windows: InputWindows): Promise<void> {
  const source = windows.observe();
  for (const c of [0, 1])
    for (const [x, y, w, h] of [
      [0, 0, 8, 6],
      [5, 0, 8, 6],
      [0, 4, 8, 5],
      [5, 4, 8, 5],
    ] as const)
      await source.readRegion(plane(c), { x, y, width: w, height: h });
}

/** A row put back together from its pieces. */
function joined(row: RowPieces): number[] {
  const out: number[] = [];
  for (let k = 0; k < row.starts.length; k++)
    for (let x = row.starts[k]!; x < row.ends[k]!; x++) out.push(row.data[k]![row.offsets[k]! + x]!);
  return out;
}

/** A memory source that also reads into a caller's buffer (as TIFF does), recording the buffers. */
function readingInto(source: MemoryImageSource, buffers: SampleArray[]): ImageSource {
  return {
    info: source.info,
    readRegion: (p, r) => source.readRegion(p, r),
    readRegionInto: async (p: PlaneIndex, r: Rect, out: SampleArray) => {
      buffers.push(out);
      const data = await source.readRegion(p, r);
      const view = out.subarray(0, data.length);
      (view as Uint16Array).set(data as Uint16Array);
      return view;
    },
    close: () => source.close(),
  } as ImageSource;
}

describe("InputWindows", () => {
  it("two-sample pixels: take copies the kept windows' pixels as the source has them", async () => {
    const data = Uint16Array.from({ length: width * height * 2 }, (_, i) => (i * 7919) % 65536);
    const source = new MemoryImageSource({ width, height, planes: [data, data.map((v) => v ^ 1)], samplesPerPixel: 2, sizes: { c: 2 } });
    const windows = new InputWindows(source);
    await readTiles(windows);
    for (const c of [0, 1]) {
      const out = new Uint16Array(3 * width * 2);
      expect(windows.take(c, 2, 3, out)).toBe(true);
      expect(out).toEqual(await source.readRegion(plane(c), { x: 0, y: 2, width, height: 3 }));
    }
    expect(windows.rowPieces(0, 3)).toBeUndefined(); // pieces only for one sample per pixel
    windows.done(6); // the top windows (rows 0..5) go back; rows 4.. are still in the bottom ones
    expect(windows.take(0, 3, 2, new Uint16Array(2 * width * 2))).toBe(false);
    const out = new Uint16Array(2 * width * 2);
    expect(windows.take(1, 4, 2, out)).toBe(true);
    expect(out).toEqual(await source.readRegion(plane(1), { x: 0, y: 4, width, height: 2 }));
  });

  it("one-sample pixels: rowPieces gives each row as pieces of the windows; rows never read are missing", async () => {
    const data = Uint8Array.from({ length: width * height }, (_, i) => (i * 31) % 256);
    const source = new MemoryImageSource({ width, height, planes: [data, data.map((v) => 255 - v)], sizes: { c: 2 } });
    const windows = new InputWindows(source);
    expect(windows.rowPieces(0, 2)).toBeUndefined();
    await readTiles(windows);
    const band = windows.rowPieces(3, 4)!;
    for (const c of [0, 1])
      for (let r = 0; r < 4; r++) {
        const row = await source.readRegion(plane(c), { x: 0, y: 3 + r, width, height: 1 });
        expect(joined(band[c]![r]!)).toEqual([...row]);
        expect(band[c]![r]!.starts).toEqual([0, 8]); // two windows side by side, the overlap taken once
      }
    expect(windows.rowPieces(7, 3)).toBeUndefined(); // row 9 does not exist, so was never read
  });

  it("done keeps a window whose remaining rows only part of a later window holds", async () => {
    const data = Uint8Array.from({ length: width * height }, (_, i) => (i * 31) % 256);
    const source = new MemoryImageSource({ width, height, planes: [data] });
    const windows = new InputWindows(source);
    const observed = windows.observe();
    for (const [x, y, w, h] of [
      [0, 0, 8, 6],
      [5, 0, 8, 6],
      [0, 4, 8, 5],
    ] as const)
      await observed.readRegion(plane(0), { x, y, width: w, height: h });
    windows.done(4); // the top-left window goes back (the bottom-left one holds its rows 4, 5); the top-right one stays
    const pieces = windows.rowPieces(4, 2)!;
    for (let r = 0; r < 2; r++) {
      expect(joined(pieces[0]![r]!)).toEqual([...data.subarray((4 + r) * width, (5 + r) * width)]);
      expect(pieces[0]![r]!.starts).toEqual([0, 8]);
    }
    expect(windows.rowPieces(3, 1)).toBeUndefined(); // row 3 was only in the top-left window
  });

  it("windows read in any order, with gaps filled later and rows read again, give the source's rows", async () => {
    const data = Uint16Array.from({ length: width * height }, (_, i) => (i * 7919) % 65536);
    const source = new MemoryImageSource({ width, height, planes: [data] });
    const rects: [number, number, number, number][] = [
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
      const windows = new InputWindows(source);
      const observed = windows.observe();
      for (const k of order.slice(0, -1)) {
        const [x, y, w, h] = rects[k]!;
        await observed.readRegion(plane(0), { x, y, width: w, height: h });
      }
      expect(windows.take(0, 0, height, new Uint16Array(width * height)), `order ${order.join(",")}: one window missing`).toBe(false);
      const [x, y, w, h] = rects[order[4]!]!;
      await observed.readRegion(plane(0), { x, y, width: w, height: h });
      const out = new Uint16Array(width * height);
      expect(windows.take(0, 0, height, out)).toBe(true);
      expect(out, `order ${order.join(",")}`).toEqual(data);
    }
  });

  it("the engine reads through readRegion only, into pool buffers that come back once later windows hold their rows", async () => {
    const data = Uint16Array.from({ length: width * height }, (_, i) => i);
    const buffers: SampleArray[] = [];
    const windows = new InputWindows(readingInto(new MemoryImageSource({ width, height, planes: [data] }), buffers));
    const observed = windows.observe();
    expect("readRegionInto" in observed).toBe(false);
    const top = await observed.readRegion(plane(0), { x: 0, y: 0, width, height: 4 });
    const bottom = await observed.readRegion(plane(0), { x: 0, y: 3, width, height: 6 });
    expect(buffers.length).toBe(2);
    expect(buffers[1]!.buffer).not.toBe(buffers[0]!.buffer); // the top window is still kept
    windows.done(3); // row 3 of the top window is also in the bottom one: the top one goes back
    expect([...joined(windows.rowPieces(3, 1)![0]![0]!)]).toEqual([...data.subarray(3 * width, 4 * width)]);
    const again = await observed.readRegion(plane(0), { x: 0, y: 5, width, height: 4 });
    expect(buffers[2]!.buffer).toBe(buffers[0]!.buffer); // the top window's buffer, back from the pool
    expect([...again]).toEqual([...data.subarray(5 * width)]);
    expect([...top]).toEqual([...data.subarray(5 * width, 9 * width)]); // (the old view now sees the new rows)
    expect(bottom.length).toBe(6 * width);
  });
});
