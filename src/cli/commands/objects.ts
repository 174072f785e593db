/**
 * `czmodel objects LABELS [IMAGE]`: objects of a label image (connected components per class)
 * with measurements, written as a CSV table (`--objects`) and QuPath GeoJSON outlines
 * (`--outlines`); IMAGE adds intensity columns per channel. See docs/objects.md.
 */
import type { Command } from "commander";
import { Option } from "commander";
import { objectsFile } from "../../objects/node/objects-file.js";
import { intList, oneOf } from "../args.js";
import { formatTable, printJson, printLines } from "../output.js";
import { createProgress } from "../progress.js";

interface ObjectsCliOptions {
  objects?: string;
  outlines?: string;
  connectivity: "4" | "8";
  objectsOf?: number[];
  minArea?: number;
  maxArea?: number;
  excludeBorder?: boolean;
  bandRows?: number;
  overwrite?: boolean;
  quiet?: boolean;
  json?: boolean;
}

const area = (option: string) => (text: string) => intList(option, { count: [1] })(text)[0]!;

export function registerObjects(program: Command): void {
  program
    .command("objects")
    .description("count and measure the objects of a label image: connected components per class, streamed in bands")
    .argument("<labels>", "label image (PNG, TIFF / OME-TIFF, OME-Zarr folder): 0 = background, other values = classes")
    .argument("[image]", "intensity image of the same size: adds mean/min/max/std intensity per channel")
    .option("--objects <file.csv>", "write the objects table (one row per object)")
    .option("--outlines <file.geojson>", "write object outlines as QuPath GeoJSON (FeatureCollection)")
    .addOption(
      new Option("--connectivity <n>", "4: edge neighbours only; 8: corners too").argParser(oneOf(["4", "8"] as const)).default("8"),
    )
    .option("--objects-of <classes>", "label values that form objects (default: every value but 0)", intList("--objects-of", { min: 1 }))
    .option("--min-area <px>", "drop objects with fewer pixels", area("--min-area"))
    .option("--max-area <px>", "drop objects with more pixels", area("--max-area"))
    .option("--exclude-border", "drop objects that touch the image edge")
    .addOption(new Option("--band-rows <n>", "rows read at a time (memory, not results)").argParser(area("--band-rows")).hideHelp())
    .option("--overwrite", "replace existing outputs")
    .option("--quiet", "no progress bar")
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces on errors")
    .addHelpText(
      "after",
      [
        "",
        "Ids are 1..N in raster order of each object's first pixel (as scipy.ndimage.label numbers them),",
        "over all classes, after the filters. Columns: class, id, area_px, area_um2 (with a pixel size),",
        "centroid_y, centroid_x, bbox_y, bbox_x, bbox_height, bbox_width, mean/min/max/std_intensity",
        "(_c0, _c1 … for several channels), perimeter (Crofton), equivalent_diameter, eccentricity, solidity.",
        "",
        "Example:",
        "  czmodel objects labels.png cells.png --objects cells.csv --outlines cells.geojson --min-area 20",
        "  czmodel objects labels.ome.tiff --objects-of 2 --connectivity 4 --exclude-border --json",
      ].join("\n"),
    )
    .action(async (labels: string, image: string | undefined, opts: ObjectsCliOptions) => {
      const progress = createProgress("objects", opts);
      let result: Awaited<ReturnType<typeof objectsFile>>;
      try {
        result = await objectsFile(labels, image, {
          connectivity: opts.connectivity === "4" ? 4 : 8,
          ...(opts.objectsOf ? { classes: opts.objectsOf } : {}),
          ...(opts.minArea !== undefined ? { minArea: opts.minArea } : {}),
          ...(opts.maxArea !== undefined ? { maxArea: opts.maxArea } : {}),
          excludeBorder: Boolean(opts.excludeBorder),
          ...(opts.bandRows ? { bandRows: opts.bandRows } : {}),
          ...(opts.objects ? { table: opts.objects } : {}),
          ...(opts.outlines ? { outlinesPath: opts.outlines } : {}),
          overwrite: Boolean(opts.overwrite),
          onProgress: (done, total) => progress.update(done, total),
        });
      } finally {
        progress.stop();
      }
      if (opts.json) {
        printJson({ labels, ...(image ? { image } : {}), ...result });
        return;
      }
      const rows = [
        ["objects", String(result.objects)],
        ...Object.entries(result.perClass).map(([c, n]) => [`class ${c}`, String(n)]),
        ["dropped by filters", String(result.components - result.objects)],
        ...result.outputs.map((f) => ["wrote", f]),
      ];
      printLines([`${labels} (${result.width} x ${result.height}):`, ...formatTable(rows)]);
    });
}
