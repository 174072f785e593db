/**
 * Fuzz-style hardening test: a few hundred deterministic mutations of the real sample files
 * (truncations; bit flips and odd 32-bit values in the file header, the directory, subblock
 * headers, subblock data, metadata and attachment headers). Every case must end, within a
 * time bound, either in a valid image (all planes read, arrays of the right size) or in a
 * `CzmodelError` that is not an internal error and names the file — never a hang, a crash
 * with a foreign error, or a huge allocation.
 */
import { describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { planeIndices } from "../../src/io/types.js";
import { SAMPLE_FILES, directoryPosition, openBytes, readI64, reference, sampleBytes } from "./czi-helpers.js";

/** Cases per sample file (8 files); raise with CZI_FUZZ_CASES=2000 for a longer local run. */
const CASES_PER_FILE = Number(process.env.CZI_FUZZ_CASES ?? 40);
const TIME_LIMIT_MS = 2000;
const SEED = Number(process.env.CZI_FUZZ_SEED ?? 0xc21f);
/** Regions a corrupt file may make us allocate in this test (a caller's choice; default 1 GiB). */
const MAX_REGION_BYTES = 64 * 1024 * 1024;

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Region {
  name: string;
  start: number;
  end: number;
}

/** The structures worth hitting in one file: [start, end) byte ranges. */
function regions(name: string, bytes: Uint8Array): Region[] {
  const ref = reference[name]!;
  const dir = directoryPosition(bytes);
  const out: Region[] = [
    { name: "file header", start: 0, end: 32 + 128 },
    { name: "directory", start: dir, end: dir + 32 + Number(readI64(bytes, dir + 24)) },
  ];
  for (const e of ref.entries.slice(0, 6)) {
    out.push({ name: "subblock header", start: e.filePosition, end: e.filePosition + 32 + 16 + 32 + 20 * Object.keys(e.dims).length });
    out.push({ name: "subblock data", start: e.dataOffset, end: e.dataOffset + Math.min(e.dataSize, 4096) });
  }
  const meta = readI64(bytes, 32 + 60);
  if (meta > 0) out.push({ name: "metadata", start: meta, end: meta + 32 + 256 + 200 });
  const att = readI64(bytes, 32 + 72);
  if (att > 0) out.push({ name: "attachment directory", start: att, end: att + 32 + 256 + 128 });
  return out.map((r) => ({ ...r, end: Math.min(r.end, bytes.length) }));
}

const ODD_VALUES = [0, -1, 1, 2, 0x7fffffff, -0x80000000, 0x10000, 255, 1 << 30];

function mutate(original: Uint8Array, name: string, random: () => number): { bytes: Uint8Array; what: string } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const kind = Math.floor(random() * 4);
  if (kind === 0) {
    const len = Math.floor(random() * original.length);
    return { bytes: original.slice(0, len), what: `truncate to ${len}` };
  }
  const bytes = original.slice();
  const region = pick(regions(name, original));
  const at = region.start + Math.floor(random() * Math.max(1, region.end - region.start));
  if (kind === 3 && at + 4 <= bytes.length) {
    const value = pick(ODD_VALUES);
    const aligned = at - (at % 2); // structures are packed on 2 bytes
    new DataView(bytes.buffer).setInt32(aligned, value, true);
    return { bytes, what: `${region.name}: int32 ${value} at ${aligned}` };
  }
  const flips = 1 + Math.floor(random() * 4);
  const where: number[] = [];
  for (let i = 0; i < flips; i++) {
    const p = Math.min(bytes.length - 1, at + Math.floor(random() * 16));
    bytes[p]! ^= 1 << Math.floor(random() * 8);
    where.push(p);
  }
  return { bytes, what: `${region.name}: bit flips at ${where.join(",")}` };
}

/** Open, read every plane (at most 40) at level 0 and plane 0 at every other level, attachments, XML. */
async function exercise(bytes: Uint8Array): Promise<void> {
  const img = await openBytes(bytes, "fuzz.czi", { maxRegionBytes: MAX_REGION_BYTES });
  try {
    const { info } = img;
    expect(info.width).toBeGreaterThan(0);
    let n = 0;
    for (const plane of planeIndices(info.sizes)) {
      if (n++ >= 40) break;
      const { width, height } = info.scenes[plane.scene]!;
      const px = await img.readRegion(plane, { x: 0, y: 0, width, height });
      expect(px.length).toBe(width * height * info.samplesPerPixel);
    }
    for (const level of img.levels.slice(1)) {
      const size = level.scenes[0]!;
      const px = await img.readLevel({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, ...size }, level.level);
      expect(px.length).toBe(size.width * size.height * info.samplesPerPixel);
    }
    for (const a of img.attachments) await img.readAttachment(a.index);
    await img.metadataXml();
  } finally {
    await img.close();
  }
}

describe("fuzz: mutated sample files end in a clear error or a valid image", () => {
  it.each(SAMPLE_FILES)("%s", async (name) => {
    const original = sampleBytes(name);
    const random = rng(SEED ^ (name.length * 7919) ^ original.length);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < CASES_PER_FILE; i++) {
      const { bytes, what } = mutate(original, name, random);
      const t0 = performance.now();
      let outcome = "valid";
      try {
        await exercise(bytes);
      } catch (e) {
        if (!(e instanceof CzmodelError)) {
          throw new Error(`case ${i} (${what}): not a CzmodelError: ${e instanceof Error ? e.stack : String(e)}`);
        }
        expect(e.code, `case ${i} (${what}): ${e.message}`).not.toBe("INTERNAL");
        expect(e.message, `case ${i} (${what})`).toMatch(/fuzz\.czi/);
        outcome = e.code;
      }
      const ms = performance.now() - t0;
      expect(ms, `case ${i} (${what}) took ${ms.toFixed(0)} ms`).toBeLessThan(TIME_LIMIT_MS);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    if (process.env.CZI_FUZZ_CASES) console.log(name, JSON.stringify([...outcomes]));
    // Both kinds of ending happen: the mutations are neither all harmless nor all fatal.
    expect(outcomes.get("valid") ?? 0, JSON.stringify([...outcomes])).toBeGreaterThan(0);
    expect(CASES_PER_FILE - (outcomes.get("valid") ?? 0), JSON.stringify([...outcomes])).toBeGreaterThan(0);
  });
});
