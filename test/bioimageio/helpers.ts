/**
 * Helpers for the bioimage.io export tests: unpack a package with fflate, validate its
 * rdf.yaml with ajv (draft 2020-12) against the bioimage.io 0.5.7 model definition of the
 * spec's JSON Schema, run the independent Python checks (check_package.py with Debian's
 * python3-jsonschema, numpy, PyYAML, PIL), and run an ONNX model with onnxruntime-node
 * directly (not through the prediction engine).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { unzipSync } from "fflate";
import { ort } from "../../src/onnx/node/runtime.js";
import { parse } from "yaml";
import { repoRoot } from "../helpers/paths.js";

export const SCHEMA_PATH = join(repoRoot, "..", "shared", "reference", "bioimageio", "bioimageio_schema.json");
export const MODEL_DEF = "bioimageio__spec__model__v0_5__ModelDescr";

/** Unzip `zipPath` into `dir`; returns the entry names in archive order. */
export async function unzipTo(zipPath: string, dir: string): Promise<string[]> {
  const files = unzipSync(new Uint8Array(await readFile(zipPath)));
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), bytes);
  }
  return Object.keys(files);
}

let validator: (((data: unknown) => boolean) & { errors?: unknown }) | undefined;

/** ajv errors of `rdf` against the 0.5 model definition (empty when valid). */
export async function ajvErrors(rdf: unknown): Promise<string[]> {
  if (!validator) {
    const schema = JSON.parse(await readFile(SCHEMA_PATH, "utf8")) as Record<string, unknown>;
    // the whole file, so that every $ref resolves; its OpenAPI `discriminator` is not JSON Schema
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, logger: false });
    ajv.addSchema(schema, "bioimageio");
    validator = ajv.compile({ $ref: `bioimageio#/$defs/${MODEL_DEF}` });
  }
  const ok = validator(rdf);
  const errors = (validator.errors ?? []) as { instancePath: string; message?: string }[];
  return ok ? [] : errors.map((e) => `${e.instancePath}: ${e.message ?? "?"}`);
}

export const readRdf = async (dir: string): Promise<Record<string, unknown>> =>
  parse(await readFile(join(dir, "rdf.yaml"), "utf8")) as Record<string, unknown>;

export interface PythonReport {
  errors: string[];
  hashes: Record<string, { declared: string | null; actual: string }>;
  tensors: Record<string, { dtype: string; shape: number[]; sum: number; min: number; max: number }>;
  timestamp_type: string;
  image_matches?: boolean;
}

/** check_package.py on an unpacked package (and the test image, when given). */
export function pythonCheck(dir: string, image?: string): Promise<PythonReport> {
  const script = join(repoRoot, "test", "bioimageio", "check_package.py");
  return new Promise((resolve, reject) => {
    execFile(
      "/usr/bin/python3",
      [script, dir, SCHEMA_PATH, ...(image ? [image] : [])],
      { maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`check_package.py failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as PythonReport);
      },
    );
  });
}

export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Run an ONNX model on one NHWC float32 tensor with onnxruntime-node; returns its first output. */
export async function ortRun(model: Uint8Array, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model);
  try {
    const feeds = { [session.inputNames[0]!]: new ort.Tensor("float32", input, dims) };
    const out = await session.run(feeds);
    return out[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Largest |a - b| over two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
