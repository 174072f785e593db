/**
 * `czmodel image-info FILE [--json]`: dimensions, pixel type, compression, scaling, scenes
 * and pyramid levels of any image the tool reads (PNG, TIFF/OME-TIFF, OME-Zarr, CZI).
 */
import type { Command } from "commander";
import { openImageFile } from "../../io/node/open-file.js";
import type { ImageInfo } from "../../io/types.js";
import { cziOtherDimensionsOption, imageOpenOptionsFrom, type ImageOpenCliOptions } from "../image-options.js";
import { formatTable, printJson, printLines } from "../output.js";

export function registerImageInfo(program: Command): void {
  program
    .command("image-info")
    .description("show dimensions, pixel type, compression, scaling, scenes and pyramid levels of an image")
    .argument("<file>", "PNG, TIFF / BigTIFF / OME-TIFF, CZI file, or an OME-Zarr folder")
    .addOption(cziOtherDimensionsOption())
    .option("--json", "print one JSON document")
    .option("--debug", "show stack traces on errors")
    .addHelpText(
      "after",
      "\nExample:\n  czmodel image-info cells.czi\n  czmodel image-info stack.ome.tif --json\n  czmodel image-info multi-view.czi --czi-other-dimensions first",
    )
    .action(async (file: string, opts: { json?: boolean } & ImageOpenCliOptions) => {
      const source = await openImageFile(file, imageOpenOptionsFrom(opts));
      try {
        if (opts.json) printJson({ file, ...source.info });
        else printLines(imageInfoText(file, source.info));
      } finally {
        await source.close();
      }
    });
}

const METRE_UNITS: [number, string][] = [
  [1e-9, "nm"],
  [1e-6, "µm"],
  [1e-3, "mm"],
  [1, "m"],
];

function length(m: number): string {
  const [scale, unit] = METRE_UNITS.find(([s]) => m < s * 1000) ?? [1, "m"];
  return `${Number((m / scale).toPrecision(6))} ${unit}`;
}

/** `{a: 1, b: [2, 3]}` → `a=1 b=2x3`; lists of those joined with `; `. */
function detailValue(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? "none" : v.map((x) => detailValue(x)).join(typeof v[0] === "object" ? "; " : ", ");
  if (typeof v === "object" && v !== null) {
    return Object.entries(v)
      .map(([k, x]) => `${k}=${Array.isArray(x) ? x.join("x") : typeof x === "object" && x !== null ? JSON.stringify(x) : String(x)}`)
      .join(" ");
  }
  return String(v);
}

function imageInfoText(file: string, info: ImageInfo): string[] {
  const s = info.sizes;
  const rows: string[][] = [
    ["format", info.format],
    ["size", `${info.width} x ${info.height} (W x H)`],
    ["planes", `scenes ${s.scene}, T ${s.t}, C ${s.c}, Z ${s.z}`],
    [
      "pixel",
      `${info.samplesPerPixel} x ${info.sampleType} (${info.sampleOrder})${info.significantBits ? `, ${info.significantBits} significant bits` : ""}`,
    ],
  ];
  const p = info.physicalSize;
  if (p && (p.x || p.y || p.z))
    rows.push([
      "pixel size",
      [p.x ? `x ${length(p.x)}` : "", p.y ? `y ${length(p.y)}` : "", p.z ? `z ${length(p.z)}` : ""].filter(Boolean).join(", "),
    ]);
  if (info.channelNames?.length) rows.push(["channels", info.channelNames.join(", ")]);
  if (info.labelClasses) rows.push(["classes", info.labelClasses.map((c) => `${c.value} ${c.name}`).join(", ")]);
  if (info.scenes.length > 1) {
    for (const [i, sc] of info.scenes.entries()) {
      rows.push([
        `scene ${i}`,
        `${sc.width} x ${sc.height}${sc.origin ? ` at (${sc.origin.x}, ${sc.origin.y})` : ""}${sc.name ? ` "${sc.name}"` : ""}`,
      ]);
    }
  }
  for (const [k, v] of Object.entries(info.details ?? {})) rows.push([k, detailValue(v)]);
  return [`${file}:`, ...formatTable(rows)];
}
