/**
 * Turning a ZIP's entry list + entry bytes into a `ModelFile`: the one function both readers
 * (in-memory / browser and Node streaming) share. The format is detected by content, not by
 * extension: `model.json` → CZANN, `<guid>.xml` → legacy. ZEN variants are accepted
 * (docs/formats.md#files-made-by-zen): any entry order, case-insensitive `model.json` / `model.model`, backslash
 * names, `modelid=` anywhere or missing (warning); a legacy file's guids in the entry names
 * are compared with `<Id>` (warning on mismatch). Declared sizes are checked against the
 * limits before any entry is read. Isomorphic.
 */
import { invalidContainer } from "../errors.js";
import { LegacyModelMetadata } from "../metadata/legacy-model-metadata.js";
import { ModelMetadata } from "../metadata/model-metadata.js";
import { checkEntrySize, zipLimits, type ZipLimits } from "./limits.js";
import { sniffPayload, type PayloadKind } from "./payload.js";
import type { ZipEntryInfo } from "./zip-reader.js";
import { entryBaseName, normalizeEntryName } from "./zip-names.js";

interface ModelFileCommon {
  /** The file's path when read from disk. */
  path?: string;
  /** The model payload (ONNX, zipped SavedModel, pickle …). */
  modelBytes: Uint8Array;
  modelEntryName: string;
  payloadKind: PayloadKind;
  license: { name: string; bytes: Uint8Array } | null;
  /** Every entry, in archive order. */
  entries: ZipEntryInfo[];
  metadataEntryName: string;
  /** The metadata entry's raw bytes (for byte-identity checks). */
  metadataBytes: Uint8Array;
  warnings: string[];
}

export type CzannModelFile = ModelFileCommon & { format: "czann"; metadata: ModelMetadata };
export type LegacyModelFile = ModelFileCommon & { format: "czmodel"; metadata: LegacyModelMetadata };
export type ModelFile = CzannModelFile | LegacyModelFile;

/** Random access to the entries of one archive, implemented by each reader. */
export interface ZipAccess {
  /** Name for messages (path or file name). */
  name: string;
  path?: string;
  entries: ZipEntryInfo[];
  /** The entry's uncompressed, CRC-checked bytes; must stop at `maxBytes` and at the declared size. */
  read(entry: ZipEntryInfo, maxBytes: number): Promise<Uint8Array>;
}

export interface ReadModelOptions {
  limits?: Partial<ZipLimits>;
}

interface Layout {
  format: "czann" | "czmodel";
  metadata: ZipEntryInfo;
  model: ZipEntryInfo;
  modelId?: ZipEntryInfo;
  others: ZipEntryInfo[];
  warnings: string[];
}

const lower = (s: string) => s.toLowerCase();
const isDir = (e: ZipEntryInfo) => normalizeEntryName(e.name).endsWith("/");
const base = (e: ZipEntryInfo) => lower(entryBaseName(e.name));
const listNames = (entries: ZipEntryInfo[]) => (entries.length ? entries.map((e) => JSON.stringify(e.name)).join(", ") : "none");

/** Prefer a root-level entry over one in a sub-folder. */
function pick(candidates: ZipEntryInfo[]): ZipEntryInfo | undefined {
  return candidates.find((e) => !normalizeEntryName(e.name).includes("/")) ?? candidates[0];
}

function czannLayout(files: ZipEntryInfo[], where: string, jsons: ZipEntryInfo[]): Layout {
  const warnings: string[] = [];
  let metadata = pick(jsons.filter((e) => base(e) === "model.json"));
  if (!metadata) {
    metadata = jsons[0];
    if (!metadata) {
      throw invalidContainer(`no model.json entry (entries: ${listNames(files)})`, {
        where,
        allowed: "a .czann archive with model.json and model.model",
      });
    }
    warnings.push(`${where}: no model.json entry; read the metadata from ${JSON.stringify(metadata.name)}`);
  }
  const models = files.filter((e) => base(e).endsWith(".model"));
  let model = pick(models.filter((e) => base(e) === "model.model"));
  if (!model) {
    model = models[0];
    if (!model) {
      throw invalidContainer(`no model.model entry (entries: ${listNames(files)})`, {
        where,
        allowed: "a .czann archive with model.json and model.model",
      });
    }
    warnings.push(`${where}: no model.model entry; read the model from ${JSON.stringify(model.name)}`);
  }
  const others = files.filter((e) => e !== metadata && e !== model);
  return { format: "czann", metadata, model, others, warnings };
}

function stem(e: ZipEntryInfo): string {
  const b = entryBaseName(e.name);
  const dot = b.lastIndexOf(".");
  return dot < 0 ? b : b.slice(0, dot);
}

function legacyLayout(files: ZipEntryInfo[], where: string, xmls: ZipEntryInfo[]): Layout {
  const warnings: string[] = [];
  const modelIds = files.filter((e) => base(e).startsWith("modelid="));
  const modelId = modelIds[0];
  const idFromName = modelId ? entryBaseName(modelId.name).slice("modelid=".length) : undefined;
  if (modelIds.length > 1) warnings.push(`${where}: ${modelIds.length} modelid= entries; using ${JSON.stringify(modelId?.name)}`);
  const metadata = (idFromName !== undefined ? xmls.find((e) => lower(stem(e)) === lower(idFromName)) : undefined) ?? xmls[0];
  if (!metadata) {
    throw invalidContainer(`no <guid>.xml entry (entries: ${listNames(files)})`, {
      where,
      allowed: "a .czmodel/.czseg archive with <guid>.xml and <guid>.model",
    });
  }
  if (xmls.length > 1) warnings.push(`${where}: ${xmls.length} .xml entries; using ${JSON.stringify(metadata.name)}`);
  const models = files.filter((e) => base(e).endsWith(".model"));
  let model = models.find((e) => lower(stem(e)) === lower(stem(metadata)));
  if (!model) {
    model = models[0];
    if (!model) {
      throw invalidContainer(`no <guid>.model entry (entries: ${listNames(files)})`, {
        where,
        allowed: "a .czmodel/.czseg archive with <guid>.xml and <guid>.model",
      });
    }
    warnings.push(`${where}: model entry ${JSON.stringify(model.name)} does not match the metadata entry ${JSON.stringify(metadata.name)}`);
  }
  if (!modelId) warnings.push(`${where}: no modelid=<guid> entry`);
  const others = files.filter((e) => e !== metadata && e !== model && !modelIds.includes(e));
  return { format: "czmodel", metadata, model, ...(modelId ? { modelId } : {}), others, warnings };
}

/** Two entries with one name (ignoring case and `\` vs `/`) make the file ambiguous: which copy would ZEN read? */
function refuseDuplicateNames(files: ZipEntryInfo[], where: string): void {
  const seen = new Set<string>();
  for (const e of files) {
    const key = lower(normalizeEntryName(e.name));
    if (seen.has(key)) {
      throw invalidContainer(`entry ${JSON.stringify(e.name)} appears twice (names are compared ignoring case)`, {
        where,
        allowed: "one entry per name",
      });
    }
    seen.add(key);
  }
}

function layoutOf(entries: ZipEntryInfo[], where: string): Layout {
  const files = entries.filter((e) => !isDir(e));
  refuseDuplicateNames(files, where);
  const jsons = files.filter((e) => base(e).endsWith(".json"));
  const xmls = files.filter((e) => base(e).endsWith(".xml"));
  if (jsons.some((e) => base(e) === "model.json")) return czannLayout(files, where, jsons);
  if (xmls.length > 0) return legacyLayout(files, where, xmls);
  if (jsons.length > 0) return czannLayout(files, where, jsons);
  if (files.some((e) => base(e) === "model.model")) return czannLayout(files, where, jsons);
  if (files.some((e) => base(e).startsWith("modelid=") || base(e).endsWith(".model"))) return legacyLayout(files, where, xmls);
  const ext = lower(where).replace(/^.*\./, ".");
  if (ext === ".czann") return czannLayout(files, where, jsons);
  if (ext === ".czmodel" || ext === ".czseg") return legacyLayout(files, where, xmls);
  throw invalidContainer(`neither a CZANN (model.json) nor a legacy (<guid>.xml) model file (entries: ${listNames(files)})`, {
    where,
    allowed: "a .czann, .czmodel or .czseg archive",
  });
}

type Head<F> = Omit<F, "modelBytes" | "payloadKind"> & { modelEntry: ZipEntryInfo };
/** A model file read without its payload: the payload's entry is named for a caller that streams it. */
export type ModelFileHead = Head<CzannModelFile> | Head<LegacyModelFile>;

/**
 * Read a model file's layout, metadata and licence through `access`, not its payload (whose
 * declared size is checked against the limits). Shared by every reader.
 */
export async function readModelHead(access: ZipAccess, options: ReadModelOptions = {}): Promise<ModelFileHead> {
  const limits = zipLimits(options.limits);
  const where = access.name;
  if (access.entries.length > limits.maxEntries) {
    throw invalidContainer(`archive has ${access.entries.length} entries`, { where, allowed: `at most ${limits.maxEntries} entries` });
  }
  const layout = layoutOf(access.entries, where);
  const warnings = [...layout.warnings];
  const license = layout.others[0];
  for (const extra of layout.others.slice(1)) warnings.push(`${where}: ${extra.name}: unexpected entry, ignored`);

  checkEntrySize(layout.metadata, limits.maxMetadataBytes, limits, where);
  checkEntrySize(layout.model, limits.maxModelBytes, limits, where);
  if (license) checkEntrySize(license, limits.maxOtherBytes, limits, where);

  const metadataBytes = await access.read(layout.metadata, limits.maxMetadataBytes);
  const metaWhere = `${where}: ${layout.metadata.name}`;
  const common = {
    ...(access.path !== undefined ? { path: access.path } : {}),
    entries: access.entries,
    metadataEntryName: layout.metadata.name,
    metadataBytes,
    modelEntryName: layout.model.name,
    modelEntry: layout.model,
    warnings,
  };
  const readLicense = async () => (license ? { name: license.name, bytes: await access.read(license, limits.maxOtherBytes) } : null);
  if (layout.format === "czann") {
    const metadata = ModelMetadata.fromBytes(metadataBytes, metaWhere, warnings);
    return { ...common, format: "czann", metadata, license: await readLicense() };
  }
  const metadata = LegacyModelMetadata.fromBytes(metadataBytes, metaWhere, warnings);
  const id = lower(metadata.id);
  const named: Array<[string, string]> = [
    [layout.metadata.name, stem(layout.metadata)],
    [layout.model.name, stem(layout.model)],
  ];
  if (layout.modelId) named.push([layout.modelId.name, entryBaseName(layout.modelId.name).slice("modelid=".length)]);
  for (const [entryName, guid] of named) {
    if (lower(guid) !== id) warnings.push(`${where}: ${entryName}: the name's id ${guid} differs from <Id> ${metadata.id}`);
  }
  return { ...common, format: "czmodel", metadata, license: await readLicense() };
}

/** Read a model file through `access`, payload included (shared by every reader). */
export async function readModelFromZip(access: ZipAccess, options: ReadModelOptions = {}): Promise<ModelFile> {
  const { modelEntry, ...head } = await readModelHead(access, options);
  const modelBytes = await access.read(modelEntry, zipLimits(options.limits).maxModelBytes);
  return { ...head, modelBytes, payloadKind: sniffPayload(modelBytes) } as ModelFile;
}
