/**
 * The document metadata segment (`ZISRAWMETADATA`): reading the XML text, and a summary of
 * the fields the reader needs — channel names and colours, physical pixel size (metres; 0 = unknown),
 * the `Information/Image` sizes, pixel type, significant bits and scene names. Parsed with
 * fast-xml-parser; a broken XML only costs the summary (a warning), never the pixels.
 */
import { XMLParser } from "fast-xml-parser";
import { checkXmlDepth, MAX_XML_DEPTH, refuseDoctype } from "../../metadata/xml-read.js";
import type { ByteSource } from "../../bytes/byte-source.js";
import { invalidImage } from "../../errors.js";
import type { PhysicalSize, RgbColor } from "../types.js";
import { hexToRgb } from "../channel-colors.js";
import { LeReader, at } from "./binary.js";
import { MAX_METADATA_XML_BYTES } from "./limits.js";
import { readSegmentHeader } from "./segment.js";

const METADATA_HEADER_SIZE = 256;

export interface CziMetadataSummary {
  /** Channel names by CZI channel index (empty names kept as ""). */
  channelNames: string[];
  /** Where the names came from: `Information/Image/Dimensions/Channels` or `DisplaySetting/Channels`. */
  channelNamesFrom?: "image" | "display-setting";
  /** Display colours by CZI channel index, aligned with `channelNames` (null where none is given). */
  channelColors: (RgbColor | null)[];
  /** Physical pixel size in metres; absent or 0 values are left out. */
  physicalSize: PhysicalSize;
  /** `Information/Image/Size*` values, keyed by dimension letter (X, Y, C, Z, T, S, M, B, H …). */
  sizes: Record<string, number>;
  pixelType?: string;
  componentBitCount?: number;
  /** Scene names by CZI scene index (`Dimensions/S/Scenes/Scene@Index`). */
  sceneNames: Map<number, string>;
  warnings: string[];
}

export interface MetadataSegment {
  xml: string;
  xmlSize: number;
  attachmentSize: number;
}

/** Read the XML of the metadata segment at `position`. */
export async function readMetadataXml(source: ByteSource, position: number): Promise<MetadataSegment> {
  const seg = await readSegmentHeader(source, position, "ZISRAWMETADATA", "metadata");
  const where = at(source.name, "metadata", position);
  const r = new LeReader(await source.read(seg.dataOffset, Math.min(METADATA_HEADER_SIZE, seg.dataSize)), where);
  const xmlSize = r.i32(0, "XmlSize");
  const attachmentSize = r.i32(4, "AttachmentSize");
  if (xmlSize < 0 || METADATA_HEADER_SIZE + xmlSize > seg.dataSize) {
    throw invalidImage(`metadata XML size ${xmlSize} does not fit in the segment's ${seg.dataSize} bytes`, { where });
  }
  if (xmlSize > MAX_METADATA_XML_BYTES) {
    throw invalidImage(`metadata XML of ${xmlSize} bytes is larger than the ${MAX_METADATA_XML_BYTES}-byte limit`, { where });
  }
  const bytes = await source.read(seg.dataOffset + METADATA_HEADER_SIZE, xmlSize);
  const xml = new TextDecoder("utf-8").decode(bytes).replace(/\0+$/, "");
  return { xml, xmlSize, attachmentSize };
}

type Node = Record<string, unknown>;

function child(node: unknown, ...path: string[]): unknown {
  let cur = node;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Node)[key];
  }
  return cur;
}

function list(node: unknown): unknown[] {
  if (node === undefined || node === null || node === "") return [];
  return Array.isArray(node) ? node : [node];
}

function text(node: unknown): string | undefined {
  if (typeof node === "string") return node;
  if (typeof node === "number") return String(node);
  const t = child(node, "#text");
  return typeof t === "string" || typeof t === "number" ? String(t) : undefined;
}

function num(node: unknown): number | undefined {
  const t = text(node)?.trim();
  if (!t) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

const ARRAY_TAGS = new Set(["Channel", "Scene", "Distance"]);

const PARSER_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name: string) => ARRAY_TAGS.has(name),
  maxNestedTags: MAX_XML_DEPTH,
};

/** Colour of an `Information` channel: its `DisplaySetting` channel's (same `Id`), else its own `Color`. */
function imageChannelColor(channel: unknown, display: unknown[]): RgbColor | null {
  const id = child(channel, "@_Id");
  const shown = id === undefined ? undefined : display.find((d) => child(d, "@_Id") === id);
  return hexToRgb(text(child(shown, "Color"))) ?? hexToRgb(text(child(channel, "Color")));
}

/** The summary of a file without document XML: nothing known. */
export function emptyMetadataSummary(): CziMetadataSummary {
  return { channelNames: [], channelColors: [], physicalSize: {}, sizes: {}, sceneNames: new Map(), warnings: [] };
}

/**
 * Summarise the document XML. Never throws: problems become warnings.
 * Two passes keep this fast on ZEN files whose XML is mostly hardware and experiment
 * settings (hundreds of kB): the first pass keeps every child of `Metadata` as raw text, the
 * second parses only `Information`, `Scaling` and `DisplaySetting`.
 */
export function summarizeMetadata(xml: string): CziMetadataSummary {
  const summary = emptyMetadataSummary();
  const meta: Node = {};
  try {
    refuseDoctype(xml, "metadata XML");
    checkXmlDepth(xml, "metadata XML");
    const top = new XMLParser({ ...PARSER_OPTIONS, stopNodes: ["ImageDocument.Metadata.*"] }).parse(xml.replace(/^\uFEFF/, ""));
    const children = child(top, "ImageDocument", "Metadata");
    if (children === undefined || children === null || typeof children !== "object") {
      summary.warnings.push("metadata XML has no ImageDocument/Metadata element; no channel names or scaling");
      return summary;
    }
    const inner = new XMLParser(PARSER_OPTIONS);
    for (const name of ["Information", "Scaling", "DisplaySetting"]) {
      const raw = text(list((children as Node)[name])[0]);
      if (raw !== undefined) meta[name] = child(inner.parse(`<${name}>${raw}</${name}>`), name);
    }
  } catch (e) {
    summary.warnings.push(`metadata XML could not be parsed (${e instanceof Error ? e.message : String(e)}); no channel names or scaling`);
    return summary;
  }
  const image = child(meta, "Information", "Image");
  for (const key of Object.keys((image as Node | undefined) ?? {})) {
    const m = /^Size([A-Z])$/.exec(key);
    const v = m ? num((image as Node)[key]) : undefined;
    if (m && v !== undefined) summary.sizes[m[1]!] = v;
  }
  const pixelType = text(child(image, "PixelType"))?.trim();
  if (pixelType) summary.pixelType = pixelType;
  const channels = list(child(image, "Dimensions", "Channels", "Channel"));
  const bits = num(child(image, "ComponentBitCount")) ?? num(child(channels[0], "ComponentBitCount"));
  if (bits !== undefined && bits > 0) summary.componentBitCount = bits;

  const names = channels.map((c) => String(child(c, "@_Name") ?? ""));
  const displayChannels = list(child(meta, "DisplaySetting", "Channels", "Channel"));
  if (names.some((n) => n !== "")) {
    summary.channelNames = names;
    summary.channelNamesFrom = "image";
    summary.channelColors = channels.map((c) => imageChannelColor(c, displayChannels));
  } else {
    const display = displayChannels.map((c) => String(child(c, "@_Name") ?? ""));
    if (display.some((n) => n !== "")) {
      summary.channelNames = display;
      summary.channelNamesFrom = "display-setting";
      summary.channelColors = displayChannels.map((c) => hexToRgb(text(child(c, "Color"))));
    }
  }

  for (const d of list(child(meta, "Scaling", "Items", "Distance"))) {
    const id = String(child(d, "@_Id") ?? "").toLowerCase();
    const v = num(child(d, "Value"));
    if ((id === "x" || id === "y" || id === "z") && v !== undefined && v > 0) summary.physicalSize[id] = v;
  }

  for (const s of list(child(image, "Dimensions", "S", "Scenes", "Scene"))) {
    const index = Number(child(s, "@_Index"));
    const name = child(s, "@_Name");
    if (Number.isInteger(index) && typeof name === "string" && name !== "") summary.sceneNames.set(index, name);
  }
  return summary;
}
