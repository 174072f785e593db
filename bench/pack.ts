/**
 * `npm run bench:pack [-- --gb 1] [--repeat 3] [--no-deflate] [--json]`
 *
 * Streaming pack, inspect and validate of a large model (docs/streaming.md), measured with the
 * real CLI as installed (the compiled dist/, built by the npm script first; bench/czmodel-dist.mjs),
 * each run in its own process with `bench/peak-rss.mjs` preloaded (wall time, peak RSS):
 * - builds an ONNX of `--gb` GiB at bench time: a small Add graph plus one unused initializer
 *   whose raw_data fills the size (the graph's protobuf comes from python3-onnx, the big field
 *   is written around it in chunks, so nothing here holds the weights);
 * - `pack` (no graph edits, so streamed) against `cp` + `sync` of the same file, interleaved,
 *   median of `--repeat`; throughput ratio = cp+sync time / pack time (target >= 0.6, peak RSS
 *   <= 300 MB);
 * - `inspect --json` and `validate --json` of the packed (STORED) file, and of the same archive
 *   re-zipped with DEFLATE (level 1, python's zipfile), median of `--repeat` (target < 1 s,
 *   < 200 MB for STORED);
 * - `czmodel --version`: the CLI's start-up, which every figure above includes; the table also
 *   shows each time less that start-up (noisy on a loaded machine), and the in-process times
 *   of `writeStreamedArchive` (interleaved with the others) and `lookAtModelFile`.
 * Per-run lines go to stderr, the table (and `--json` rows) to stdout.
 */
import { execFile, execFileSync } from "node:child_process";
import { open, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { lookAtOnnxFile, writeStreamedArchive } from "../src/convert/node/stream-pack.js";
import { ModelMetadata } from "../src/metadata/index.js";
import { lookAtModelFile } from "../src/node-api.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const { values: args } = parseArgs({
  options: {
    gb: { type: "string", default: "1" },
    repeat: { type: "string", default: "3" },
    "no-deflate": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const gib = Number(args.gb);
const repeat = Number(args.repeat);
if (!(gib > 0 && gib < 3.9) || !Number.isInteger(repeat) || repeat < 1) {
  console.error("usage: bench/pack.ts [--gb 1] [--repeat 3] [--no-deflate] [--json]");
  process.exit(2);
}

const PY_PARTS = `
import json, onnx
from onnx import helper, TensorProto, numpy_helper
import numpy as np
n = int(__import__("sys").argv[1])
g = helper.make_graph([helper.make_node("Add", ["input", "bias"], ["output"])], "bench",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 256, 256, 3])],
    [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 256, 256, 3])],
    [numpy_helper.from_array(np.ones((1, 1, 1, 3), dtype=np.float32), "bias")])
m = helper.make_model(helper.make_graph([], "x", [], []), opset_imports=[helper.make_opsetid("", 13)], producer_name="bench-pack")
m.ir_version = 7
m.ClearField("graph")
t = TensorProto(name="weights_unused", data_type=TensorProto.FLOAT, dims=[n // 4])
print(json.dumps({"head": m.SerializeToString().hex(), "graph": g.SerializeToString().hex(), "tensor": t.SerializeToString().hex()}))
`;

function varint(v: number): Buffer {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

/** An ONNX file of about `bytes` bytes: model header, then the graph with one big raw_data initializer. */
async function makeBigOnnx(path: string, bytes: number): Promise<number> {
  const parts = JSON.parse(execFileSync("/usr/bin/python3", ["-c", PY_PARTS, String(bytes)]).toString()) as Record<string, string>;
  const [head, graph, tensorHead] = [parts.head!, parts.graph!, parts.tensor!].map((h) => Buffer.from(h, "hex")) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  const data = (bytes >> 2) << 2;
  const tensorLen = tensorHead.length + 1 + varint(data).length + data;
  const initializer = Buffer.concat([Buffer.from([0x2a]), varint(tensorLen), tensorHead, Buffer.from([0x4a]), varint(data)]);
  const graphLen = graph.length + initializer.length + data;
  const fh = await open(path, "w");
  try {
    await fh.write(Buffer.concat([head, Buffer.from([0x3a]), varint(graphLen), graph, initializer]));
    const block = Buffer.alloc(4 << 20);
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
    for (let done = 0; done < data; done += block.length) await fh.write(block, 0, Math.min(block.length, data - done));
  } finally {
    await fh.close();
  }
  return (await stat(path)).size;
}

interface Run {
  s: number;
  rssMb: number;
}

async function cli(argv: string[], allowFail = false): Promise<Run> {
  const t = performance.now();
  const done = await run(
    process.execPath,
    ["--import", join(root, "bench", "peak-rss.mjs"), join(root, "bench", "czmodel-dist.mjs"), ...argv],
    { cwd: root, maxBuffer: 1 << 24 },
  ).catch((e: { stderr?: string; code?: number }) => {
    if (!allowFail) throw e;
    return { stderr: e.stderr ?? "", stdout: "" };
  });
  const s = (performance.now() - t) / 1000;
  const kb = Number(/peak-rss-kb (\d+)/.exec(done.stderr)?.[1] ?? Number.NaN);
  console.error(`  czmodel ${argv[0]}: ${s.toFixed(2)} s, ${(kb / 1024).toFixed(0)} MB`);
  return { s, rssMb: kb / 1024 };
}

function cpSync(from: string, to: string): number {
  const t = performance.now();
  execFileSync("cp", [from, to]);
  execFileSync("sync");
  const s = (performance.now() - t) / 1000;
  console.error(`  cp+sync: ${s.toFixed(2)} s`);
  return s;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const dir = await mkdtemp(join(tmpdir(), "czmodel-bench-pack-"));
try {
  const onnx = join(dir, "big.onnx");
  const size = await makeBigOnnx(onnx, Math.round(gib * 2 ** 30));
  console.error(`model: ${onnx}, ${(size / 2 ** 20).toFixed(0)} MiB`);
  const version: number[] = [];
  for (let i = 0; i < repeat; i++) version.push((await cli(["--version"])).s);
  const startup = median(version);

  const packed = join(dir, "big.czann");
  const cp: number[] = [];
  const pack: Run[] = [];
  const api: number[] = [];
  const metadata = ModelMetadata.fromParams({ type: "Regression", inputShape: [256, 256, 3], outputShape: [256, 256, 3] }, "bench");
  for (let i = 0; i < repeat; i++) {
    await rm(join(dir, "copy.onnx"), { force: true });
    await rm(join(dir, "api.czann"), { force: true });
    cp.push(cpSync(onnx, join(dir, "copy.onnx")));
    await rm(packed, { force: true });
    pack.push(await cli(["pack", onnx, "--type", "Regression", "--out", packed]));
    await rm(join(dir, "api.czann"), { force: true });
    const t = performance.now();
    await writeStreamedArchive((await lookAtOnnxFile(onnx))!, metadata, null, dir, "api.czann", {});
    api.push((performance.now() - t) / 1000);
    console.error(`  writeStreamedArchive in process: ${api[i]!.toFixed(2)} s`);
  }
  await rm(join(dir, "copy.onnx"), { force: true });

  const files: Record<string, string> = { stored: packed };
  if (!args["no-deflate"]) {
    files.deflated = join(dir, "big-deflated.czann");
    execFileSync("/usr/bin/python3", [
      "-c",
      "import sys, zipfile\nsrc=zipfile.ZipFile(sys.argv[1])\nwith zipfile.ZipFile(sys.argv[2],'w',zipfile.ZIP_DEFLATED,compresslevel=1) as z:\n for i in src.infolist():\n  with src.open(i) as f, z.open(i.filename,'w',force_zip64=False) as g:\n   while (b:=f.read(1<<22)): g.write(b)",
      packed,
      files.deflated,
    ]);
  }
  const rows: Record<string, unknown>[] = [];
  const row = (what: string, runs: Run[], extra: Record<string, unknown> = {}) => {
    const s = median(runs.map((r) => r.s));
    rows.push({
      what,
      medianS: +s.toFixed(3),
      lessStartupS: +(s - startup).toFixed(3),
      peakRssMb: +Math.max(...runs.map((r) => r.rssMb)).toFixed(0),
      ...extra,
    });
  };
  row(
    "czmodel --version (start-up)",
    version.map((s) => ({ s, rssMb: Number.NaN })),
  );
  const cpS = median(cp);
  const packS = median(pack.map((r) => r.s));
  rows.push({ what: "cp + sync", medianS: +cpS.toFixed(3), mbPerS: +(size / 2 ** 20 / cpS).toFixed(0) });
  row("pack (streamed)", pack, {
    mbPerS: +(size / 2 ** 20 / packS).toFixed(0),
    ratioVsCpSync: +(cpS / packS).toFixed(2),
    ratioLessStartup: +(cpS / (packS - startup)).toFixed(2),
  });
  const apiS = median(api);
  rows.push({
    what: "pack in process (look + write)",
    medianS: +apiS.toFixed(3),
    mbPerS: +(size / 2 ** 20 / apiS).toFixed(0),
    ratioVsCpSync: +(cpS / apiS).toFixed(2),
  });
  for (const [kind, file] of Object.entries(files)) {
    for (const command of ["inspect", "validate"]) {
      const runs: Run[] = [];
      for (let i = 0; i < repeat; i++) runs.push(await cli([command, file, "--json"], command === "validate"));
      row(`${command} --json (${kind})`, runs);
    }
    const t = performance.now();
    await lookAtModelFile(file);
    rows.push({ what: `lookAtModelFile in process (${kind})`, medianS: +((performance.now() - t) / 1000).toFixed(3) });
  }
  console.log(`czmodel bench:pack, ${(size / 2 ** 30).toFixed(2)} GiB ONNX, ${repeat} runs each (medians)`);
  for (const r of rows) {
    const { what, ...rest } = r;
    console.log(
      `  ${String(what).padEnd(40)} ${Object.entries(rest)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
  }
  if (args.json) console.log(JSON.stringify(rows));
} finally {
  await rm(dir, { recursive: true, force: true });
}
