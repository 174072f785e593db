/**
 * The OME-XML (schema 2016-06) that `OmeTiffSink` puts into the first IFD's ImageDescription.
 *
 * One `Image` per scene, `DimensionOrder="XYZCT"` (Z fastest, then C, then T), one
 * `TiffData` per image pointing at its first IFD. Output samples (K probabilities, C_out
 * regression channels) are stored as separate C planes, so `SizeC = C × K`.
 *
 * Segmentation metadata goes into `StructuredAnnotations`, linked from every `Image`:
 * - MapAnnotation `czmodel/output`: `kind` (labels | probabilities | regression),
 *   `unclassified-value` when set, and the free-form provenance (`description`) entries;
 * - MapAnnotation `czmodel/class-names`: key = label value, value = class name;
 * - MapAnnotation `czmodel/class-colors`: key = label value, value = `#rrggbb`.
 * Probability channels are also named after their class and carry the class colour
 * (`Channel Color`, RGBA as a signed 32-bit integer). An extra dimension folded into T (CZI
 * H, B …: `tModulo`) is described the way Bio-Formats describes lifetime or phase bins: an
 * `XMLAnnotation` in the `openmicroscopy.org/omero/dimension/modulo` namespace holding a
 * `ModuloAlongT`, referenced first from every `Image`. The XML is pure ASCII: other characters
 * are written as character references, so any TIFF reader takes it as an ASCII tag.
 * Isomorphic.
 */
import type { ExtraDimension, OutputClass, PhysicalSize, TModulo } from "../types.js";
import { roundSignificant } from "../physical-units.js";
import { bytesToHex } from "../../bytes/hex.js";

export interface OmeChannelSpec {
  name?: string;
  color?: [number, number, number];
}

export interface OmeImageSpec {
  name?: string;
  width: number;
  height: number;
  sizeZ: number;
  sizeC: number;
  sizeT: number;
  /** OME pixel type: `uint8`, `uint16`, `float` … */
  pixelType: string;
  physicalSize?: PhysicalSize;
  channels: OmeChannelSpec[];
  /** Index of the image's first IFD; its planes follow in XYZCT order. */
  firstIfd: number;
}

export interface OmeMapAnnotation {
  namespace: string;
  entries: [string, string][];
}

export interface OmeXmlOptions {
  creator?: string;
  uuid?: string;
  /** An extra dimension folded into T, written as `ModuloAlongT`. */
  tModulo?: TModulo;
}

/** OME modulo `Type` and a description for each extra CZI dimension. */
const MODULO_TYPES: Record<ExtraDimension, [string, string]> = {
  h: ["phase", "CZI H (phase)"],
  r: ["angle", "CZI R (rotation)"],
  b: ["other", "CZI B (block)"],
  v: ["other", "CZI V (view)"],
  i: ["other", "CZI I (illumination)"],
};
const MODULO_ID = "Annotation:Modulo:0";

/** The `XMLAnnotation` that says T holds `m.indices.length` positions of an extra dimension inside each time point. */
function moduloAnnotation(m: TModulo): string {
  const [type, description] = MODULO_TYPES[m.dimension];
  const first = m.indices[0]!;
  const contiguous = m.indices.every((v, i) => v === first + i);
  const along = contiguous
    ? `<ModuloAlongT${attrs([
        ["Type", type],
        ["TypeDescription", description],
        ["Start", first],
        ["Step", 1],
        ["End", first + m.indices.length - 1],
      ])}/>`
    : `<ModuloAlongT${attrs([
        ["Type", type],
        ["TypeDescription", description],
      ])}>${m.indices.map((v) => `<Label>${v}</Label>`).join("")}</ModuloAlongT>`;
  return (
    `<XMLAnnotation${attrs([
      ["ID", MODULO_ID],
      ["Namespace", "openmicroscopy.org/omero/dimension/modulo"],
    ])}><Value>` + `<Modulo namespace="http://www.openmicroscopy.org/Schemas/Additions/2011-09">${along}</Modulo></Value></XMLAnnotation>`
  );
}

const OME_NAMESPACE = "http://www.openmicroscopy.org/Schemas/OME/2016-06";

/** Escape text for an XML attribute or element; non-ASCII characters become `&#N;`. */
export function xmlEscape(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (ch === '"') out += "&quot;";
    else if (code < 0x20 && ch !== "\t" && ch !== "\n" && ch !== "\r") out += "";
    else if (code > 0x7e || code < 0x20) out += `&#${code};`;
    else out += ch;
  }
  return out;
}

/** RGB → OME `Color` (RGBA packed into a signed 32-bit integer, alpha 255). */
function omeColor([r, g, b]: [number, number, number]): number {
  return ((r & 0xff) << 24) | ((g & 0xff) << 16) | ((b & 0xff) << 8) | 0xff;
}

function micrometres(metres: number): string {
  return String(roundSignificant(metres * 1e6));
}

function attrs(pairs: [string, string | number | undefined][]): string {
  return pairs
    .filter((p): p is [string, string | number] => p[1] !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join("");
}

export function buildOmeXml(images: OmeImageSpec[], annotations: OmeMapAnnotation[], options: OmeXmlOptions = {}): string {
  const annotationIds = annotations.map((_, i) => `Annotation:${i}`);
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<OME xmlns="${OME_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
      ` xsi:schemaLocation="${OME_NAMESPACE} ${OME_NAMESPACE}/ome.xsd"` +
      attrs([
        ["UUID", options.uuid],
        ["Creator", options.creator],
      ]) +
      ">",
  ];
  images.forEach((img, i) => {
    const ps = img.physicalSize ?? {};
    parts.push(
      `<Image${attrs([
        ["ID", `Image:${i}`],
        ["Name", img.name],
      ])}>`,
    );
    parts.push(
      `<Pixels${attrs([
        ["ID", `Pixels:${i}`],
        ["DimensionOrder", "XYZCT"],
        ["Type", img.pixelType],
        ["SizeX", img.width],
        ["SizeY", img.height],
        ["SizeZ", img.sizeZ],
        ["SizeC", img.sizeC],
        ["SizeT", img.sizeT],
        ["PhysicalSizeX", ps.x === undefined ? undefined : micrometres(ps.x)],
        ["PhysicalSizeXUnit", ps.x === undefined ? undefined : "µm"],
        ["PhysicalSizeY", ps.y === undefined ? undefined : micrometres(ps.y)],
        ["PhysicalSizeYUnit", ps.y === undefined ? undefined : "µm"],
        ["PhysicalSizeZ", ps.z === undefined ? undefined : micrometres(ps.z)],
        ["PhysicalSizeZUnit", ps.z === undefined ? undefined : "µm"],
        ["BigEndian", "false"],
        ["Interleaved", "false"],
      ])}>`,
    );
    img.channels.forEach((ch, c) => {
      parts.push(
        `<Channel${attrs([
          ["ID", `Channel:${i}:${c}`],
          ["Name", ch.name],
          ["SamplesPerPixel", 1],
          ["Color", ch.color ? omeColor(ch.color) : undefined],
        ])}/>`,
      );
    });
    parts.push(
      `<TiffData${attrs([
        ["IFD", img.firstIfd],
        ["PlaneCount", img.sizeZ * img.sizeC * img.sizeT],
      ])}/>`,
    );
    parts.push("</Pixels>");
    // the modulo reference comes first: readers such as tifffile look only at an Image's first AnnotationRef
    if (options.tModulo) parts.push(`<AnnotationRef ID="${MODULO_ID}"/>`);
    for (const id of annotationIds) parts.push(`<AnnotationRef ID="${id}"/>`);
    parts.push("</Image>");
  });
  if (annotations.length > 0 || options.tModulo) {
    parts.push("<StructuredAnnotations>");
    if (options.tModulo) parts.push(moduloAnnotation(options.tModulo));
    annotations.forEach((a, i) => {
      parts.push(
        `<MapAnnotation${attrs([
          ["ID", annotationIds[i]],
          ["Namespace", a.namespace],
        ])}><Value>`,
      );
      for (const [k, v] of a.entries) parts.push(`<M K="${xmlEscape(k)}">${xmlEscape(v)}</M>`);
      parts.push("</Value></MapAnnotation>");
    });
    parts.push("</StructuredAnnotations>");
  }
  parts.push("</OME>");
  return parts.join("");
}

/** `#rrggbb` for a colour. */
function hexColor([r, g, b]: [number, number, number]): string {
  return `#${bytesToHex([r, g, b])}`;
}

/** The annotations that carry a segmentation's kind, classes and provenance (see module doc). */
export function outputAnnotations(info: {
  kind: string;
  classes?: OutputClass[];
  unclassifiedValue?: number;
  description?: Record<string, unknown>;
}): OmeMapAnnotation[] {
  const output: [string, string][] = [["kind", info.kind]];
  if (info.unclassifiedValue !== undefined) output.push(["unclassified-value", String(info.unclassifiedValue)]);
  for (const [k, v] of Object.entries(info.description ?? {})) {
    if (v === undefined) continue;
    output.push([k, typeof v === "string" ? v : JSON.stringify(v)]);
  }
  const result: OmeMapAnnotation[] = [{ namespace: "czmodel/output", entries: output }];
  if (info.classes && info.classes.length > 0) {
    result.push({ namespace: "czmodel/class-names", entries: info.classes.map((c) => [String(c.value), c.name]) });
    result.push({ namespace: "czmodel/class-colors", entries: info.classes.map((c) => [String(c.value), hexColor(c.color)]) });
  }
  return result;
}
