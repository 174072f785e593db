/**
 * Helpers for the CLI acceptance tests: run a command line in-process (the real commander
 * program through `runProgram`, with stdout/stderr captured) or as a real subprocess
 * (`node bin/…`), list folders before/after a run, assert the one-line error contract, and
 * read archives with fflate (independent of src/container) to check what a command wrote.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { unzipSync } from "fflate";
import type { Command } from "commander";
import { afterAll, expect } from "vitest";
import { czmodelProgram } from "../../src/cli/program.js";
import { specConverterProgram } from "../../src/cli/spec-converter.js";
import { runProgram } from "../../src/cli/run.js";
import { repoRoot, tempDir } from "../helpers/paths.js";

const scratch: string[] = [];

/** A new empty temporary folder, removed after the test file (hook registered by importing this module). */
export async function scratchDir(prefix = "czmodel-cli-"): Promise<string> {
  const dir = await tempDir(prefix);
  scratch.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(scratch.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

type Write = typeof process.stdout.write;

/** Run a commander program through `runProgram` in this process, capturing everything written to stdout/stderr. */
export async function capture(program: Command, argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const realOut = process.stdout.write;
  const realErr = process.stderr.write;
  const grab = (sink: string[]): Write =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      cb?.();
      return true;
    }) as Write;
  process.stdout.write = grab(out);
  process.stderr.write = grab(err);
  let status: number;
  try {
    status = await runProgram(program, argv);
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
  return { status, stdout: out.join(""), stderr: err.join("") };
}

/** `czmodel ARGS…` in-process. */
export function czmodel(...argv: string[]): Promise<CliResult> {
  return capture(czmodelProgram(), argv);
}

/** `savedmodel2czmodel ARGS…` in-process. */
export function savedmodel2czmodel(...argv: string[]): Promise<CliResult> {
  return capture(specConverterProgram("savedmodel2czmodel", "czmodel"), argv);
}

/** `savedmodel2czann ARGS…` in-process. */
export function savedmodel2czann(...argv: string[]): Promise<CliResult> {
  return capture(specConverterProgram("savedmodel2czann", "czann"), argv);
}

/** Run `node bin/<bin>.js ARGS…` as a real process (cwd: the repo root unless given). */
export function runBin(bin: "czmodel" | "savedmodel2czmodel" | "savedmodel2czann", args: string[], cwd = repoRoot): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, "bin", `${bin}.js`), ...args],
      { cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

/** Every file and folder under `dir` (relative, sorted, hidden ones included); null when `dir` does not exist. */
export async function listTree(dir: string): Promise<string[] | null> {
  try {
    await stat(dir);
  } catch {
    return null;
  }
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.push(relative(dir, p) + (e.isDirectory() ? "/" : ""));
      if (e.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return out.sort();
}

/** The stack-trace shape Node prints (`    at fn (file:line:col)`). */
export const STACK_LINE = /^\s+at .+/m;

/**
 * The user-error contract: exit `status`, exactly one line on stderr that starts with
 * `<tool>: error: ` and matches every pattern, no stack trace anywhere.
 */
export function expectOneLineError(r: CliResult, patterns: (RegExp | string)[], opts: { status?: number; tool?: string } = {}): string {
  const tool = opts.tool ?? "czmodel";
  expect(r.status, `stderr: ${r.stderr}`).toBe(opts.status ?? 2);
  expect(r.stderr.endsWith("\n")).toBe(true);
  const lines = r.stderr.slice(0, -1).split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  const line = lines[0]!;
  expect(line.startsWith(`${tool}: error: `), line).toBe(true);
  for (const p of patterns) {
    if (typeof p === "string") expect(line).toContain(p);
    else expect(line).toMatch(p);
  }
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stdout).not.toMatch(STACK_LINE);
  return line;
}

export interface ZipEntryFacts {
  name: string;
  /** 0 stored, 8 deflate (from the central directory). */
  method: number;
  bytes: Uint8Array;
}

/** Entries of a ZIP in central-directory order, with their methods and bytes (read with fflate + a header walk). */
export async function readZip(path: string): Promise<ZipEntryFacts[]> {
  const buf = await readFile(path);
  const files = unzipSync(new Uint8Array(buf));
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: ZipEntryFacts[] = [];
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    out.push({ name, method, bytes: files[name]! });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** One entry's bytes. */
export async function zipEntry(path: string, name: string): Promise<Uint8Array> {
  const e = (await readZip(path)).find((x) => x.name === name);
  if (!e) throw new Error(`${path} has no entry ${name}`);
  return e.bytes;
}

/** Parse stdout as JSON (fails the test with the text when it is not JSON). */
export function parseJson<T = Record<string, unknown>>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.status}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

export const text = (b: Uint8Array): string => Buffer.from(b).toString("utf8");

/** Start `node bin/<bin>.js ARGS…` as a long-running process (a queue worker); the caller kills it. */
export function spawnBin(bin: "czmodel", args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [join(repoRoot, "bin", `${bin}.js`), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
}
