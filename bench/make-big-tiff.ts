/**
 * Make a large tiled BigTIFF for benchmarks by mirror-tiling a small image.
 *
 *   node --import tsx bench/make-big-tiff.ts [input.png] [output.ome.tif] [size] [--no-compress]
 *
 * Defaults: ../shared/testdata/images/nuclei_0000.png → /tmp/nuclei_32k.ome.tif, 32768×32768.
 */
import { makeBigTiffFromImage } from "../src/io/tiff/node/make-big-tiff.js";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const input = args[0] ?? new URL("../../shared/testdata/images/nuclei_0000.png", import.meta.url).pathname;
const output = args[1] ?? "/tmp/nuclei_32k.ome.tif";
const size = Number(args[2] ?? 32768);
const started = Date.now();
await makeBigTiffFromImage(input, output, {
  width: size,
  height: size,
  compress: !process.argv.includes("--no-compress"),
  overwrite: true,
  onProgress: (done, total) => process.stderr.write(`\r${done}/${total} rows`),
});
process.stderr.write(`\nwrote ${output} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
