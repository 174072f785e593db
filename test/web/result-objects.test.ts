/**
 * The worker's objects of a result (`web/src/result-objects.ts`) on a small label image: counts
 * per object class, the object under a pixel where bounding boxes nest (a ring around a dot) and
 * where they do not, and the CSV and GeoJSON it hands to the downloads.
 */
import { describe, expect, it } from "vitest";
import { MemoryImageSource } from "../../src/io/memory/index.js";
import { ResultObjects } from "../../web/src/result-objects.js";

const W = 9;
const H = 7;
// 1 = background, 2 = ring (id 1) around a dot (id 3), 3 = a bar (id 2, first in raster order) beside them
const ROWS = ["111111111", "122222113", "121112113", "121212113", "121112111", "122222111", "111111111"];
const CLASSES = [
  { value: 1, name: "Background", color: [255, 0, 0] as [number, number, number] },
  { value: 2, name: "Nucleus", color: [0, 255, 0] as [number, number, number] },
  { value: 3, name: "Debris", color: [0, 0, 255] as [number, number, number] },
];

async function objects(): Promise<ResultObjects> {
  const labels = Uint8Array.from(ROWS.join(""), Number);
  const intensity = Uint16Array.from({ length: W * H }, (_, i) => i);
  const image = new MemoryImageSource({ width: W, height: H, planes: [intensity] });
  return ResultObjects.compute(labels, W, H, CLASSES, image);
}

describe("objects of the page's result", () => {
  it("counts the objects of every class but the first", async () => {
    expect((await objects()).counts()).toEqual({
      total: 3,
      perClass: [
        { value: 2, name: "Nucleus", count: 2 },
        { value: 3, name: "Debris", count: 1 },
      ],
    });
  });

  it("finds the object under a pixel, also inside another object's box", async () => {
    const o = await objects();
    const at = (x: number, y: number) => o.details(x, y);
    expect(at(1, 1)).toMatchObject({ id: 1, value: 2, className: "Nucleus" });
    expect(at(3, 3)).toMatchObject({ id: 3, value: 2 });
    expect(at(8, 2)).toMatchObject({ id: 2, value: 3, className: "Debris" });
    expect(at(2, 2)).toBeNull(); // background inside the ring
    expect(at(9, 0)).toBeNull(); // off the image
    const dot = Object.fromEntries(at(3, 3)!.measurements);
    expect(dot).toMatchObject({ area_px: 1, centroid_y: 3, centroid_x: 3, mean_intensity: 3 * W + 3 });
    expect(Object.fromEntries(at(5, 5)!.measurements).area_px).toBe(16);
  });

  it("writes the CSV table and the GeoJSON outlines with the model's class names", async () => {
    const o = await objects();
    const csv = new TextDecoder().decode(o.csv()).split("\n");
    expect(csv[0]).toMatch(/^class,id,area_px,centroid_y,centroid_x,bbox_y,bbox_x,bbox_height,bbox_width,mean_intensity,/);
    expect(csv.slice(1, 4).map((r) => r.split(",").slice(0, 3).join(","))).toEqual(["2,1,16", "3,2,3", "2,3,1"]);
    const geo = JSON.parse(new TextDecoder().decode(await o.geojson()));
    expect(geo.features.map((f: { properties: { name: string } }) => f.properties.name)).toEqual(["Nucleus 1", "Debris 2", "Nucleus 3"]);
    expect(geo.features[0].geometry.type).toBe("Polygon");
    expect(geo.features[0].geometry.coordinates).toHaveLength(2); // the ring's outer edge and its hole
  });
});
