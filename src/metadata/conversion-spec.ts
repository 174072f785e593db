/**
 * Conversion-spec JSON (the input of czmodel's `convert_from_json_spec` and of the CLI),
 * docs/formats.md#conversion-specs, both flavours:
 * - CZANN (nested): `{"ModelMetadata": {model.json keys}, "ModelPath": …, "LicenseFile": …}`;
 * - legacy (flat): `BorderSize`, `ColorHandling`, `PixelType` (string or list), `Classes`,
 *   `ModelPath`, optional `LicenseFile`, `TestImageFile`, `Id`.
 * Paths are resolved relative to the spec file's folder (as the ANN spec says; czmodel used
 * the working directory), `\` separators accepted, absolute paths kept. The legacy model name
 * is the last segment of `ModelPath` (czmodel's `basename(ModelPath)`; a trailing separator is
 * ignored instead of giving an empty name). `TestImageFile`, a legacy `Name` and unknown keys
 * give warnings. Isomorphic (pure-string paths).
 */
import { z } from "zod";
import { invalidMetadata } from "../errors.js";
import { COLOR_HANDLINGS, describeChoices, PIXEL_TYPES } from "./enums.js";
import { missingOr, showValue, zodIssueError } from "./issues.js";
import { parsePythonJson } from "./json-parse.js";
import { LegacyModelMetadata } from "./legacy-model-metadata.js";
import { ModelMetadata } from "./model-metadata.js";
import { PyFloat } from "./python-json.js";
import { basenamePath, dirnamePath, resolvePath } from "../paths/portable-path.js";
import { isUuid, UUID_ALLOWED } from "./uuid.js";

interface SpecCommon {
  /** Model path resolved against the spec's folder (`/` separators). */
  modelPath: string;
  licenseFile?: string;
  /** Given in some ZEN specs; never packed (a warning says so). */
  testImageFile?: string;
  /** The paths as written in the spec, for error messages. */
  rawPaths: { modelPath: string; licenseFile?: string; testImageFile?: string };
  warnings: string[];
}

export type ConversionSpec =
  | (SpecCommon & { flavour: "czann"; metadata: ModelMetadata })
  | (SpecCommon & { flavour: "legacy"; metadata: LegacyModelMetadata });

const CZANN_KEYS = new Set(["ModelMetadata", "ModelPath", "LicenseFile", "TestImageFile"]);
const LEGACY_KEYS = new Set([
  "BorderSize",
  "ColorHandling",
  "PixelType",
  "Classes",
  "ModelPath",
  "ModelFile",
  "LicenseFile",
  "TestImageFile",
  "Id",
  "Name",
]);

const optionalPath = z.string({ error: "is not a string" }).nullish();

const czannSpecSchema = z.object({
  ModelPath: z.string({ error: missingOr("is not a string") }).min(1, { error: "is empty" }),
  LicenseFile: optionalPath,
  TestImageFile: optionalPath,
});

const legacySpecSchema = z.object({
  Id: z.string({ error: "is not a string" }).refine(isUuid, { error: "is not a UUID" }).nullish(),
  BorderSize: z.int({ error: missingOr("is not an integer") }).min(0, { error: "is negative" }),
  ColorHandling: z.enum(COLOR_HANDLINGS, { error: missingOr("is not a known colour handling") }),
  PixelType: z.union(
    [
      z.enum(PIXEL_TYPES, { error: missingOr("is not a known pixel type") }),
      z.array(z.enum(PIXEL_TYPES, { error: "is not a known pixel type" })).min(1, { error: "is empty" }),
    ],
    { error: missingOr("is not a pixel type or a list of pixel types") },
  ),
  Classes: z
    .array(z.string({ error: "is not a string" }), { error: missingOr("is not a list") })
    .min(2, { error: "has fewer than 2 classes" }),
  ModelPath: z.string({ error: missingOr("is not a string") }).min(1, { error: "is empty" }),
  LicenseFile: optionalPath,
  TestImageFile: optionalPath,
});

function legacyAllowed(path: ReadonlyArray<PropertyKey>): string | undefined {
  switch (path[0]) {
    case "Id":
      return UUID_ALLOWED;
    case "BorderSize":
      return "an integer >= 0 (context pixels per tile side)";
    case "ColorHandling":
      return describeChoices(COLOR_HANDLINGS);
    case "PixelType":
      return `${describeChoices(PIXEL_TYPES)}, or a list of them`;
    case "Classes":
      return path.length > 1 ? "a string" : "a list of at least 2 class names";
    case "ModelPath":
      return "a path to the model (relative to the spec file or absolute)";
    case "LicenseFile":
    case "TestImageFile":
      return "a path or null";
    default:
      return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof PyFloat);
}

/** The spec's paths, resolved against its folder, and as written (for messages). */
function specPaths(
  d: { ModelPath: string; LicenseFile?: string | null | undefined; TestImageFile?: string | null | undefined },
  resolve: (p: string) => string,
): Pick<SpecCommon, "modelPath" | "licenseFile" | "testImageFile" | "rawPaths"> {
  return {
    modelPath: resolve(d.ModelPath),
    ...(d.LicenseFile ? { licenseFile: resolve(d.LicenseFile) } : {}),
    ...(d.TestImageFile ? { testImageFile: resolve(d.TestImageFile) } : {}),
    rawPaths: {
      modelPath: d.ModelPath,
      ...(d.LicenseFile ? { licenseFile: d.LicenseFile } : {}),
      ...(d.TestImageFile ? { testImageFile: d.TestImageFile } : {}),
    },
  };
}

/**
 * Parse a conversion-spec JSON text. `specPath` is the spec file's path (used for messages and
 * as the base of relative paths).
 */
export function parseConversionSpec(jsonText: string, specPath: string): ConversionSpec {
  const where = specPath;
  const text = jsonText.charCodeAt(0) === 0xfeff ? jsonText.slice(1) : jsonText;
  const obj = parsePythonJson(text, where);
  if (!isObject(obj)) {
    throw invalidMetadata(`${showValue(obj)} is not a JSON object`, {
      where,
      allowed:
        "a conversion spec object (CZANN: ModelMetadata, ModelPath; legacy: BorderSize, ColorHandling, PixelType, Classes, ModelPath)",
    });
  }
  const baseDir = dirnamePath(specPath);
  const warnings: string[] = [];
  const resolve = (p: string) => resolvePath(baseDir, p);

  if ("ModelMetadata" in obj) {
    for (const k of Object.keys(obj)) if (!CZANN_KEYS.has(k)) warnings.push(`${where}: ${k}: unknown key, ignored`);
    const parsed = czannSpecSchema.safeParse(obj, { reportInput: true });
    if (!parsed.success) {
      throw zodIssueError(parsed.error, where, (p) =>
        p[0] === "ModelPath" ? "a path to the model (relative to the spec file or absolute)" : "a path or null",
      );
    }
    const metadata = ModelMetadata.fromJson(obj.ModelMetadata, `${where}: ModelMetadata`, warnings, { quietMissingId: true });
    const d = parsed.data;
    if (d.TestImageFile) warnings.push(`${where}: TestImageFile: ignored; no model file format stores a test image`);
    return {
      flavour: "czann",
      metadata,
      ...specPaths(d, resolve),
      warnings,
    };
  }

  const looksLegacy = ["BorderSize", "ColorHandling", "PixelType", "Classes"].some((k) => k in obj);
  if (!looksLegacy) {
    throw invalidMetadata(
      "is neither a CZANN spec (no ModelMetadata) nor a legacy spec (no BorderSize, ColorHandling, PixelType, Classes)",
      {
        where,
        allowed:
          "a CZANN spec {ModelMetadata, ModelPath, LicenseFile} or a legacy spec {BorderSize, ColorHandling, PixelType, Classes, ModelPath}",
      },
    );
  }
  for (const k of Object.keys(obj)) if (!LEGACY_KEYS.has(k)) warnings.push(`${where}: ${k}: unknown key, ignored`);
  const input: Record<string, unknown> = { ...obj };
  if (input.ModelPath === undefined && typeof input.ModelFile === "string") {
    warnings.push(`${where}: ModelFile: old key name; read as ModelPath`);
    input.ModelPath = input.ModelFile;
  } else if (input.ModelFile !== undefined) {
    warnings.push(`${where}: ModelFile: ignored; ModelPath is used`);
  }
  if (input.Name !== undefined) warnings.push(`${where}: Name: ignored; the legacy model name is the last part of ModelPath`);
  const parsed = legacySpecSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw zodIssueError(parsed.error, where, legacyAllowed);
  const d = parsed.data;
  if (d.TestImageFile) warnings.push(`${where}: TestImageFile: ignored; no model file format stores a test image`);
  const metadata = LegacyModelMetadata.fromParams(
    {
      ...(d.Id ? { id: d.Id } : {}),
      modelName: basenamePath(d.ModelPath),
      colorHandling: d.ColorHandling,
      pixelTypes: typeof d.PixelType === "string" ? [d.PixelType] : d.PixelType,
      classes: d.Classes,
      borderSize: d.BorderSize,
    },
    where,
  );
  return {
    flavour: "legacy",
    metadata,
    ...specPaths(d, resolve),
    warnings,
  };
}
