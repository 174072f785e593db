/**
 * JPEG XR decode speed: our WebAssembly build of jxrlib (src/io/czi/jxr.ts) against Debian's
 * native `JxrDecApp` (libjxr-tools, the same jxrlib source, built with gcc -O2). For each case a
 * 4096×4096 image (smooth gradients plus noise, deterministic) is written to a temp folder and
 * encoded with `JxrEncApp`; then both decoders run interleaved, 3 rounds, and the medians are
 * reported in megapixels per second and MB of decoded pixels per second (10^6).
 *
 *   npm run bench:jxr [-- SIZE]      (needs `apt-get install libjxr-tools`)
 *
 * Native time is the wall time of one `JxrDecApp -i IN.jxr -o OUT.tif` process (start-up and
 * writing the TIFF into the temp folder included, a few ms); wasm time is one `decodeJxr` call
 * in this process (module compiled and instantiated beforehand, copy-out of the pixels
 * included). Single-threaded on both sides.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { decodeJxr } from "../src/io/czi/jxr.js";

const SIZE = Number(process.argv[2] ?? 4096);
const ROUNDS = 3;

interface Case {
  name: string;
  kind: "gray16" | "bgr24";
  quality: string;
}

const CASES: Case[] = [
  { name: "Gray16 lossless", kind: "gray16", quality: "1.0" },
  { name: "Gray16 q=0.8", kind: "gray16", quality: "0.8" },
  { name: "Bgr24 lossless", kind: "bgr24", quality: "1.0" },
  { name: "Bgr24 q=0.8", kind: "bgr24", quality: "0.8" },
];

function tool(name: string): boolean {
  return spawnSync(name, [], { stdio: "ignore" }).error === undefined;
}

/** Deterministic smooth image with a little noise, 0..1. */
function value(x: number, y: number, s: number, seed: { v: number }): number {
  seed.v = (Math.imul(seed.v, 1664525) + 1013904223) >>> 0;
  const noise = (seed.v / 2 ** 32 - 0.5) * 0.02;
  const v = 0.5 + 0.3 * Math.sin((x + 40 * s) / 97) * Math.cos(y / 61) + 0.15 * ((x + y) / (2 * SIZE)) + noise;
  return Math.min(1, Math.max(0, v));
}

/** 16-bit PGM (big-endian samples), JxrEncApp's 16bppGray source. */
function pgm16(): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${SIZE} ${SIZE}\n65535\n`);
  const out = new Uint8Array(header.length + SIZE * SIZE * 2);
  out.set(header);
  const view = new DataView(out.buffer, header.length);
  const seed = { v: 1 };
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) view.setUint16((y * SIZE + x) * 2, Math.round(value(x, y, 0, seed) * 65535));
  return out;
}

/** 24-bit bottom-up BMP (B,G,R), JxrEncApp's 24bppBGR source. */
function bmp24(): Uint8Array {
  const row = SIZE * 3;
  const pad = (4 - (row % 4)) % 4;
  const body = (row + pad) * SIZE;
  const out = new Uint8Array(54 + body);
  const v = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  v.setUint32(2, 54 + body, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, SIZE, true);
  v.setInt32(22, SIZE, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  v.setUint32(34, body, true);
  const seed = { v: 2 };
  for (let y = 0; y < SIZE; y++) {
    const at = 54 + (SIZE - 1 - y) * (row + pad);
    for (let x = 0; x < SIZE; x++) for (let s = 0; s < 3; s++) out[at + x * 3 + s] = Math.round(value(x, y, s, seed) * 255);
  }
  return out;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stdout}${r.stderr}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  if (!tool("JxrEncApp") || !tool("JxrDecApp")) {
    console.error("bench:jxr needs JxrEncApp and JxrDecApp: apt-get install -y libjxr-tools");
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), "czmodel-bench-jxr-"));
  try {
    writeFileSync(join(dir, "gray16.pgm"), pgm16());
    writeFileSync(join(dir, "bgr24.bmp"), bmp24());
    await decodeJxr(new Uint8Array(0)).catch(() => undefined); // compile + instantiate outside the timings
    const mp = (SIZE * SIZE) / 1e6;
    console.log(`JPEG XR decode, ${SIZE}×${SIZE} (${mp.toFixed(1)} MP), median of ${ROUNDS}, interleaved`);
    console.log("case               stream MB   wasm MP/s  native MP/s   wasm MB/s  native MB/s  wasm/native");
    for (const c of CASES) {
      const src = join(dir, c.kind === "gray16" ? "gray16.pgm" : "bgr24.bmp");
      const jxr = join(dir, `${c.kind}-${c.quality}.jxr`);
      run("JxrEncApp", ["-i", src, "-o", jxr, "-c", c.kind === "gray16" ? "3" : "0", "-q", c.quality]);
      const data = new Uint8Array(readFileSync(jxr));
      const wasm: number[] = [];
      const native: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        let t = performance.now();
        const image = await decodeJxr(data);
        wasm.push(performance.now() - t);
        if (image.width !== SIZE) throw new Error("wrong size");
        t = performance.now();
        run("JxrDecApp", ["-i", jxr, "-o", join(dir, "out.tif")]);
        native.push(performance.now() - t);
      }
      const w = mp / (median(wasm) / 1000);
      const n = mp / (median(native) / 1000);
      const bytesPerPixel = c.kind === "gray16" ? 2 : 3; // MB/s = decoded pixel bytes per second
      const cols = [w, n, w * bytesPerPixel, n * bytesPerPixel].map((x, i) => x.toFixed(1).padStart(i === 0 ? 11 : 12));
      console.log(`${c.name.padEnd(18)} ${(data.length / 1e6).toFixed(1).padStart(9)} ${cols.join("")} ${(w / n).toFixed(2).padStart(12)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
