/**
 * In-memory image source and sink (src/io/memory): region reads, and the sink's enforcement
 * of the ImageSink contract (begin first, bands in order without gaps, planes in order).
 */
import { describe, expect, it } from "vitest";
import { MemoryImageSink, MemoryImageSource } from "../../src/io/memory/index.js";
import type { OutputImageInfo } from "../../src/io/types.js";

describe("MemoryImageSource", () => {
  it("reads a rectangle of interleaved samples from the right plane", async () => {
    const plane0 = Uint8Array.from({ length: 4 * 3 * 2 }, (_, i) => i);
    const plane1 = Uint8Array.from({ length: 4 * 3 * 2 }, (_, i) => 100 + i);
    const src = new MemoryImageSource({ width: 4, height: 3, planes: [plane0, plane1], samplesPerPixel: 2, sizes: { t: 2 } });
    expect(src.info).toMatchObject({ sampleType: "uint8", sampleOrder: "gray-alpha", sizes: { scene: 1, t: 2, c: 1, z: 1 } });
    const r = await src.readRegion({ scene: 0, t: 1, c: 0, z: 0 }, { x: 1, y: 1, width: 2, height: 2 });
    // row 1: pixels 1,2 → samples 10..13; row 2: samples 18..21
    expect(Array.from(r)).toEqual([110, 111, 112, 113, 118, 119, 120, 121]);
    await expect(src.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 3, y: 0, width: 2, height: 1 })).rejects.toThrow(/outside/);
    await expect(src.readRegion({ scene: 0, t: 2, c: 0, z: 0 }, { x: 0, y: 0, width: 1, height: 1 })).rejects.toThrow(
      /t=2 is out of range/,
    );
  });

  it("rejects planes of the wrong size or count", () => {
    expect(() => new MemoryImageSource({ width: 2, height: 2, planes: [new Uint8Array(3)] })).toThrow(/3 uint8 samples; expected 4/);
    expect(() => new MemoryImageSource({ width: 1, height: 1, planes: [new Uint8Array(1)], sizes: { z: 2 } })).toThrow(
      /1 planes but its sizes need 2/,
    );
  });
});

describe("MemoryImageSink", () => {
  const info: OutputImageInfo = {
    width: 2,
    height: 3,
    sizes: { scene: 1, t: 1, c: 1, z: 2 },
    samplesPerPixel: 1,
    sampleType: "uint8",
    kind: "labels",
  };

  it("assembles bands into planes", async () => {
    const sink = new MemoryImageSink();
    await sink.begin(info);
    await sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 2, Uint8Array.of(1, 2, 3, 4));
    await sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 2, 1, Uint8Array.of(5, 6));
    await sink.writeBand({ scene: 0, t: 0, c: 0, z: 1 }, 0, 3, Uint8Array.of(7, 8, 9, 10, 11, 12));
    await sink.finish();
    expect(Array.from(sink.plane({ z: 0 }))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(sink.plane({ z: 1 }))).toEqual([7, 8, 9, 10, 11, 12]);
  });

  it("fails on bands out of order, wrong types, or an early finish", async () => {
    const sink = new MemoryImageSink();
    await expect(sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 1, new Uint8Array(2))).rejects.toThrow(/before begin/);
    await sink.begin(info);
    await expect(sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 1, 1, new Uint8Array(2))).rejects.toThrow(/out of order/);
    await expect(sink.writeBand({ scene: 0, t: 0, c: 0, z: 0 }, 0, 1, new Uint16Array(2))).rejects.toThrow(/sink expects uint8/);
    await expect(sink.finish()).rejects.toThrow(/after 0 of 2 planes/);
    await sink.abort();
    expect(sink.aborted).toBe(true);
  });
});
