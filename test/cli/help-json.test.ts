/**
 * Issue 2 acceptance, usability: `--help` of every command (and of the seed's tools) shows an
 * example, `--version` prints the package version, and `--json` on every command gives one
 * parseable JSON document on stdout — the result on success, `{ok: false, error}` on failure
 * (with the one-line message still on stderr).
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { programFor } from "../../src/cli/entry.js";
import { czmodelProgram } from "../../src/cli/program.js";
import { repoRoot, testdata } from "../helpers/paths.js";
import {
  czmodel,
  expectOneLineError,
  parseJson,
  savedmodel2czann,
  savedmodel2czmodel,
  text,
  zipEntry,
  type CliResult,
  scratchDir,
} from "./helpers.js";

const commands = czmodelProgram()
  .commands.map((c) => c.name())
  .filter((n) => n !== "help");

describe("start-up loads one command", () => {
  const help = (program: Awaited<ReturnType<typeof programFor>>, name: string) =>
    program.commands.find((c) => c.name() === name)?.helpInformation();

  it.each(commands)("the program `czmodel %s …` loads has that command, with the same help as the whole program", async (name) => {
    const one = await programFor([name, "--json"]);
    expect(one.commands.map((c) => c.name())).toEqual([name]);
    expect(help(one, name)).toBe(help(czmodelProgram(), name));
  });

  it("--version loads no command; top-level help and unknown commands load all", async () => {
    expect((await programFor(["--version"])).commands).toEqual([]);
    expect((await programFor(["--help"])).commands.map((c) => c.name())).toEqual(commands);
    expect((await programFor(["frobnicate"])).commands.map((c) => c.name())).toEqual(commands);
  });
});

describe("--help", () => {
  it("czmodel --help lists every command and exits 0", async () => {
    const r = await czmodel("--help");
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    for (const c of ["pack", "convert", "inspect", "validate", "unpack"]) expect(commands).toContain(c);
    for (const c of commands) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, "m"));
  });

  it.each(commands)("czmodel %s --help shows its options and at least one example", async (name) => {
    const r = await czmodel(name, "--help");
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(new RegExp(`^Usage: czmodel ${name} `, "m"));
    expect(r.stdout).toMatch(/^Examples?:$/m);
    expect(r.stdout).toMatch(new RegExp(`^  czmodel ${name} \\S`, "m"));
    expect(r.stdout).toContain("--json");
  });

  it("czmodel help pack is the same as czmodel pack --help", async () => {
    const [a, b] = await Promise.all([czmodel("help", "pack"), czmodel("pack", "--help")]);
    expect(a.stdout).toBe(b.stdout);
  });

  it("pack --help documents the pre-/post-processing operations", async () => {
    const r = await czmodel("pack", "--help");
    for (const op of ["rgb-to-bgr", "per-image-standardization", "softmax", "transpose-channels"]) expect(r.stdout).toContain(op);
    expect(r.stdout).toContain("--channels-first --spatial-dims 512,512 --preprocess rgb-to-bgr,per-image-standardization");
  });

  it.each([
    ["savedmodel2czmodel", savedmodel2czmodel],
    ["savedmodel2czann", savedmodel2czann],
  ] as const)("%s --help shows SPEC OUTDIR [NAME] and an example", async (name, run) => {
    const r = await run("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: ${name} \\[options\\] <spec> <outdir> \\[name\\]`, "m"));
    expect(r.stdout).toMatch(/^Example:$/m);
    expect(r.stdout).toMatch(new RegExp(`^  ${name} \\S+\\.json \\S+ \\S+`, "m"));
  });

  it("--version prints the package version", async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as { version: string };
    for (const r of [await czmodel("--version"), await savedmodel2czmodel("--version"), await savedmodel2czann("--version")]) {
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    }
  });

  it("no command at all prints the help on stderr and exits 2", async () => {
    const r = await czmodel();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^Usage: czmodel /);
  });
});

describe("--json on success", () => {
  let work: string;
  let onnx: string;
  let spec: string;
  beforeAll(async () => {
    work = await scratchDir("cli-json-");
    onnx = join(work, "nuclei.onnx");
    await writeFile(onnx, await zipEntry(testdata("models", "simple_nuclei_segmodel.czann"), "model.model"));
    spec = join(work, "spec.json");
    const metadata = JSON.parse(text(await zipEntry(testdata("models", "simple_nuclei_segmodel.czann"), "model.json"))) as Record<
      string,
      unknown
    >;
    await writeFile(spec, JSON.stringify({ ModelMetadata: metadata, ModelPath: "nuclei.onnx", LicenseFile: null }));
  });

  const SEG = ["--type", "SingleClassSemanticSegmentation", "--classes", "Background,Nucleus", "--min-overlap", "8,8"];

  it("pack --json: the file written, its metadata, edits and findings", async () => {
    const out = join(work, "p.czann");
    const d = parseJson(await czmodel("pack", onnx, ...SEG, "--name", "N", "--out", out, "--json"));
    expect(d).toMatchObject({ ok: true, path: out, format: "czann", steps: [], warnings: [] });
    expect(d.metadata).toMatchObject({
      Type: "SingleClassSemanticSegmentation",
      InputShape: [1024, 1024, 1],
      OutputShape: [1024, 1024, 2],
      MinOverlap: [8, 8],
      Classes: ["Background", "Nucleus"],
      ModelName: "N",
    });
  });

  it("convert / savedmodel2czann / savedmodel2czmodel --json", async () => {
    for (const [r, format, file] of [
      [await czmodel("convert", spec, join(work, "c1"), "a", "--json"), "czann", "a.czann"],
      [await savedmodel2czann(spec, join(work, "c2"), "b", "--json"), "czann", "b.czann"],
      [await savedmodel2czmodel(spec, join(work, "c3"), "c", "--json"), "czmodel", "c.czmodel"],
    ] as const) {
      expect(r.status, r.stderr).toBe(0);
      const d = parseJson(r);
      expect(d.ok).toBe(true);
      expect(d.format).toBe(format);
      expect(String(d.path).endsWith(file)).toBe(true);
    }
  });

  it("inspect, validate, validate --run and unpack --json", async () => {
    const model = testdata("models", "simple_pytorch_nuclei_segmodel_pytorch.czann");
    expect(parseJson(await czmodel("inspect", model, "--json")).format).toBe("czann");
    expect(parseJson(await czmodel("validate", model, "--json"))).toMatchObject({ ok: true, format: "czann", target: "zen-3.13" });
    const run = parseJson<{ ok: boolean; numeric: { output: { dims: number[]; nonFinite: number } } }>(
      await czmodel("validate", model, "--run", "--json"),
    );
    expect(run.ok).toBe(true);
    expect(run.numeric.output.dims).toEqual([1, 512, 512, 2]);
    expect(run.numeric.output.nonFinite).toBe(0);
    const unpacked = parseJson<{ ok: boolean; files: string[] }>(await czmodel("unpack", model, join(work, "u"), "--json"));
    expect(unpacked.ok).toBe(true);
    expect(unpacked.files).toEqual([join(work, "u", "model.json"), join(work, "u", "model.model")]);
  });
});

describe("--json on failure: {ok: false, error} on stdout, one line on stderr", () => {
  /** Arguments that make `name` fail on a missing input file. */
  function failingArgs(name: string, missing: string, work: string): string[] {
    const cmd = czmodelProgram().commands.find((c) => c.name() === name)!;
    const args = cmd.registeredArguments.filter((a) => a.required).map((_, i) => (i === 0 ? missing : join(work, `arg${i}`)));
    const required = cmd.options.filter((o) => o.mandatory).flatMap((o) => [o.long!, join(work, "out.czann")]);
    return [name, ...args, ...required, "--json"];
  }

  /** Commands that read an input file (a queue worker has none: it reads what the queue names). */
  const withInput = commands.filter((n) =>
    czmodelProgram()
      .commands.find((c) => c.name() === n)!
      .registeredArguments.some((a) => a.required),
  );

  it.each(withInput)("czmodel %s --json on a missing input file", async (name) => {
    const work = await scratchDir("cli-json-fail-");
    const missing = join(work, "does-not-exist.czann");
    const r = await czmodel(...failingArgs(name, missing, work));
    expectOneLineError(r, ["does-not-exist"]);
    const d = parseJson<{ ok: boolean; error: { code: string; message: string } }>(r);
    expect(d.ok).toBe(false);
    expect(d.error.code).toMatch(/^[A-Z_]+$/);
    expect(d.error.message).toContain("does-not-exist");
    expect(r.stderr).toContain(d.error.message);
  });

  it("czmodel worker --json with a bad --redis URL", async () => {
    const r = await czmodel("worker", "--redis", "not a url", "--json");
    expectOneLineError(r, ["--redis", "not a URL"]);
    expect(parseJson(r)).toMatchObject({ ok: false, error: { code: "INVALID_ARGUMENT" } });
  });

  it("a usage error with --json is JSON too", async () => {
    const r: CliResult = await czmodel("pack", "x.onnx", "--type", "Nope", "--out", "x.czann", "--json");
    expectOneLineError(r, ["'Nope' is invalid"]);
    expect(parseJson(r)).toMatchObject({ ok: false, error: { code: "INVALID_ARGUMENT" } });
  });

  it.each([
    ["savedmodel2czmodel", savedmodel2czmodel],
    ["savedmodel2czann", savedmodel2czann],
  ] as const)("%s --json on a missing spec", async (name, run) => {
    const work = await scratchDir("cli-json-fail-");
    const r = await run(join(work, "missing-spec.json"), join(work, "out"), "--json");
    expectOneLineError(r, ["missing-spec.json"], { tool: name });
    expect(parseJson(r)).toMatchObject({ ok: false, error: { code: "IO" } });
  });
});
