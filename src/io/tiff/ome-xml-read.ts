/**
 * Reads the OME-XML of an OME-TIFF (first IFD's ImageDescription) with fast-xml-parser:
 * one `OmeImage` per `Image` (series → scene) with its sizes, `DimensionOrder`, pixel type,
 * physical sizes (converted to metres), channel names and colours and the `TiffData` blocks, and maps
 * each plane (c, z, t) to its IFD following the OME-TIFF rules (`IFD` default 0, `PlaneCount`
 * default 1 when `IFD` is given, else all remaining IFDs; planes advance in DimensionOrder).
 * The MapAnnotations of a czmodel label output give the classes it records (`labelClasses`).
 * Isomorphic.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { invalidImage, invalidMetadata } from "../../errors.js";
import { checkXmlDepth, MAX_XML_DEPTH, refuseDoctype } from "../../metadata/xml-read.js";
import { toMetres } from "../physical-units.js";
import type { OutputClass, PhysicalSize, RgbColor } from "../types.js";
import { labelClassesOfAnnotations } from "../label-classes.js";
import { omeColorToRgb } from "../channel-colors.js";

export interface OmeTiffData {
  ifd: number;
  ifdGiven: boolean;
  firstC: number;
  firstZ: number;
  firstT: number;
  planeCount?: number;
  fileName?: string;
  /** The `urn:uuid:…` of the file holding the planes (the text of `<UUID>`). */
  uuid?: string;
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
  channels: { name?: string; samplesPerPixel?: number; color?: RgbColor }[];
  tiffData: OmeTiffData[];
}

/** An OME-XML document: the root `UUID`, its images, and `BinaryOnly` (metadata kept in another file). */
export interface OmeDocument {
  uuid?: string;
  binaryOnly?: { metadataFile: string; uuid?: string };
  images: OmeImage[];
  /** The classes a czmodel label output records in its MapAnnotations. */
  labelClasses?: OutputClass[];
}

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true,
  isArray: (name) => ["Image", "Channel", "TiffData", "MapAnnotation", "M"].includes(name),
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
  return parseOmeDocument(xml, fileName).images;
}

/** Parse OME-XML; a document without `<Image>` is refused unless it is `BinaryOnly`. */
export function parseOmeDocument(xml: string, fileName: string): OmeDocument {
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
  if (!ome) throw invalidMetadata("the XML has no <OME> root element", { where });
  const images = (ome.Image as Node[] | undefined) ?? [];
  const uuid = attr(ome, "UUID");
  const binary = ome.BinaryOnly as Node | undefined;
  const metadataFile = binary && typeof binary === "object" ? attr(binary, "MetadataFile") : undefined;
  const binaryOnly = metadataFile !== undefined ? { metadataFile, ...optional("uuid", attr(binary!, "UUID")) } : undefined;
  if (images.length === 0 && !binaryOnly) throw invalidMetadata("OME-XML has no <Image>", { where });
  const labelClasses = labelClassesOfAnnotations(mapAnnotations(ome));
  return {
    ...optional("uuid", uuid),
    ...(binaryOnly ? { binaryOnly } : {}),
    images: images.map((image, i) => parseImage(image, i, where)),
    ...(labelClasses ? { labelClasses } : {}),
  };
}

/** The document's MapAnnotations with a namespace: namespace → [key, value] entries in order. */
function mapAnnotations(ome: Node): Map<string, [string, string][]> {
  const out = new Map<string, [string, string][]>();
  const annotations = ome.StructuredAnnotations;
  if (!annotations || typeof annotations !== "object") return out;
  for (const map of ((annotations as Node).MapAnnotation as Node[] | undefined) ?? []) {
    const namespace = attr(map, "Namespace");
    const value = map.Value;
    if (namespace === undefined || !value || typeof value !== "object") continue;
    const entries = (((value as Node).M as unknown[] | undefined) ?? []).map((m): [string, string] => {
      if (typeof m === "string") return ["", m];
      const node = m as Node;
      const text = node["#text"];
      return [attr(node, "K") ?? "", typeof text === "string" ? text : ""];
    });
    out.set(namespace, entries);
  }
  return out;
}

function optional<K extends string>(key: K, value: string | undefined): { [k in K]?: string } {
  return (value !== undefined ? { [key]: value } : {}) as { [k in K]?: string };
}

function uuidOf(td: Node): { fileName?: string; uuid?: string } {
  const u = td.UUID as Node | string | undefined;
  if (typeof u === "string") return u.trim() ? { uuid: u.trim() } : {};
  if (!u || typeof u !== "object") return {};
  const text = typeof u["#text"] === "string" ? u["#text"].trim() : "";
  return { ...optional("fileName", attr(u, "FileName")), ...(text ? { uuid: text } : {}) };
}

function parseImage(image: Node, i: number, where: string): OmeImage {
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
    const color = omeColorToRgb(attr(ch, "Color"));
    return {
      ...(name !== undefined ? { name } : {}),
      ...(spp !== undefined ? { samplesPerPixel: Number(spp) } : {}),
      ...(color ? { color } : {}),
    };
  });
  const tiffData = ((pixels.TiffData as Node[] | undefined) ?? []).map((td) => {
    const planeCount = attr(td, "PlaneCount");
    return {
      ifd: intAttr(td, "IFD", w, 0),
      ifdGiven: attr(td, "IFD") !== undefined,
      firstC: intAttr(td, "FirstC", w, 0),
      firstZ: intAttr(td, "FirstZ", w, 0),
      firstT: intAttr(td, "FirstT", w, 0),
      ...(planeCount !== undefined ? { planeCount: intAttr(td, "PlaneCount", w) } : {}),
      ...uuidOf(td),
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

/** Where a plane is stored: `file` null is the file being read, else a sibling's file name. */
export interface PlaneLocation {
  file: string | null;
  ifd: number;
}

/**
 * File and IFD of every plane of `image`, indexed by `planeOrdinal`, where C counts IFD planes
 * (`sizeC / samplesPerIfd`). `fileOf` says which file a TiffData's planes are in (see
 * `ome-files.ts`); `ifdCount` gives the number of IFDs of a file, undefined while it is not
 * open (a sibling's IFDs are checked when it is opened).
 */
export function omePlaneIfds(
  image: OmeImage,
  cPlanes: number,
  ifdCount: (file: string | null) => number | undefined,
  where: string,
  fileOf: (td: OmeTiffData) => string | null,
): PlaneLocation[] {
  const sizes = { c: cPlanes, z: image.sizeZ, t: image.sizeT };
  const total = cPlanes * image.sizeZ * image.sizeT;
  const map = new Array<PlaneLocation | undefined>(total).fill(undefined);
  if (image.tiffData.length === 0) {
    for (let p = 0; p < total; p++) map[p] = { file: null, ifd: p };
  }
  for (const td of image.tiffData) {
    const file = fileOf(td);
    const count = ifdCount(file);
    const start = planeOrdinal(image.dimensionOrder, sizes, { c: td.firstC, z: td.firstZ, t: td.firstT });
    const n = td.planeCount ?? (td.ifdGiven ? 1 : Math.min(count ?? total, total - start));
    for (let i = 0; i < n && start + i < total; i++) {
      const ifd = td.ifd + i;
      if (count !== undefined && ifd >= count) {
        const inFile = file === null ? "the file has" : `"${file}" has`;
        throw invalidImage(`OME-XML refers to IFD ${ifd} but ${inFile} only ${count}`, { where });
      }
      map[start + i] = { file, ifd };
    }
  }
  const missing = map.indexOf(undefined);
  if (missing >= 0) throw invalidImage(`OME-XML maps no IFD to plane ${missing} of ${total}`, { where });
  return map as PlaneLocation[];
}
