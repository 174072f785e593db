/**
 * Issue 12 fuzz run: a few hundred seeded mutations (truncations, bit flips, odd 32-bit values,
 * duplicated slices, injected tokens) of small valid inputs — a .czann ZIP, its model.json, a
 * legacy XML, an ONNX payload, a TIFF, a PNG and an OME-Zarr store — each fed to the CLI
 * (`inspect`, `validate`) or the image API (open, then read a corner). Every case must end in
 * success or a user error: a `CzmodelError` that is not INTERNAL (CLI: exit 0, 1 or 2 with no
 * "internal error" line), within a generous time bound, and the whole run stays under 1 GB of
 * peak RSS. Same seed, same cases; raise the count
 * with HOSTILE_FUZZ_CASES for a longer local run.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { encode } from "fast-png";
import { beforeAll, describe, expect, it } from "vitest";
import { MemoryByteSource } from "../../src/bytes/byte-source.js";
import { CzmodelError } from "../../src/errors.js";
import { openImageSource } from "../../src/io/open.js";
import { czmodel, scratchDir, text, zipEntry } from "../cli/helpers.js";
import { testdata } from "../helpers/paths.js";
import { onnxFixture } from "../onnx/helpers.js";
import { buildTiff, grayTiff } from "./tiff.js";
import { zarrValues } from "./zarr.js";

const CASES = Number(process.env.HOSTILE_FUZZ_CASES ?? 50);
const SEED = Number(process.env.HOSTILE_FUZZ_SEED ?? 0x5eed12);
/** A case that takes longer than this is a hang (generous: the machine is shared). */
const TIME_LIMIT_MS = 5000;
const GUID = "27eaeeab-7e9a-4f9c-88bb-6e5b477d2241";

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES = [0, 1, 0x7f, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000];
const TOKENS = ["{", "}", "[", "]", '"', "<", ">", "&", "-1", "1e999", "null", "<!DOCTYPE a>", "\u0000", "<a>".repeat(300)];

/** One mutation of `bytes`, chosen by `rand`; `description` says which, for the failure message. */
function mutate(
  bytes: Uint8Array,
  rand: () => number,
  textual: boolean,
  focus?: [number, number],
): { bytes: Uint8Array; description: string } {
  // most cases hit the structure (`focus`: headers, directories) rather than pixel or weight bytes
  const pick = () => (focus && rand() < 0.7 ? focus[0] + Math.floor(rand() * (focus[1] - focus[0])) : Math.floor(rand() * bytes.length));
  const at = pick();
  const kind = Math.floor(rand() * (textual ? 5 : 4));
  if (kind === 0) return { bytes: bytes.slice(0, at), description: `truncated at ${at}` };
  const out = new Uint8Array(bytes);
  if (kind === 1) {
    const flips = 1 + Math.floor(rand() * 4);
    const where: number[] = [];
    for (let i = 0; i < flips; i++) {
      const p = pick();
      out[p]! ^= 1 << Math.floor(rand() * 8);
      where.push(p);
    }
    return { bytes: out, description: `bits flipped at ${where.join(",")}` };
  }
  if (kind === 2) {
    const value = ODD_VALUES[Math.floor(rand() * ODD_VALUES.length)]!;
    const p = Math.min(at, Math.max(0, out.length - 4));
    new DataView(out.buffer).setUint32(p, value, rand() < 0.5);
    return { bytes: out, description: `0x${value.toString(16)} written at ${p}` };
  }
  if (kind === 3) {
    const length = Math.floor(rand() * 64);
    const dup = new Uint8Array(bytes.length + length);
    dup.set(bytes.subarray(0, at));
    dup.set(bytes.subarray(at, at + length), at);
    dup.set(bytes.subarray(at), at + length);
    return { bytes: dup, description: `${length} bytes at ${at} duplicated` };
  }
  const token = TOKENS[Math.floor(rand() * TOKENS.length)]!;
  const t = new TextEncoder().encode(token);
  const ins = new Uint8Array(bytes.length + t.length);
  ins.set(bytes.subarray(0, at));
  ins.set(t, at);
  ins.set(bytes.subarray(at), at + t.length);
  return { bytes: ins, description: `${JSON.stringify(token.slice(0, 20))} inserted at ${at}` };
}

/** `run` ends in success or a user error within the time limit; anything else fails with `description`. */
async function expectUserOutcome(description: string, run: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: more than ${TIME_LIMIT_MS} ms`)), TIME_LIMIT_MS);
  });
  try {
    await Promise.race([run(), hang]);
  } catch (e) {
    const ok = e instanceof CzmodelError && e.code !== "INTERNAL";
    expect(ok, `${description}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`).toBe(true);
  } finally {
    clearTimeout(timer);
  }
}

/** `czmodel inspect` and `validate` on the file: exit 0, 1 or 2 with at most one error line, never an internal error. */
async function cliOutcome(path: string): Promise<void> {
  for (const command of ["inspect", "validate"]) {
    const r = await czmodel(command, path);
    if (![0, 1, 2].includes(r.status) || /internal error/.test(r.stderr)) {
      throw new Error(`${command} exit ${r.status}: ${r.stderr.trim()}`);
    }
  }
}

/** Open the image and read its first plane's top-left corner (at most 64 × 64). */
async function imageOutcome(bytes: Uint8Array, name: string): Promise<void> {
  const source = await openImageSource(new MemoryByteSource(bytes, name));
  try {
    const { width, height } = source.info;
    await source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: Math.min(64, width), height: Math.min(64, height) });
  } finally {
    await source.close();
  }
}

/** The valid Zarr store's values, and which one a case mutates (the array metadata or a chunk). */
const zarrStore = zarrValues({ shape: [10, 12], chunks: [4, 8], compressor: "zlib" });
const zarrKeys = ["0/.zarray", ".zattrs", "0/0.0", "0/1.1", "0/2.0"];

/** Open the store with `key` replaced by `bytes` and read a corner. */
async function zarrOutcome(key: string, bytes: Uint8Array): Promise<void> {
  const values = new Map(zarrStore).set(key, bytes);
  const store = { get: async (k: string) => values.get(k.replace(/^\/+/, "")) };
  const source = await openImageSource({ store: store as never, name: "fuzz.zarr" });
  const { width, height } = source.info;
  await source.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width: Math.min(64, width), height: Math.min(64, height) });
}

let work: string;
let modelJson: Uint8Array;
let legacyXml: string;
let onnx: Uint8Array;

beforeAll(async () => {
  work = await scratchDir("hostile-fuzz-");
  modelJson = await zipEntry(testdata("models", "simple_nuclei_segmodel.czann"), "model.json");
  legacyXml = text(await zipEntry(testdata("models", "simple_nuclei_segmodel_legacy.czseg"), `${GUID}.xml`));
  onnx = onnxFixture("unet_nchw.onnx");
});

const czann = (json: Uint8Array, model: Uint8Array) => zipSync({ "model.json": json, "model.model": model }, { level: 0 });
const czseg = (xml: Uint8Array, model: Uint8Array) =>
  zipSync({ [`${GUID}.xml`]: xml, [`${GUID}.model`]: model, [`modelid=${GUID}`]: new Uint8Array(0) }, { level: 0 });

/** Each subject: the valid input, whether it is text, and how a mutated copy is run. */
interface Subject {
  input: () => Uint8Array;
  textual: boolean;
  /** Where most mutations land, from the valid input's bytes. */
  focus?: (valid: Uint8Array) => [number, number];
  run: (bytes: Uint8Array, i: number) => Promise<void>;
}

/** The last `n` bytes (a ZIP's central directory and end record). */
const tail = (n: number) => (valid: Uint8Array) => [Math.max(0, valid.length - n), valid.length] as [number, number];

const SUBJECTS: Record<string, Subject> = {
  zip: {
    input: () => czann(modelJson, onnx),
    textual: false,
    focus: tail(400),
    run: async (bytes, i) => {
      const path = join(work, `zip-${i}.czann`);
      await writeFile(path, bytes);
      await cliOutcome(path);
    },
  },
  json: {
    input: () => modelJson,
    textual: true,
    run: async (bytes, i) => {
      const path = join(work, `json-${i}.czann`);
      await writeFile(path, czann(bytes, onnx));
      await cliOutcome(path);
    },
  },
  xml: {
    input: () => strToU8(legacyXml),
    textual: true,
    run: async (bytes, i) => {
      const path = join(work, `xml-${i}.czseg`);
      await writeFile(path, czseg(bytes, onnx));
      await cliOutcome(path);
    },
  },
  onnx: {
    input: () => onnx,
    textual: false,
    run: async (bytes, i) => {
      const path = join(work, `onnx-${i}.czann`);
      await writeFile(path, czann(modelJson, bytes));
      await cliOutcome(path);
    },
  },
  tiff: {
    input: () => buildTiff(grayTiff(24, 20)),
    textual: false,
    focus: () => [0, 140],
    run: (bytes) => imageOutcome(bytes, "fuzz.tif"),
  },
  png: {
    input: () => encode({ width: 20, height: 12, data: new Uint8Array(240).map((_, i) => i), channels: 1, depth: 8 }),
    textual: false,
    focus: () => [0, 60],
    run: (bytes) => imageOutcome(bytes, "fuzz.png"),
  },
};

for (const key of zarrKeys) {
  SUBJECTS[`zarr ${key}`] = {
    input: () => zarrStore.get(key)!,
    textual: !key.includes("/0") && !key.includes("/1") && !key.includes("/2"),
    run: (bytes) => zarrOutcome(key, bytes),
  };
}

describe("fuzz: mutated inputs end in success or a user error", () => {
  it.each(Object.keys(SUBJECTS))(
    "%s",
    async (name) => {
      const subject = SUBJECTS[name]!;
      const valid = subject.input();
      await expectUserOutcome(`${name}: the valid input`, () => subject.run(valid, -1));
      const rand = rng(SEED ^ name.length ^ (name.charCodeAt(0) << 8));
      for (let i = 0; i < CASES; i++) {
        const { bytes, description } = mutate(valid, rand, subject.textual, subject.focus?.(valid));
        await expectUserOutcome(`${name} case ${i} (${description})`, () => subject.run(bytes, i));
      }
    },
    120_000,
  );

  it("peak RSS of this whole run (every case above, in this one process) stays under 1 GB", () => {
    // vitest runs each test file in its own process (pool: forks), and the CLI cases run in-process
    expect(process.resourceUsage().maxRSS * 1024).toBeLessThan(1024 ** 3);
  });
});
