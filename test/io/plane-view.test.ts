/**
 * `planeView`: one plane stack of a multi-plane image seen as an image of its own — the
 * samples of the chosen planes, the sizes and channel names it describes, reads into a
 * caller's buffer passed through, and an index beyond the image, or an axis of several planes
 * left out, refused with a one-line error.
 */
import { describe, expect, it } from "vitest";
import { MemoryImageSource } from "../../src/io/memory/memory-source.js";
import { PlanesView, planeView } from "../../src/io/plane-view.js";
import type { PlaneIndex, Rect, SampleArray } from "../../src/io/types.js";

/** A 3×2 image of T 2, C 2, Z 3 whose every sample is 100·t + 10·c + z (planes in scene, t, c, z order). */
function stack(): MemoryImageSource {
  const planes: Uint8Array[] = [];
  for (let t = 0; t < 2; t++)
    for (let c = 0; c < 2; c++) for (let z = 0; z < 3; z++) planes.push(new Uint8Array(6).fill(100 * t + 10 * c + z));
  return new MemoryImageSource({ width: 3, height: 2, planes, sizes: { t: 2, c: 2, z: 3 }, channelNames: ["DAPI", "GFP"] });
}

const rect = { x: 0, y: 0, width: 3, height: 2 };
const first = { scene: 0, t: 0, c: 0, z: 0 };

describe("planeView", () => {
  it("reads the chosen scene, t and z, every channel, and describes one plane stack", async () => {
    const view = planeView(stack(), { t: 1, z: 2 }, "the image");
    expect(view.info.sizes).toEqual({ scene: 1, t: 1, c: 2, z: 1 });
    expect(view.info.channelNames).toEqual(["DAPI", "GFP"]);
    expect([...(await view.readRegion(first, rect))]).toEqual(Array(6).fill(102));
    expect([...(await view.readRegion({ ...first, c: 1 }, rect))]).toEqual(Array(6).fill(112));
  });

  it("with c, one channel: its name and its samples", async () => {
    const view = planeView(stack(), { t: 0, z: 1, c: 1 }, "the image");
    expect(view.info.sizes).toEqual({ scene: 1, t: 1, c: 1, z: 1 });
    expect(view.info.channelNames).toEqual(["GFP"]);
    expect([...(await view.readRegion(first, rect))]).toEqual(Array(6).fill(11));
  });

  it("passes a read into the caller's buffer through to the source", async () => {
    const source = stack();
    const asked: PlaneIndex[] = [];
    const into = Object.assign(source, {
      readRegionInto: async (plane: PlaneIndex, r: Rect, out: SampleArray) => {
        asked.push(plane);
        out.set(await source.readRegion(plane, r));
        return out;
      },
    });
    const view = planeView(into, { t: 1, z: 0 }, "the image") as typeof into;
    const out = new Uint8Array(6);
    expect(await view.readRegionInto(first, rect, out)).toBe(out);
    expect([...out]).toEqual(Array(6).fill(100));
    expect(asked).toEqual([{ scene: 0, t: 1, c: 0, z: 0 }]);
  });

  it("refuses an index beyond the image, or an axis of several planes left out, naming it and the allowed range", () => {
    expect(() => planeView(stack(), { t: 0, z: 3 }, "the label image")).toThrow("z=3, but the label image has 3 Z planes");
    expect(() => planeView(stack(), { t: 0, z: 0, scene: 1 }, "the image")).toThrow("scene=1, but the image has 1 scene");
    // an axis of several planes left out would be read at index 0 without a word
    expect(() => planeView(stack(), { t: 1 }, "the label image")).toThrow("the label image has 3 Z planes: pick one");
  });

  it("PlanesView: any planes of one scene as channels in their order, names and colours following; a plane outside is an internal error", async () => {
    let closed = 0;
    const source = Object.assign(stack(), { close: async () => void closed++ });
    source.info.channelColors = [
      [0, 0, 255],
      [0, 255, 0],
    ];
    const view = new PlanesView(
      source,
      [
        { scene: 0, t: 1, c: 1, z: 2 },
        { scene: 0, t: 0, c: 0, z: 1 },
      ],
      false,
    );
    expect(view.info.sizes).toEqual({ scene: 1, t: 1, c: 2, z: 1 });
    expect(view.info.channelNames).toEqual(["GFP", "DAPI"]);
    expect(view.info.channelColors).toEqual([
      [0, 255, 0],
      [0, 0, 255],
    ]);
    expect([...(await view.readRegion(first, rect))]).toEqual(Array(6).fill(112));
    expect([...(await view.readRegion({ ...first, c: 1 }, rect))]).toEqual(Array(6).fill(1));
    expect(() => view.readRegion({ ...first, c: 2 }, rect)).toThrow("outside the view");
    await view.close();
    expect(closed).toBe(0); // not the owner
    await planeView(source, { t: 0, z: 0 }, "the image").close();
    expect(closed).toBe(1);
  });
});
