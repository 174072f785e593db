import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryByteSource, type ByteSource } from "../../src/bytes/byte-source.js";
import { bytesToHex } from "../../src/bytes/hex.js";
import { discardTemp, moveIntoPlace, tempPathFor } from "../../src/bytes/node/atomic.js";
import { readZipDirectory, readZipEntryData, ZipArchive } from "../../src/container/zip-reader.js";
import { NODE_ZIP_CODEC } from "../../src/container/node/zip-file.js";
import { CzmodelError } from "../../src/errors.js";
import { rawZip } from "../container/helpers/raw-zip.js";
import { tempDir } from "../helpers/paths.js";

/** A source that records every range asked for. */
class CountingSource extends MemoryByteSource {
  readonly reads: Array<[number, number]> = [];
  override async read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push([offset, length]);
    return super.read(offset, length);
  }
  get bytesRead(): number {
    return this.reads.reduce((n, [, l]) => n + l, 0);
  }
}

/** Little-endian fields appended to a byte list; the calls chain, so each record below stays one line. */
class LittleEndian {
  readonly out: number[] = [];
  u16(v: number): this {
    this.out.push(v & 0xff, (v >>> 8) & 0xff);
    return this;
  }
  u32(v: number): this {
    this.out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    return this;
  }
  u64(v: number): this {
    return this.u32(v % 2 ** 32).u32(Math.floor(v / 2 ** 32));
  }
  bytes(b: Uint8Array): this {
    this.out.push(...b);
    return this;
  }
}

/** One STORED entry in a ZIP64 archive (sizes and offset only in the ZIP64 fields), built by hand. */
function zip64Archive(name: string, data: Uint8Array, crc: number): Uint8Array {
  const enc = new TextEncoder().encode(name);
  const w = new LittleEndian();
  // local header
  w.u32(0x04034b50).u16(45).u16(0).u16(0).u16(0).u16(0).u32(crc).u32(0xffffffff).u32(0xffffffff).u16(enc.length).u16(20);
  w.bytes(enc).u16(1).u16(16).u64(data.length).u64(data.length);
  w.bytes(data);
  const cdOffset = w.out.length;
  w.u32(0x02014b50).u16(45).u16(45).u16(0).u16(0).u16(0).u16(0).u32(crc).u32(0xffffffff).u32(0xffffffff);
  w.u16(enc.length).u16(28).u16(0).u16(0).u16(0).u32(0).u32(0xffffffff);
  w.bytes(enc).u16(1).u16(24).u64(data.length).u64(data.length).u64(0);
  const cdSize = w.out.length - cdOffset;
  const eocd64 = w.out.length;
  w.u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0).u64(1).u64(1).u64(cdSize).u64(cdOffset);
  w.u32(0x07064b50).u32(0).u64(eocd64).u32(1);
  w.u32(0x06054b50).u16(0).u16(0).u16(0xffff).u16(0xffff).u32(0xffffffff).u32(0xffffffff).u16(0);
  return new Uint8Array(w.out);
}

describe("ZIP reader by range", () => {
  it("reads ZIP64 archives (sizes and offsets from the ZIP64 fields)", async () => {
    const data = new TextEncoder().encode("hello zip64");
    const { crc32 } = await import("node:zlib");
    const bytes = zip64Archive("a.txt", data, crc32(data));
    const zip = await ZipArchive.open(new MemoryByteSource(bytes, "z64.zip"));
    expect(zip.entries.map((e) => [e.name, e.size])).toEqual([["a.txt", data.length]]);
    expect(new TextDecoder().decode(await zip.read(zip.entries[0]!, 100))).toBe("hello zip64");
    const [rec] = readZipDirectory(bytes, "z64.zip");
    expect(new TextDecoder().decode(readZipEntryData(bytes, rec!, "z64.zip"))).toBe("hello zip64");
  });

  it("reads only the directory and the entries asked for", async () => {
    const big = new Uint8Array(3 << 20).map((_, i) => (i * 2654435761) >>> 24);
    const bytes = rawZip([
      { name: "big.bin", data: big, method: 8 },
      { name: "small.txt", data: "small" },
    ]);
    const source = new CountingSource(bytes, "two.zip");
    const zip = await ZipArchive.open(source);
    const small = zip.entries.find((e) => e.name === "small.txt")!;
    expect(new TextDecoder().decode(await zip.read(small, 100))).toBe("small");
    expect(source.bytesRead).toBeLessThan(100_000);
    const bigEntry = zip.entries.find((e) => e.name === "big.bin")!;
    expect(Buffer.from(await zip.read(bigEntry, big.length)).equals(Buffer.from(big))).toBe(true);
  });

  it("node:zlib and fflate inflate alike and both stop an entry that inflates past its size", async () => {
    const data = new Uint8Array(200_000).map((_, i) => i % 251);
    const good = rawZip([{ name: "d.bin", data, method: 8 }]);
    const bomb = rawZip([{ name: "d.bin", data, method: 8, declaredSize: 1000 }]);
    for (const codec of [undefined, NODE_ZIP_CODEC]) {
      const zip = await ZipArchive.open(new MemoryByteSource(good, "good.zip"), codec ? { codec } : {});
      expect(Buffer.from(await zip.read(zip.entries[0]!, data.length)).equals(Buffer.from(data))).toBe(true);
      const bad = await ZipArchive.open(new MemoryByteSource(bomb, "bomb.zip"), codec ? { codec } : {});
      const err = await bad.read(bad.entries[0]!, 10_000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CzmodelError);
      expect((err as Error).message).toBe("bomb.zip: d.bin: entry inflates to more than its declared 1000 bytes (zip bomb?)");
    }
  });

  it("a read past the end is OUT_OF_RANGE", async () => {
    const source: ByteSource = new MemoryByteSource(new Uint8Array(10), "ten.bin");
    await expect(source.read(5, 10)).rejects.toMatchObject({
      code: "OUT_OF_RANGE",
      message: "ten.bin: file is truncated: needs bytes 5..15 but it has only 10",
    });
  });
});

describe("bytesToHex", () => {
  it("writes two lowercase digits per byte", () => {
    expect(bytesToHex(new Uint8Array([0, 1, 0xab, 0xff]))).toBe("0001abff");
    expect(bytesToHex([0x49, 0x49, 42], " ")).toBe("49 49 2a");
    expect(bytesToHex(new Uint8Array(0))).toBe("");
  });
});

describe("temp-then-rename", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir("czmodel-atomic-helper-");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names a hidden .partial beside the target", () => {
    expect(tempPathFor(join(dir, "out.czann"))).toMatch(/[/\\]\.out\.czann\.[A-Za-z0-9-]+-\d+-[0-9a-f]{8}\.partial$/);
  });

  it("moves a file into place, replaces a folder only when asked, and discards temps", async () => {
    const target = join(dir, "t");
    const temp = tempPathFor(target);
    await writeFile(temp, "new");
    await moveIntoPlace(temp, target);
    expect(await readFile(target, "utf8")).toBe("new");

    const folder = join(dir, "f");
    await mkdir(join(folder, "old"), { recursive: true });
    const tempFolder = tempPathFor(folder);
    await mkdir(join(tempFolder, "new"), { recursive: true });
    await moveIntoPlace(tempFolder, folder, { replaceFolder: true });
    expect(await readdir(folder)).toEqual(["new"]);

    const fileTemp = tempPathFor(folder);
    await writeFile(fileTemp, "x");
    await expect(moveIntoPlace(fileTemp, folder)).rejects.toThrow();
    await discardTemp(fileTemp);
    await discardTemp(fileTemp);
    expect((await readdir(dir)).sort()).toEqual(["f", "t"]);
  });
});
