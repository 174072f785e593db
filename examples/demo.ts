/**
 * `npm start`: the whole job on the embedded example, through the public library API.
 *
 * Packs `examples/data/blob-segmenter.onnx` (a small network shipped with the repo, made by
 * scripts/make_example.py) as a .czann and a legacy .czmodel, inspects and validates both
 * (structurally and by running them on the example image), predicts
 * `examples/data/cells.png` tile by tile like ZEN, and writes a label image and an overlay.
 * Everything goes to `out/demo/` (or the folder given as the first argument).
 */
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { encode } from "fast-png";
import {
  LegacyModelMetadata,
  ModelMetadata,
  convertFromModelSpec,
  describeModelFile,
  openImageFile,
  predictFile,
  readModelFile,
  renderOverlay,
  validateFile,
  writeFileAtomic,
  isCzmodelError,
} from "../src/index.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const modelPath = join(here, "data", "blob-segmenter.onnx");
const imagePath = join(here, "data", "cells.png");
const outDir = resolve(process.argv[2] ?? join(here, "..", "out", "demo"));
const show = (p: string) => relative(process.cwd(), p) || p;

async function main(): Promise<void> {
  console.log(`czmodel demo: packing, checking and running ${show(modelPath)}\n`);

  // 1. pack: the same network as a .czann (ZEN ≥ 3.5) and as a legacy .czmodel (ZEN ≥ 3.4)
  const czannMeta = ModelMetadata.fromParams({
    id: "0b1e5c1e-7a55-4c3b-9d8e-5e9a1b2c3d4e",
    type: "SingleClassSemanticSegmentation",
    inputShape: [256, 256, 1],
    outputShape: [256, 256, 2],
    minOverlap: [16, 16],
    classes: ["Background", "Cell"],
    modelName: "Blob segmenter",
    scaling: [6.5e-7, 6.5e-7],
  });
  const legacyMeta = LegacyModelMetadata.fromParams({
    id: "5f0c2d4e-1a2b-4c3d-8e9f-a0b1c2d3e4f5",
    modelName: "Blob segmenter",
    colorHandling: "SplitRgb",
    pixelTypes: ["Gray16"],
    classes: ["Background", "Cell"],
    borderSize: 8,
  });
  const packed = [
    await convertFromModelSpec({ model: modelPath, metadata: czannMeta }, outDir, "blob-segmenter"),
    await convertFromModelSpec({ model: modelPath, metadata: legacyMeta }, outDir, "blob-segmenter"),
  ];

  // 2. inspect and validate both (numeric check on a tile of the example image)
  for (const { path } of packed) {
    const d = describeModelFile(await readModelFile(path));
    const io = d.model.inputs.map((t) => `${t.name} [${t.shape.join(", ")}]`).join(", ");
    console.log(`packed   ${show(path)}`);
    console.log(`         ${d.format}, entries ${d.entries.map((e) => e.name).join(", ")}; ONNX IR ${d.model.irVersion}, input ${io}`);
    const report = await validateFile(path, { run: true, image: imagePath });
    const tile = report.numeric?.timing;
    console.log(
      `         ${report.ok ? "valid for ZEN" : "INVALID"}: ${report.errors} error(s), ${report.warnings} warning(s)${tile ? `; one tile runs in ${tile.tileMs.toFixed(1)} ms` : ""}`,
    );
    for (const f of report.findings.filter((x) => x.severity !== "info")) console.log(`         ${f.severity}: ${f.message}`);
  }

  // 3. predict the example image tile by tile, then draw the labels over it
  const labelsPath = join(outDir, "cells-labels.png");
  const result = await predictFile(packed[0]!.path, imagePath, labelsPath, { overwrite: true });
  console.log(`\npredicted ${show(imagePath)} -> ${show(labelsPath)}`);
  console.log(
    `         ${result.tiles} tiles of ${result.tile.join("x")} with ${result.border.join("/")} px borders, ${result.megapixelsPerSecond.toFixed(2)} MP/s; ${result.channelMapping}; ${result.inputScaling}`,
  );

  const image = await openImageFile(imagePath);
  const labels = await openImageFile(labelsPath);
  try {
    const { width, height } = image.info;
    const rect = { x: 0, y: 0, width, height };
    const plane = { scene: 0, t: 0, c: 0, z: 0 };
    const classes = result.outputs[0]?.classes ?? [];
    const labelData = (await labels.readRegion(plane, rect)) as Uint8Array;
    const rgb = renderOverlay({
      width,
      height,
      image: await image.readRegion(plane, rect),
      samplesPerPixel: image.info.samplesPerPixel,
      labels: labelData,
      classes,
      skipValues: classes.filter((c) => /^background$/i.test(c.name)).map((c) => c.value),
    });
    const overlayPath = join(outDir, "cells-overlay.png");
    await writeFileAtomic(overlayPath, encode({ width, height, data: rgb, channels: 3, depth: 8 }));
    const cellPixels = labelData.reduce((n, v) => n + (v === 2 ? 1 : 0), 0);
    console.log(`overlay  ${show(overlayPath)} (${((100 * cellPixels) / labelData.length).toFixed(1)} % of the pixels are "Cell")`);
  } finally {
    await image.close();
    await labels.close();
  }

  console.log(`\nall files are in ${show(outDir)}; next, try:`);
  console.log(`  npx czmodel inspect ${show(packed[0]!.path)}`);
  console.log(`  npx czmodel predict ${show(packed[0]!.path)} ${show(imagePath)} -o ${show(join(outDir, "labels.ome.tif"))} --overwrite`);
}

main().catch((e: unknown) => {
  console.error(isCzmodelError(e) ? `demo failed: ${e.message}` : e);
  process.exitCode = isCzmodelError(e) ? e.exitCode : 1;
});
