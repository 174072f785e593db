/**
 * Reads the OME-XML of an OME-TIFF (first IFD's ImageDescription) with fast-xml-parser:
 * one `OmeImage` per `Image` (series → scene) with its sizes, `DimensionOrder`, pixel type,
 * physical sizes (converted to metres), channel names and the `TiffData` blocks, and maps
 * each plane (c, z, t) to its IFD following the OME-TIFF rules (`IFD` default 0, `PlaneCount`
 * default 1 when `IFD` is given, else all remaining IFDs; planes advance in DimensionOrder).
 * Isomorphic.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { invalidImage, invalidMetadata, unsupported } from "../../errors.js";
import { checkXmlDepth, MAX_XML_DEPTH, refuseDoctype } from "../../metadata/xml-read.js";
import { toMetres } from "../physical-units.js";
import type { PhysicalSize } from "../types.js";

interface OmeTiffData {
  ifd: number;
  ifdGiven: boolean;
  firstC: number;
  firstZ: number;
  firstT: number;
  planeCount?: number;
  fileName?: string;
}

export interface OmeImage {
  name?: string;
  sizeX: number;
  sizeY: number;
  sizeC: number;
  sizeZ: number;
  sizeT: number;
  /** e.g. `XYZCT`: the letters after XY go from fastest to slowest. */
  dimensionOrder: string;
  pixelType: string;
  significantBits?: number;
  physicalSize: PhysicalSize;
  channels: { name?: string; samplesPerPixel?: number }[];
  tiffData: OmeTiffData[];
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true,
  isArray: (name) => ["Image", "Channel", "TiffData"].includes(name),
  maxNestedTags: MAX_XML_DEPTH,
});

/** True when an ImageDescription is OME-XML. */
export function isOmeXml(description: string | undefined): boolean {
  if (!description) return false;
  const head = description
    .slice(0, 2000)
    .replace(/^\uFEFF/, "")
    .trimStart();
  return (head.startsWith("<?xml") || head.startsWith("<")) && /<([A-Za-z_][\w.-]*:)?OME[\s>]/.test(head);
}

function attr(node: Node, name: string): string | undefined {
  const v = node[`@_${name}`];
  return typeof v === "string" ? v : undefined;
}

function intAttr(node: Node, name: string, where: string, fallback?: number): number {
  const text = attr(node, name);
  if (text === undefined) {
    if (fallback !== undefined) return fallback;
    throw invalidMetadata(`OME-XML attribute ${name} is missing`, { where });
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw invalidMetadata(`OME-XML attribute ${name}="${text}" is not a non-negative integer`, { where });
  return n;
}

function physical(node: Node, axis: "X" | "Y" | "Z"): number | undefined {
  const value = attr(node, `PhysicalSize${axis}`);
  if (value === undefined) return undefined;
  return toMetres(Number(value), attr(node, `PhysicalSize${axis}Unit`) ?? "µm");
}

export function parseOmeXml(xml: string, fileName: string): OmeImage[] {
  const where = `${fileName}: OME-XML`;
  const text = xml.replace(/^\uFEFF/, "");
  refuseDoctype(text, where);
  checkXmlDepth(text, where);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw invalidMetadata(`OME-XML is malformed: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`, { where });
  }
  let doc: Node;
  try {
    doc = parser.parse(text) as Node;
  } catch (e) {
    throw invalidMetadata(`OME-XML is malformed: ${e instanceof Error ? e.message : String(e)}`, { where, cause: e });
  }
  const ome = doc.OME as Node | undefined;
  if (!ome) throw invalidMetadata("ImageDescription has no <OME> root element", { where });
  const images = (ome.Image as Node[] | undefined) ?? [];
  if (images.length === 0) throw invalidMetadata("OME-XML has no <Image>", { where });
  return images.map((image, i) => {
    const w = `${where}: Image[${i}]`;
    const pixels = image.Pixels as Node | undefined;
    if (!pixels || typeof pixels !== "object") throw invalidMetadata("Image has no <Pixels>", { where: w });
    const order = attr(pixels, "DimensionOrder") ?? "XYZCT";
    if (!/^XY(ZCT|ZTC|CZT|CTZ|TZC|TCZ)$/.test(order)) {
      throw invalidMetadata(`DimensionOrder="${order}" is not allowed`, { where: w, allowed: "XYZCT, XYZTC, XYCZT, XYCTZ, XYTZC, XYTCZ" });
    }
    const physicalSize: PhysicalSize = {};
    for (const axis of ["X", "Y", "Z"] as const) {
      const m = physical(pixels, axis);
      if (m !== undefined) physicalSize[axis.toLowerCase() as "x" | "y" | "z"] = m;
    }
    const channels = ((pixels.Channel as Node[] | undefined) ?? []).map((ch) => {
      const name = attr(ch, "Name");
      const spp = attr(ch, "SamplesPerPixel");
      return { ...(name !== undefined ? { name } : {}), ...(spp !== undefined ? { samplesPerPixel: Number(spp) } : {}) };
    });
    const tiffData = ((pixels.TiffData as Node[] | undefined) ?? []).map((td) => {
      const uuid = td.UUID as Node | string | undefined;
      const fileNameAttr = uuid && typeof uuid === "object" ? attr(uuid, "FileName") : undefined;
      const planeCount = attr(td, "PlaneCount");
      return {
        ifd: intAttr(td, "IFD", w, 0),
        ifdGiven: attr(td, "IFD") !== undefined,
        firstC: intAttr(td, "FirstC", w, 0),
        firstZ: intAttr(td, "FirstZ", w, 0),
        firstT: intAttr(td, "FirstT", w, 0),
        ...(planeCount !== undefined ? { planeCount: intAttr(td, "PlaneCount", w) } : {}),
        ...(fileNameAttr !== undefined ? { fileName: fileNameAttr } : {}),
      };
    });
    const name = attr(image, "Name");
    const significantBits = Number(attr(pixels, "SignificantBits"));
    const size = (axis: string) => {
      const n = intAttr(pixels, `Size${axis}`, w);
      if (n < 1) throw invalidMetadata(`Size${axis}=${n} must be at least 1`, { where: w });
      return n;
    };
    return {
      ...(name !== undefined ? { name } : {}),
      sizeX: size("X"),
      sizeY: size("Y"),
      sizeC: size("C"),
      sizeZ: size("Z"),
      sizeT: size("T"),
      dimensionOrder: order,
      pixelType: attr(pixels, "Type") ?? "",
      ...(Number.isInteger(significantBits) && significantBits > 0 ? { significantBits } : {}),
      physicalSize,
      channels,
      tiffData,
    };
  });
}

/** Position of plane (c, z, t) among all planes of an image in its DimensionOrder. */
export function planeOrdinal(order: string, sizes: { c: number; z: number; t: number }, at: { c: number; z: number; t: number }): number {
  const axes = order.slice(2).toLowerCase().split("") as ("c" | "z" | "t")[];
  let ordinal = 0;
  let stride = 1;
  for (const a of axes) {
    ordinal += at[a] * stride;
    stride *= sizes[a];
  }
  return ordinal;
}

/**
 * IFD index of every plane of `image`, indexed by `planeOrdinal`, where C counts IFD planes
 * (`sizeC / samplesPerIfd`). `ifdCount` is the number of IFDs in the file.
 */
export function omePlaneIfds(image: OmeImage, cPlanes: number, ifdCount: number, fileName: string, imageIndex: number): number[] {
  const sizes = { c: cPlanes, z: image.sizeZ, t: image.sizeT };
  const total = cPlanes * image.sizeZ * image.sizeT;
  const map = new Array<number>(total).fill(-1);
  const where = `${fileName}: OME-XML: Image[${imageIndex}]`;
  const base = fileName.split(/[\\/]/).pop();
  if (image.tiffData.length === 0) {
    for (let p = 0; p < total; p++) map[p] = p;
  }
  for (const td of image.tiffData) {
    if (td.fileName !== undefined && base !== undefined && td.fileName !== base) {
      throw unsupported(`unsupported multi-file OME-TIFF: planes are stored in "${td.fileName}"`, {
        where,
        allowed: "planes in this file",
      });
    }
    const start = planeOrdinal(image.dimensionOrder, sizes, { c: td.firstC, z: td.firstZ, t: td.firstT });
    const count = td.planeCount ?? (td.ifdGiven ? 1 : Math.min(ifdCount, total - start));
    for (let i = 0; i < count && start + i < total; i++) map[start + i] = td.ifd + i;
  }
  const missing = map.indexOf(-1);
  if (missing >= 0) throw invalidImage(`OME-XML maps no IFD to plane ${missing} of ${total}`, { where });
  const beyond = map.find((ifd) => ifd >= ifdCount);
  if (beyond !== undefined) throw invalidImage(`OME-XML refers to IFD ${beyond} but the file has only ${ifdCount}`, { where });
  return map;
}
