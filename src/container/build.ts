/**
 * Building `.czann` and legacy `.czmodel` archives exactly as czmodel does
 * (docs/formats.md#zip-layout, docs/formats.md#czann-entries, docs/formats.md#legacy-entries): entry names and order, STORED, `writestr` attributes for generated entries, and for
 * a license what `ZipFile.write(path, arcname=basename)` sets (the file's mtime and
 * `(st_mode & 0xFFFF) << 16`). `…ZipEntries` give the entry list for streaming writers;
 * `build…` give the archive bytes; `archivePieces` gives the pieces around a model streamed
 * from elsewhere. Isomorphic.
 */
import { invalidArgument } from "../errors.js";
import type { LegacyModelMetadata } from "../metadata/legacy-model-metadata.js";
import { ModelMetadata } from "../metadata/model-metadata.js";
import { basenamePath } from "../paths/portable-path.js";
import { crc32 } from "./crc32.js";
import type { ZipTimestamp } from "./dos-time.js";
import { writeZip, zipHeaders, type ZipEntryInput, type ZipWriteOptions } from "./zip-writer.js";

/** Default file mode of a license file: a regular file, 0644 (what `ZipFile.write` records on Linux). */
const DEFAULT_LICENSE_MODE = 0o100644;

export interface LicenseInput {
  /** File name or path; the archive name is its last segment. */
  name: string;
  bytes: Uint8Array;
  /** The license file's mtime (default: the archive's date). */
  timestamp?: ZipTimestamp;
  /** The license file's `st_mode` (default `0o100644`). */
  mode?: number;
}

export interface CzannInput {
  metadata: ModelMetadata;
  model: Uint8Array;
  /** CRC-32 of `model` if already known (saves a pass over a big model). */
  modelCrc32?: number;
  license?: LicenseInput | null;
}

export interface LegacyInput {
  metadata: LegacyModelMetadata;
  model: Uint8Array;
  modelCrc32?: number;
  license?: LicenseInput | null;
}

export type BuildOptions = ZipWriteOptions;

/** The license entry, or nothing. */
function licenseEntry(license: LicenseInput | null | undefined, reserved: readonly string[]): ZipEntryInput[] {
  if (!license) return [];
  const name = basenamePath(license.name);
  if (name === "") throw invalidArgument(`license file name ${JSON.stringify(license.name)} has no file name part`, { where: "license" });
  if (reserved.includes(name)) {
    throw invalidArgument(`license file name ${JSON.stringify(name)} clashes with the model file's own entry`, {
      where: "license",
      allowed: "another file name",
    });
  }
  return [
    {
      name,
      data: license.bytes,
      externalAttributes: (((license.mode ?? DEFAULT_LICENSE_MODE) & 0xffff) << 16) >>> 0,
      ...(license.timestamp !== undefined ? { timestamp: license.timestamp } : {}),
    },
  ];
}

/** Entries of a `.czann`: `model.json`, `model.model`, [license]. */
function czannZipEntries(input: CzannInput): ZipEntryInput[] {
  return [
    { name: "model.json", data: input.metadata.toBytes() },
    { name: "model.model", data: input.model, ...(input.modelCrc32 !== undefined ? { crc32: input.modelCrc32 } : {}) },
    ...licenseEntry(input.license, ["model.json", "model.model"]),
  ];
}

/** Entries of a legacy `.czmodel`: `<id>.xml`, `<id>.model`, [license], empty `modelid=<id>`. */
function legacyZipEntries(input: LegacyInput): ZipEntryInput[] {
  const id = input.metadata.id;
  const names = [`${id}.xml`, `${id}.model`, `modelid=${id}`];
  return [
    { name: names[0] as string, data: input.metadata.toBytes() },
    { name: names[1] as string, data: input.model, ...(input.modelCrc32 !== undefined ? { crc32: input.modelCrc32 } : {}) },
    ...licenseEntry(input.license, names),
    { name: names[2] as string, data: new Uint8Array(0) },
  ];
}

/** A `.czann` file's bytes. */
export function buildCzann(input: CzannInput, options: BuildOptions = {}): Uint8Array {
  return writeZip(czannZipEntries(input), options);
}

/** A legacy `.czmodel` / `.czseg` file's bytes. */
export function buildLegacy(input: LegacyInput, options: BuildOptions = {}): Uint8Array {
  return writeZip(legacyZipEntries(input), options);
}

/**
 * The archive `build…` would write for `metadata` (`.czann` or legacy by its class), as pieces
 * in order with `null` where the model's `size` bytes go: a writer streams the model there.
 */
export function archivePieces(
  metadata: ModelMetadata | LegacyModelMetadata,
  model: { size: number; crc32: number },
  license: LicenseInput | null | undefined,
  options: BuildOptions = {},
): Array<Uint8Array | null> {
  const placeholder = { model: new Uint8Array(0), license: license ?? null };
  const entries =
    metadata instanceof ModelMetadata ? czannZipEntries({ ...placeholder, metadata }) : legacyZipEntries({ ...placeholder, metadata });
  const modelAt = 1; // both layouts put the model second
  const layout = zipHeaders(
    entries.map((e, i) => ({
      name: e.name,
      size: i === modelAt ? model.size : e.data.length,
      crc32: i === modelAt ? model.crc32 : (e.crc32 ?? crc32(e.data)),
      ...(e.externalAttributes !== undefined ? { externalAttributes: e.externalAttributes } : {}),
      ...(e.timestamp !== undefined ? { timestamp: e.timestamp } : {}),
    })),
    options,
  );
  const pieces: Array<Uint8Array | null> = [];
  for (const [i, e] of entries.entries()) pieces.push(layout.localHeaders[i] as Uint8Array, i === modelAt ? null : e.data);
  pieces.push(layout.tail);
  return pieces;
}
