/**
 * What a bioimage.io package of a ZEN model file has to say, decided before any work: the
 * model's kind, tile, channels and context border (as the prediction engine reads them), the
 * pixel type of the package's input and ZEN's scaling of it, the channel names (bioimage.io
 * wants Python identifiers, ZEN class names are free text), the rdf `name`, the halo (even, as
 * bioimage.io requires) and the descriptive fields from the user (authors, SPDX licence,
 * citations). Every refusal is one `CzmodelError`. Isomorphic.
 */
import type { ModelFile } from "../container/index.js";
import { engineModelFromFile } from "../engine/from-model-file.js";
import type { EngineClass, EngineModel } from "../engine/types.js";
import { invalidArgument, unsupported } from "../errors.js";
import { classColors, PIXEL_TYPE_INFO } from "../metadata/index.js";
import { summarizeOnnx } from "../onnx/index.js";
import { DEPRECATED_SPDX_LICENSE_IDS, SPDX_LICENSE_IDS } from "./export-licenses.js";

export const EXPORT_PIXEL_TYPES = ["uint8", "uint16"] as const;
export type ExportPixelType = (typeof EXPORT_PIXEL_TYPES)[number];

/** Largest value of each pixel type: ZEN divides by it. */
export const PIXEL_TYPE_MAX: Record<ExportPixelType, number> = { uint8: 255, uint16: 65535 };

export interface CiteEntry {
  text: string;
  doi?: string;
  url?: string;
}

/** How the package's input channels relate to the ZEN model's. */
type ColourLayout = "gray" | "rgb" | "rgba" | "channels";

export interface ExportPlan {
  engine: EngineModel;
  format: "czann" | "czmodel";
  /** CZANN `Type`, or `legacy segmentation` for .czmodel/.czseg. */
  zenType: string;
  zenName: string;
  zenId: string;
  /** The model file's name (no folders), for provenance text. */
  fileName: string;
  /** rdf `name`: 5–128 of `A-Za-z0-9_+- ()`. */
  name: string;
  tile: [number, number];
  /** Context per tile side as ZEN uses it ([y, x]). */
  border: [number, number];
  /** Output halo per side ([y, x]): the border rounded up to an even number. */
  halo: [number, number];
  inputChannels: number;
  outputChannels: number;
  colour: ColourLayout;
  /** The ONNX input's batch dim is fixed to 1 (else any batch). */
  batchFixed: boolean;
  pixelType: ExportPixelType;
  /** ZEN's input scaling as a gain (1/255, 1/65535), or null when ZEN feeds raw values. */
  gain: number | null;
  inputChannelNames: string[];
  /** One identifier per output channel (class names made identifiers, or ch0 …). */
  outputChannelNames: string[];
  /** Segmentation: the classes with ZEN's label values and colours. */
  classes?: Required<EngineClass>[];
  /** Pixel size in micrometres ([y, x]) when the CZANN `Scaling` is plausible. */
  pixelSizeUm?: [number, number];
  authors: string[];
  license?: string;
  cite: CiteEntry[];
  warnings: string[];
}

export interface PlanOptions {
  authors?: string[];
  license?: string;
  cite?: CiteEntry[];
  /** rdf `name` (default: the model name made valid). */
  name?: string;
  /** Input pixel type; default from `testImageType`, else uint8 for colour and uint16 for grey models. */
  pixelType?: ExportPixelType;
  /** Sample type of the test image, when one is given (decides the default pixel type). */
  testImageType?: string;
}

const NAME_CHARS = /[^A-Za-z0-9_+\- ()]/g;
const NAME_BAD = /[^A-Za-z0-9_+\- ()]/;
const PY_KEYWORDS = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(
    " ",
  ),
);

/** A free-text name as a Python identifier (what bioimage.io wants for channel names), unique within `taken`. */
function toIdentifier(text: string, taken: Set<string>): string {
  let id = text
    .normalize("NFKD")
    .replace(/\P{ASCII}/gu, "")
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (id === "") id = "channel";
  if (/^[0-9]/.test(id)) id = `_${id}`;
  if (PY_KEYWORDS.has(id)) id = `${id}_`;
  let unique = id;
  for (let n = 2; taken.has(unique); n++) unique = `${id}_${n}`;
  taken.add(unique);
  return unique;
}

/** The model name as a valid rdf `name`: only `A-Za-z0-9_+- ()`, 5 to 128 characters. */
function rdfName(text: string): string {
  let name = text.replace(NAME_CHARS, "_").replace(/\s+/g, " ").trim();
  if (name.length < 5) name = `${name} ZEN model`.trim();
  return name.slice(0, 128);
}

function checkName(name: string): string {
  if (NAME_BAD.test(name) || name.length < 5 || name.length > 128) {
    throw invalidArgument(`"${name}" is not a valid bioimage.io model name`, {
      where: "--name",
      allowed: "5 to 128 letters, digits, spaces and _ + - ( )",
    });
  }
  return name;
}

function checkLicense(license: string | undefined, warnings: string[]): string | undefined {
  if (license === undefined) return undefined;
  if (SPDX_LICENSE_IDS.has(license)) return license;
  if (DEPRECATED_SPDX_LICENSE_IDS.has(license)) {
    warnings.push(`licence ${license} is a deprecated SPDX id (bioimage.io accepts it with a warning)`);
    return license;
  }
  const near = [...SPDX_LICENSE_IDS].find((id) => id.toLowerCase() === license.toLowerCase());
  throw invalidArgument(`"${license}" is not an SPDX licence id${near ? ` (did you mean ${near}?)` : ""}`, {
    where: "--license",
    allowed: "an id of the SPDX licence list, e.g. MIT, Apache-2.0, BSD-3-Clause, CC-BY-4.0, GPL-3.0-only",
  });
}

const DOI = /^10\.[0-9]{4,}\/\S+$/;
const URL_RE = /^https?:\/\/\S+$/;

/**
 * `TEXT=DOI` or `TEXT=URL` (`--cite`): the last `=` followed by a DOI (`10.NNNN/…`, also as
 * `https://doi.org/10.…`) or an http(s) URL splits text from reference. bioimage.io refuses a
 * citation without either, so a bare text is an error.
 */
export function parseCite(entry: string): CiteEntry {
  const m = /^(.*\S)\s*=\s*(10\.[0-9]{4,}\/\S+|https?:\/\/\S+)$/s.exec(entry.trim());
  if (!m) {
    throw invalidArgument(`"${entry}" names no DOI or URL`, {
      where: "--cite",
      allowed:
        'TEXT=DOI or TEXT=URL, e.g. "Ronneberger et al. 2015=10.1007/978-3-319-24574-4_28" (bioimage.io needs a DOI or URL per citation)',
    });
  }
  const text = m[1]!.trim();
  const ref = m[2]!;
  const doiUrl = /^https?:\/\/(dx\.)?doi\.org\/(10\..+)$/i.exec(ref);
  if (doiUrl && DOI.test(doiUrl[2]!)) return { text, doi: doiUrl[2]! };
  if (DOI.test(ref)) return { text, doi: ref };
  if (URL_RE.test(ref)) return { text, url: ref };
  throw invalidArgument(`"${ref}" is neither a DOI nor a URL`, { where: "--cite" });
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function pixelTypeFor(file: ModelFile, channels: number, o: PlanOptions, warnings: string[]): ExportPixelType {
  if (o.pixelType) {
    if (!(EXPORT_PIXEL_TYPES as readonly string[]).includes(o.pixelType)) {
      throw invalidArgument(`pixel type "${o.pixelType}" is not supported`, {
        where: "--pixel-type",
        allowed: EXPORT_PIXEL_TYPES.join(", "),
      });
    }
    return o.pixelType;
  }
  if (o.testImageType === "uint8" || o.testImageType === "uint16") return o.testImageType;
  if (file.format === "czmodel") {
    const t = file.metadata.pixelTypes[0] ? PIXEL_TYPE_INFO[file.metadata.pixelTypes[0]].sampleType : undefined;
    if (t === "uint8" || t === "uint16") return t;
    if (t)
      warnings.push(
        `the model's pixel type ${file.metadata.pixelTypes[0]} has no integer counterpart; the package takes ${channels >= 3 ? "uint8" : "uint16"}`,
      );
  }
  return channels === 3 || channels === 4 ? "uint8" : "uint16";
}

/** Pixel size from CZANN `Scaling` (metres) in micrometres, when between 0.1 nm and 1 mm. */
function pixelSize(file: ModelFile, warnings: string[]): [number, number] | undefined {
  if (file.format !== "czann" || !file.metadata.scaling) return undefined;
  const [sx, sy] = file.metadata.scaling;
  const plausible = (s: number) => s > 1e-10 && s < 1e-3;
  if (!plausible(sx) || !plausible(sy)) {
    warnings.push(`model.json Scaling [${sx}, ${sy}] is not a plausible pixel size in metres; the package states no pixel size`);
    return undefined;
  }
  // Scaling is [x, y]; round away binary noise (6.5e-7 m → 0.65 µm)
  const um = (s: number) => Number((s * 1e6).toPrecision(12));
  return [um(sy), um(sx)];
}

export interface DescriptiveFields {
  name?: string;
  authors: string[];
  license?: string;
  cite: CiteEntry[];
  warnings: string[];
}

/** Check the user's descriptive options (name, authors, licence, citations); callers may run this before reading the model. */
export function checkDescriptiveOptions(o: PlanOptions): DescriptiveFields {
  const warnings: string[] = [];
  const authors = (o.authors ?? []).map((a) => a.trim());
  if (authors.some((a) => a === "")) throw invalidArgument("an author name is empty", { where: "--author" });
  const license = checkLicense(o.license, warnings);
  const cite = o.cite ?? [];
  if (authors.length === 0) warnings.push("no --author: the package names no authors (bioimage.io asks for them before upload)");
  if (!license) warnings.push("no --license: the package states no licence (bioimage.io asks for an SPDX id before upload)");
  if (cite.length === 0) warnings.push("no --cite: the package has no citation (bioimage.io asks for one before upload)");
  return { ...(o.name !== undefined ? { name: checkName(o.name) } : {}), authors, ...(license ? { license } : {}), cite, warnings };
}

const PAYLOAD_WORDS: Record<string, string> = {
  savedmodel: "a TensorFlow SavedModel",
  pickle: "a ZEN random-forest model (pickle)",
  unknown: "not an ONNX model",
};

/** Decide everything about the package of `file` (see the module doc). */
export function planExport(file: ModelFile, o: PlanOptions = {}): ExportPlan {
  const where = file.path ?? "model";
  if (file.payloadKind !== "onnx") {
    throw unsupported(
      `the model is ${PAYLOAD_WORDS[file.payloadKind] ?? "not an ONNX model"}; a bioimage.io package is made from an ONNX model`,
      {
        where,
        allowed: "a .czann/.czmodel/.czseg with an ONNX payload",
      },
    );
  }
  const descriptive = checkDescriptiveOptions(o);
  const { model, borderMissing, warnings: engineWarnings } = engineModelFromFile(file, where);
  // the engine's advice on a missing border names predict's --border, which export has not
  const warnings = borderMissing
    ? ["the model file names no context border (MinOverlap / BorderSize): the package declares no halo"]
    : [...engineWarnings];
  if (model.spatialDims === 3 || (model.tile && model.tile.length === 3)) {
    throw unsupported("3-D (NDHWC) models are not exported to bioimage.io yet", { where, allowed: "2-D models" });
  }
  if (!model.tile) {
    throw unsupported("the model has no fixed tile size (dynamic spatial dims and no tile in its metadata)", {
      where,
      allowed: "a model with a fixed input size",
    });
  }
  const tile: [number, number] = [model.tile[0], model.tile[1]];
  const summary = summarizeOnnx(file.modelBytes);
  const inDims = summary.inputs[0]!.shape;
  const outDims = summary.outputs[0]!.shape;
  if (inDims.length !== 4 || outDims.length !== 4) {
    throw unsupported(`the ONNX input/output have ranks ${inDims.length}/${outDims.length}`, {
      where,
      allowed: "NHWC input and output (rank 4)",
    });
  }
  const batch = inDims[0];
  if (typeof batch === "number" && batch > 1)
    throw unsupported(`the model's batch dim is fixed to ${batch}`, {
      where,
      allowed: "batch 1 or dynamic (bioimage.io feeds one sample)",
    });
  const m = model.inputChannels;
  const kFromOnnx = typeof outDims[3] === "number" && outDims[3] > 0 ? outDims[3] : undefined;
  const k = model.outputChannels ?? kFromOnnx;
  if (!k) throw unsupported("the model's output channel count is not known", { where, allowed: "a fixed output channel dim" });

  const border: [number, number] = [model.border[0]!, model.border[1]!];
  const halo = border.map((b) => (b % 2 === 0 ? b : b + 1)) as [number, number];
  if (halo[0] !== border[0] || halo[1] !== border[1]) {
    warnings.push(`bioimage.io needs an even halo: the border ${border.join("/")} is declared as halo ${halo.join("/")}`);
  }
  for (const [i, h] of halo.entries()) {
    if (tile[i]! - 2 * h < 1) throw unsupported(`the halo ${h} leaves nothing of a ${tile[i]}-pixel tile`, { where });
  }

  const colour: ColourLayout = m === 1 ? "gray" : m === 3 ? "rgb" : m === 4 ? "rgba" : "channels";
  const inputChannelNames =
    colour === "gray"
      ? ["gray"]
      : colour === "rgb"
        ? ["R", "G", "B"]
        : colour === "rgba"
          ? ["R", "G", "B", "A"]
          : Array.from({ length: m }, (_, i) => `c${i}`);

  let classes: Required<EngineClass>[] | undefined;
  let outputChannelNames: string[];
  if (model.kind === "segmentation") {
    const given = model.classes ?? [];
    if (given.length !== k)
      throw unsupported(`the model outputs ${k} channel(s) but its metadata lists ${given.length} classes`, { where });
    const colours = classColors(k);
    classes = given.map((c, i) => ({ name: c.name, value: c.value ?? i + 1, color: c.color ?? colours[i]! }));
    const taken = new Set<string>();
    outputChannelNames = classes.map((c) => toIdentifier(c.name, taken));
  } else {
    outputChannelNames = Array.from({ length: k }, (_, i) => `ch${i}`);
  }

  const pixelType = pixelTypeFor(file, m, o, warnings);
  const zenName = file.metadata.modelName ?? "";
  const fileName = baseName(where);
  const name = descriptive.name ?? rdfName(zenName || fileName.replace(/\.(czann|czmodel|czseg)$/i, ""));
  const pixelSizeUm = pixelSize(file, warnings);
  const { authors, license, cite } = descriptive;
  warnings.push(...descriptive.warnings);

  return {
    engine: model,
    format: file.format,
    zenType: file.format === "czann" ? file.metadata.type : "legacy segmentation",
    zenName: zenName || fileName,
    zenId: file.metadata.id,
    fileName,
    name,
    tile,
    border,
    halo,
    inputChannels: m,
    outputChannels: k,
    colour,
    batchFixed: batch === 1,
    pixelType,
    gain: model.scaleInputs ? 1 / PIXEL_TYPE_MAX[pixelType] : null,
    inputChannelNames,
    outputChannelNames,
    ...(classes ? { classes } : {}),
    ...(pixelSizeUm ? { pixelSizeUm } : {}),
    authors,
    ...(license ? { license } : {}),
    cite,
    warnings,
  };
}
