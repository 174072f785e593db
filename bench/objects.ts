/**
 * `node --import tsx bench/objects.ts [--repeat-x N] [--repeat-y N] [--band-rows R] [--outlines]`
 *
 * Throughput and memory of the streaming objects pass alone: the real nuclei label image
 * (../shared/testdata, 1960 × 1416, class 128) repeated N × N times is generated band by band
 * (so the input costs no memory) and fed to `ObjectLabeler` with 8-connectivity. Objects cross
 * every seam of the repetition where the nuclei touch the image edge. Prints MP/s, the object
 * count, the most objects open at once and the peak RSS of this process.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { openImageFile } from "../src/io/node/open-file.js";
import { ObjectLabeler } from "../src/objects/index.js";

const { values } = parseArgs({
  options: {
    "repeat-x": { type: "string", default: "4" },
    "repeat-y": { type: "string", default: "4" },
    "band-rows": { type: "string", default: "256" },
    outlines: { type: "boolean", default: false },
  },
});
const rx = Number(values["repeat-x"]);
const ry = Number(values["repeat-y"]);
const bandRows = Number(values["band-rows"]);

const source = await openImageFile(join(import.meta.dirname, "..", "..", "shared", "testdata", "images", "nuclei_0000_labels.png"));
const { width: w, height: h } = source.info;
const tile = await source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: w, height: h });
await source.close();

const width = w * rx;
const height = h * ry;
let objects = 0;
const labeler = new ObjectLabeler(width, height, { outlines: values.outlines }, 0, () => objects++);
const band = new Uint8Array(width * bandRows);
const start = performance.now();
for (let y = 0; y < height; y += bandRows) {
  const rows = Math.min(bandRows, height - y);
  for (let r = 0; r < rows; r++) {
    const src = tile.subarray(((y + r) % h) * w, ((y + r) % h) * w + w);
    for (let k = 0; k < rx; k++) band.set(src, r * width + k * w);
  }
  labeler.addBand(band, rows);
}
const summary = labeler.finish();
const seconds = (performance.now() - start) / 1000;
const mp = (width * height) / 1e6;
console.log(
  JSON.stringify({
    width,
    height,
    megapixels: Number(mp.toFixed(1)),
    seconds: Number(seconds.toFixed(2)),
    megapixelsPerSecond: Number((mp / seconds).toFixed(1)),
    objects,
    peakOpen: summary.peakOpen,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
