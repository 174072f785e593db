/**
 * `LegacyModelMetadata`: the `<guid>.xml` of `.czmodel` / `.czseg` files (docs/formats.md#legacy-entries, docs/formats.md#legacy-xml).
 *
 * Writing gives the bytes of czmodel's `to_xml()` + ElementTree (`Version="3.1.0"`,
 * czmodel's element order, class attributes `colB colG colR LabelValue Name`). Reading
 * accepts czmodel's and ZEN's variants (docs/formats.md#files-made-by-zen): any element / attribute order, `Version` `1` or
 * `3.0.0`, missing `BorderSize` (a warning), one class or several channels, unknown
 * elements such as `TotalTileHeight` / `ScaleInputsByBitdepth` (kept in `extraElements` and
 * written back after the known ones). Values are checked with zod (PixelType and
 * ColorHandling enums, UUID id, colours 0..255, integer LabelValue / BorderSize).
 * Isomorphic.
 */
import { z } from "zod";
import { COLOR_HANDLINGS, describeChoices, PIXEL_TYPES, type ColorHandling, type PixelType } from "./enums.js";
import { classColors, type Rgb } from "./class-colors.js";
import { writeElementTreeXml, type XmlElement } from "./elementtree-xml.js";
import { fieldError, missingOr, valueProblem } from "./issues.js";
import { decodeUtf8Text, encodeUtf8 } from "./text.js";
import { isUuid, randomUuid, UUID_ALLOWED } from "./uuid.js";
import { parseXmlDocument, type XmlNode } from "./xml-read.js";

/** `Model@Version` that czmodel 1.x–6.x writes. */
const LEGACY_XML_VERSION = "3.1.0";
/** Versions known to be read by ZEN: czmodel 1.x+ (`3.1.0`), 0.x (`3.0.0`), ZEN's own RF models (`1`). */
const LEGACY_XML_VERSIONS_READ = ["3.1.0", "3.0.0", "1"] as const;

export interface LegacyClass {
  name: string;
  /** `[r, g, b]`, each 0..255. */
  color: Rgb;
  /** `LabelValue`, 1-based in czmodel files (class i ↔ output channel i-1). */
  labelValue: number;
}

/** An XML element this library does not interpret, kept for round trips. */
export interface XmlExtraElement {
  name: string;
  text: string;
}

export interface LegacyModelMetadataParams {
  /** Generated (random UUID) when absent. */
  id?: string;
  /** Default `DNN model` (czmodel's default for a missing ModelPath). */
  modelName?: string;
  colorHandling: ColorHandling;
  /** One per input channel type; a single value is one channel. */
  pixelTypes: PixelType | readonly PixelType[];
  /** Class names (colours and LabelValues 1..n generated as czmodel does) or full classes. */
  classes: readonly (string | LegacyClass)[];
  /** Context pixels per tile side. */
  borderSize?: number;
  postprocessing?: string;
  version?: string;
  status?: string;
  featureExtractor?: string;
  extraElements?: readonly XmlExtraElement[];
}

const KNOWN_ELEMENTS = new Set([
  "Id",
  "ModelName",
  "Status",
  "FeatureExtractor",
  "Postprocessing",
  "ColorHandling",
  "Channels",
  "TrainingClasses",
  "BorderSize",
]);

const intText = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string({ error: missingOr("is not text") })
    .regex(/^\s*[0-9]+\s*$/, { error: "is not a non-negative integer" })
    .transform((s) => Number(s.trim()))
    .refine((n) => n >= min && n <= max, { error: `is outside ${min}..${max}` });

const legacySchema = z.object({
  Id: z.string({ error: missingOr("is not text") }).refine(isUuid, { error: "is not a UUID" }),
  ColorHandling: z.enum(COLOR_HANDLINGS, { error: missingOr("is not a known colour handling") }),
  Channels: z
    .array(z.object({ PixelType: z.enum(PIXEL_TYPES, { error: missingOr("is not a known pixel type") }) }), {
      error: missingOr("is not a list"),
    })
    .min(1, { error: "has no Item" }),
  TrainingClasses: z
    .array(
      z.object({
        Name: z.string({ error: missingOr("is not text") }),
        colR: intText(0, 255),
        colG: intText(0, 255),
        colB: intText(0, 255),
        LabelValue: intText(0).optional(),
      }),
      { error: missingOr("is not a list") },
    )
    .min(1, { error: "has no Item" }),
  BorderSize: intText(0).optional(),
});

function xmlPath(path: ReadonlyArray<PropertyKey>): string {
  const [el, index, attr] = path;
  if (el === "Channels" || el === "TrainingClasses") {
    if (index === undefined) return String(el);
    return `${String(el)}/Item[${Number(index) + 1}]${attr !== undefined ? `@${String(attr)}` : ""}`;
  }
  return String(el ?? "");
}

function allowedFor(path: ReadonlyArray<PropertyKey>): string | undefined {
  const [el, index, attr] = path;
  switch (el) {
    case "Id":
      return UUID_ALLOWED;
    case "ColorHandling":
      return describeChoices(COLOR_HANDLINGS);
    case "Channels":
      return index === undefined ? "at least one <Item PixelType=…/>" : describeChoices(PIXEL_TYPES);
    case "TrainingClasses":
      if (index === undefined) return "at least one <Item Name=… colR=… colG=… colB=… LabelValue=…/>";
      if (attr === "Name") return "text";
      if (attr === "LabelValue") return "an integer >= 0";
      return "an integer 0..255";
    case "BorderSize":
      return "an integer >= 0";
    default:
      return undefined;
  }
}

/** Throws when two training classes share a LabelValue or a Name: labels and names must each pick one class. */
function checkClassesDistinct(classes: readonly LegacyClass[], where: string): void {
  const seen = { labelValue: new Map<number, number>(), name: new Map<string, number>() };
  classes.forEach((c, i) => {
    for (const [field, value] of [
      ["LabelValue", c.labelValue],
      ["Name", c.name],
    ] as const) {
      const map = (field === "Name" ? seen.name : seen.labelValue) as Map<string | number, number>;
      const first = map.get(value);
      if (first !== undefined) {
        throw fieldError(
          where,
          `TrainingClasses/Item[${i + 1}]@${field}`,
          `${JSON.stringify(value)} is also Item[${first + 1}]'s`,
          `a different ${field} for every class`,
        );
      }
      map.set(value, i);
    }
  });
}

function attr(node: XmlNode, name: string): string | undefined {
  return node.attributes.find(([k]) => k === name)?.[1];
}

export class LegacyModelMetadata {
  readonly id: string;
  readonly modelName: string;
  readonly colorHandling: ColorHandling;
  readonly pixelTypes: readonly PixelType[];
  readonly classes: readonly LegacyClass[];
  /** Context pixels per tile side; undefined when the file has no `BorderSize` (ZEN). */
  readonly borderSize: number | undefined;
  readonly postprocessing: string;
  /** `Model@Version`; `3.1.0` for new files. */
  readonly version: string;
  /** `Status` (`Trained`); undefined = element absent. */
  readonly status: string | undefined;
  /** `FeatureExtractor` (`DeepNeuralNetwork`; ZEN RF files `Default`); undefined = absent. */
  readonly featureExtractor: string | undefined;
  /** Unknown elements (`TotalTileHeight`, `TotalTileWidth`, `ScaleInputsByBitdepth`, …) in order. */
  readonly extraElements: readonly XmlExtraElement[];

  private constructor(f: {
    id: string;
    modelName: string;
    colorHandling: ColorHandling;
    pixelTypes: readonly PixelType[];
    classes: readonly LegacyClass[];
    borderSize: number | undefined;
    postprocessing: string;
    version: string;
    status: string | undefined;
    featureExtractor: string | undefined;
    extraElements: readonly XmlExtraElement[];
  }) {
    this.id = f.id;
    this.modelName = f.modelName;
    this.colorHandling = f.colorHandling;
    this.pixelTypes = Object.freeze([...f.pixelTypes]);
    this.classes = Object.freeze(
      f.classes.map((c) => Object.freeze({ name: c.name, color: [...c.color] as Rgb, labelValue: c.labelValue })),
    );
    this.borderSize = f.borderSize;
    this.postprocessing = f.postprocessing;
    this.version = f.version;
    this.status = f.status;
    this.featureExtractor = f.featureExtractor;
    this.extraElements = Object.freeze(f.extraElements.map((e) => Object.freeze({ ...e })));
  }

  /** The text of an extra element (e.g. `TotalTileHeight`), if present. */
  extraElement(name: string): string | undefined {
    return this.extraElements.find((e) => e.name === name)?.text;
  }

  /** ZEN's tile size `[height, width]` from `TotalTileHeight` / `TotalTileWidth`, when both are integers. */
  get tileSize(): [number, number] | undefined {
    const h = this.extraElement("TotalTileHeight")?.trim();
    const w = this.extraElement("TotalTileWidth")?.trim();
    if (!h || !w || !/^[0-9]+$/.test(h) || !/^[0-9]+$/.test(w)) return undefined;
    return [Number(h), Number(w)];
  }

  /** Class names in LabelValue order. */
  get classNames(): string[] {
    return this.classes.map((c) => c.name);
  }

  /** Build from parameters; class colours / LabelValues default to czmodel's (docs/formats.md#class-colours). */
  static fromParams(p: LegacyModelMetadataParams, where = "metadata"): LegacyModelMetadata {
    const pixelTypes = typeof p.pixelTypes === "string" ? [p.pixelTypes] : [...p.pixelTypes];
    const colors = classColors(p.classes.length);
    const classes = p.classes.map(
      (c, i): LegacyClass => (typeof c === "string" ? { name: c, color: colors[i] as Rgb, labelValue: i + 1 } : c),
    );
    const m = new LegacyModelMetadata({
      id: p.id ?? randomUuid(),
      modelName: p.modelName ?? "DNN model",
      colorHandling: p.colorHandling,
      pixelTypes,
      classes,
      borderSize: p.borderSize,
      postprocessing: p.postprocessing ?? "",
      version: p.version ?? LEGACY_XML_VERSION,
      status: p.status ?? "Trained",
      featureExtractor: p.featureExtractor ?? "DeepNeuralNetwork",
      extraElements: p.extraElements ?? [],
    });
    // Validate through the same rules as a read file.
    LegacyModelMetadata.fromXml(m.toXml(), where);
    return m;
  }

  /** Parse `<guid>.xml` text; throws `CzmodelError` naming `where` and the element; soft problems go to `warnings`. */
  static fromXml(text: string, where = "model.xml", warnings?: string[]): LegacyModelMetadata {
    const root = parseXmlDocument(text, where);
    if (root.name !== "Model") {
      throw fieldError(where, root.name, "root element is not <Model>", '<Model Version="3.1.0"> … </Model>');
    }
    const version = attr(root, "Version");
    if (version === undefined) warnings?.push(`${where}: Model@Version: missing; assuming ${LEGACY_XML_VERSION}`);
    else if (!(LEGACY_XML_VERSIONS_READ as readonly string[]).includes(version)) {
      warnings?.push(
        `${where}: Model@Version: ${JSON.stringify(version)} is not a known version (known: ${LEGACY_XML_VERSIONS_READ.join(", ")})`,
      );
    }

    const byName = new Map<string, XmlNode>();
    const extraElements: XmlExtraElement[] = [];
    for (const child of root.children) {
      if (!KNOWN_ELEMENTS.has(child.name)) {
        extraElements.push({ name: child.name, text: child.text });
        continue;
      }
      if (byName.has(child.name)) {
        if (child.name === "Id") throw fieldError(where, "Id", "appears twice: a model has one identity", "one <Id> element");
        warnings?.push(`${where}: ${child.name}: appears more than once; the first one is used`);
        continue;
      }
      byName.set(child.name, child);
    }
    const text1 = (name: string) => byName.get(name)?.text;
    const items = (name: string) => byName.get(name)?.children.filter((c) => c.name === "Item");

    const raw = {
      Id: text1("Id")?.trim(),
      ColorHandling: text1("ColorHandling")?.trim(),
      Channels: items("Channels")?.map((it) => ({ PixelType: attr(it, "PixelType") })),
      TrainingClasses: items("TrainingClasses")?.map((it) => ({
        Name: attr(it, "Name"),
        colR: attr(it, "colR"),
        colG: attr(it, "colG"),
        colB: attr(it, "colB"),
        LabelValue: attr(it, "LabelValue"),
      })),
      BorderSize: text1("BorderSize"),
    };
    const parsed = legacySchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const input = (issue as { input?: unknown } | undefined)?.input;
      const message = issue?.message ?? "is invalid";
      throw fieldError(
        where,
        xmlPath(issue?.path ?? []),
        input === undefined ? message : valueProblem(input, message),
        allowedFor(issue?.path ?? []),
      );
    }
    const d = parsed.data;
    if (d.BorderSize === undefined) {
      warnings?.push(`${where}: BorderSize: missing (ZEN-made file); give the border (context pixels per tile side) explicitly`);
    }
    const classes = d.TrainingClasses.map((c, i): LegacyClass => {
      if (c.LabelValue === undefined) warnings?.push(`${where}: TrainingClasses/Item[${i + 1}]@LabelValue: missing; using ${i + 1}`);
      return { name: c.Name, color: [c.colR, c.colG, c.colB], labelValue: c.LabelValue ?? i + 1 };
    });
    checkClassesDistinct(classes, where);
    const modelName = text1("ModelName");
    if (modelName === undefined) warnings?.push(`${where}: ModelName: missing`);

    return new LegacyModelMetadata({
      id: d.Id,
      modelName: modelName ?? "",
      colorHandling: d.ColorHandling,
      pixelTypes: d.Channels.map((c) => c.PixelType),
      classes,
      borderSize: d.BorderSize,
      postprocessing: text1("Postprocessing") ?? "",
      version: version ?? LEGACY_XML_VERSION,
      status: text1("Status"),
      featureExtractor: text1("FeatureExtractor"),
      extraElements,
    });
  }

  /** Parse `<guid>.xml` bytes (strict UTF-8, BOM tolerated). */
  static fromBytes(bytes: Uint8Array, where = "model.xml", warnings?: string[]): LegacyModelMetadata {
    return LegacyModelMetadata.fromXml(decodeUtf8Text(bytes, where), where, warnings);
  }

  /** A copy with some fields changed, validated again. */
  with(changes: Partial<LegacyModelMetadataParams>, where = "metadata"): LegacyModelMetadata {
    return LegacyModelMetadata.fromParams({ ...this.toParams(), ...changes }, where);
  }

  toParams(): LegacyModelMetadataParams {
    return {
      id: this.id,
      modelName: this.modelName,
      colorHandling: this.colorHandling,
      pixelTypes: this.pixelTypes,
      classes: this.classes,
      ...(this.borderSize !== undefined ? { borderSize: this.borderSize } : {}),
      postprocessing: this.postprocessing,
      version: this.version,
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.featureExtractor !== undefined ? { featureExtractor: this.featureExtractor } : {}),
      extraElements: this.extraElements,
    };
  }

  /** The element tree in czmodel's order, extra elements last. */
  toXmlElement(): XmlElement {
    const children: XmlElement[] = [
      { tag: "Id", text: this.id },
      { tag: "ModelName", text: this.modelName },
    ];
    if (this.status !== undefined) children.push({ tag: "Status", text: this.status });
    if (this.featureExtractor !== undefined) children.push({ tag: "FeatureExtractor", text: this.featureExtractor });
    children.push(
      { tag: "Postprocessing", text: this.postprocessing },
      { tag: "ColorHandling", text: this.colorHandling },
      { tag: "Channels", children: this.pixelTypes.map((t) => ({ tag: "Item", attributes: [["PixelType", t]] as const })) },
      {
        tag: "TrainingClasses",
        children: this.classes.map((c) => ({
          tag: "Item",
          attributes: [
            ["colB", String(c.color[2])],
            ["colG", String(c.color[1])],
            ["colR", String(c.color[0])],
            ["LabelValue", String(c.labelValue)],
            ["Name", c.name],
          ] as const,
        })),
      },
    );
    if (this.borderSize !== undefined) children.push({ tag: "BorderSize", text: String(this.borderSize) });
    for (const e of this.extraElements) children.push({ tag: e.name, text: e.text });
    return { tag: "Model", attributes: [["Version", this.version]], children };
  }

  /** The XML text exactly as czmodel writes it (declaration + `\n` + one line). */
  toXml(): string {
    return writeElementTreeXml(this.toXmlElement());
  }

  /** The XML as UTF-8 bytes (no BOM). */
  toBytes(): Uint8Array {
    return encodeUtf8(this.toXml());
  }
}
