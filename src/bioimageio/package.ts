/**
 * A bioimage.io package as a set of files: where its description is, how to read a file it
 * names (only relative paths inside the package: a `..`, absolute or URL source is refused),
 * and the SHA-256 check of what is read. `zipPackage` opens a package held in memory (the
 * browser page, and `.zip` files in Node); `node/open-package.ts` adds folders. Isomorphic.
 */
import { readZipDirectory, readZipEntryData, type ZipEntryRecord } from "../container/zip-reader.js";
import { normalizeEntryName, safeEntryPath } from "../container/zip-names.js";
import { invalidContainer, invalidMetadata, ioError, unsupported } from "../errors.js";
import type { FileRef, ModelDescription } from "./description.js";
import { MAX_RDF_BYTES, parseRdf } from "./rdf.js";
import { bytesToHex } from "../bytes/hex.js";

/** Read access to the files of one package. */
export interface PackageFiles {
  /** The package as the user named it (a folder, a .zip, an rdf path), for messages. */
  where: string;
  /** Relative path of the description file inside the package. */
  rdfName: string;
  /** Bytes of a file, by safe relative path; refuses files larger than `maxBytes`. */
  read(path: string, maxBytes: number): Promise<Uint8Array>;
}

export interface LoadedPackage {
  files: PackageFiles;
  description: ModelDescription;
}

/** Largest weights file read (4 GiB, like a model payload). */
export const MAX_WEIGHTS_BYTES = 4 * 1024 * 1024 * 1024;
/** Largest test tensor read. */
export const MAX_TENSOR_BYTES = 1024 * 1024 * 1024;

/** Description file names, in the order they are preferred when a package has several. */
const RDF_NAMES = ["bioimageio.yaml", "rdf.yaml"];

/** Choose the description among the package's top-level file names; `where` names the package. */
export function pickRdfName(names: string[], where: string): string {
  for (const n of RDF_NAMES) if (names.includes(n)) return n;
  const suffixed = names.filter((n) => n.endsWith(".bioimageio.yaml"));
  if (suffixed.length === 1) return suffixed[0]!;
  if (suffixed.length > 1) {
    throw invalidContainer(`has several descriptions (${suffixed.join(", ")}) and no bioimageio.yaml or rdf.yaml`, {
      where,
      allowed: "name the one to use: PACKAGE/NAME.bioimageio.yaml",
    });
  }
  throw invalidContainer("holds no bioimage.io description", {
    where,
    allowed: "a package with rdf.yaml, bioimageio.yaml or NAME.bioimageio.yaml at its top level",
  });
}

/** The package-relative path of a source named in the description, or an error for URLs and paths that leave the package. */
function packagePath(source: string, where: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw unsupported(`${source} is a URL; files are read only from inside the package`, {
      where,
      allowed: "a package with its files (download it from bioimage.io as a .zip)",
    });
  }
  return safeEntryPath(source, where);
}

/** Read and parse the package's description. */
export async function loadPackage(files: PackageFiles): Promise<LoadedPackage> {
  const where = `${files.where}: ${files.rdfName}`;
  const bytes = await files.read(files.rdfName, MAX_RDF_BYTES);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (e) {
    throw invalidMetadata("is not UTF-8 text", { where, cause: e });
  }
  return { files, description: parseRdf(text, where) };
}

/** Lowercase hex SHA-256 (Web Crypto: Node ≥ 20 and browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle)
    throw unsupported("checking SHA-256 needs Web Crypto, which browsers offer only on https or localhost pages", { where: "sha256" });
  const digest = await subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return bytesToHex(new Uint8Array(digest));
}

/** Read a file the description names and check its SHA-256 when the description gives one. */
export async function readChecked(pkg: LoadedPackage, ref: FileRef, what: string, maxBytes: number): Promise<Uint8Array> {
  const where = `${pkg.files.where}: ${what}`;
  const path = packagePath(ref.source, where);
  const bytes = await pkg.files.read(path, maxBytes);
  if (ref.sha256) {
    const actual = await sha256Hex(bytes);
    if (actual !== ref.sha256.toLowerCase()) {
      throw invalidContainer(`${path} has SHA-256 ${actual}, but the description says ${ref.sha256}`, {
        where,
        allowed: "the file the description was made for",
      });
    }
  }
  return bytes;
}

/** A package held in memory as a zip (the description may sit in one top-level folder). */
export function zipPackage(bytes: Uint8Array, where: string): PackageFiles {
  let entries: ZipEntryRecord[];
  try {
    entries = readZipDirectory(bytes, where);
  } catch (e) {
    if (e instanceof Error && "code" in e) throw e;
    throw invalidContainer("is not a readable zip file", { where, cause: e });
  }
  const byName = new Map<string, ZipEntryRecord>();
  for (const e of entries) {
    if (e.name.endsWith("/")) continue;
    byName.set(safeEntryPath(e.name, where), e);
  }
  const names = [...byName.keys()];
  let prefix = "";
  let top = names.filter((n) => !n.includes("/"));
  if (!top.some((n) => RDF_NAMES.includes(n) || n.endsWith(".bioimageio.yaml"))) {
    const folders = new Set(names.map((n) => n.split("/")[0]!));
    if (folders.size === 1 && names.every((n) => n.includes("/"))) {
      prefix = `${[...folders][0]}/`;
      top = names.filter((n) => n.startsWith(prefix) && !n.slice(prefix.length).includes("/")).map((n) => n.slice(prefix.length));
    }
  }
  return {
    where,
    rdfName: pickRdfName(top, where),
    async read(path, maxBytes) {
      const entry = byName.get(prefix + normalizeEntryName(path));
      if (!entry) throw ioError(`the package has no file ${path}`, { where });
      if (entry.size > maxBytes) throw invalidContainer(`${path} is ${entry.size} bytes, more than the limit of ${maxBytes}`, { where });
      return readZipEntryData(bytes, entry, where);
    },
  };
}
