/**
 * Opening a bioimage.io package in Node from what a user names: a package folder, a `.zip`
 * package, or the description file itself (`rdf.yaml`, `bioimageio.yaml`,
 * `NAME.bioimageio.yaml`; its folder is the package). Files are read only from inside the
 * folder: a source that resolves (through links too) outside it is refused.
 */
import { open, readdir, realpath, stat } from "node:fs/promises";
import { basename, dirname, join, sep } from "node:path";
import { invalidArgument, invalidContainer, ioError } from "../../errors.js";
import { loadPackage, pickRdfName, zipPackage, type LoadedPackage, type PackageFiles } from "../package.js";

/** Largest zipped package read into memory. */
const MAX_ZIP_PACKAGE_BYTES = 4 * 1024 * 1024 * 1024;

export async function openPackage(source: string): Promise<LoadedPackage> {
  return loadPackage(await packageFiles(source));
}

async function packageFiles(source: string): Promise<PackageFiles> {
  const info = await stat(source).catch((e: NodeJS.ErrnoException) => {
    throw ioError(e.code === "ENOENT" ? "no such file or folder" : `cannot be read (${e.code ?? e.message})`, { where: source, cause: e });
  });
  if (info.isDirectory()) return folderPackage(source, pickRdfName(await readdir(source), source));
  if (/\.ya?ml$/i.test(source)) return folderPackage(dirname(source), basename(source), source);
  if (info.size > MAX_ZIP_PACKAGE_BYTES)
    throw invalidContainer(`is ${info.size} bytes, more than the limit of ${MAX_ZIP_PACKAGE_BYTES}`, { where: source });
  const bytes = await readWhole(source, info.size, source);
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw invalidArgument("is neither a folder, a .zip nor a YAML description", {
      where: source,
      allowed: "a bioimage.io package folder, its .zip, or its rdf.yaml / bioimageio.yaml",
    });
  }
  return zipPackage(bytes, source);
}

async function readWhole(path: string, size: number, where: string): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const out = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(out, done, size - done, done);
      if (bytesRead === 0) throw ioError("the file shrank while it was read", { where });
      done += bytesRead;
    }
    return out;
  } finally {
    await handle.close();
  }
}

function folderPackage(folder: string, rdfName: string, where = folder): PackageFiles {
  return {
    where,
    rdfName,
    async read(path, maxBytes) {
      const root = await realpath(folder);
      const full = join(root, ...path.split("/"));
      const real = await realpath(full).catch((e: NodeJS.ErrnoException) => {
        throw ioError(e.code === "ENOENT" ? `the package has no file ${path}` : `${path} cannot be read (${e.code ?? e.message})`, {
          where,
          cause: e,
        });
      });
      if (real !== root && !real.startsWith(root + sep))
        throw invalidContainer(`${path} leads outside the package folder`, { where, allowed: "files inside the package" });
      const info = await stat(real);
      if (!info.isFile()) throw ioError(`${path} is not a file`, { where });
      if (info.size > maxBytes) throw invalidContainer(`${path} is ${info.size} bytes, more than the limit of ${maxBytes}`, { where });
      return readWhole(real, info.size, `${where}: ${path}`);
    },
  };
}
