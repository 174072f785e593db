/**
 * Issue 2 acceptance, real files: every model in ../shared/testdata/models/ inspects with the
 * metadata, model I/O and entries that Python's zipfile/json/ElementTree and the `onnx`
 * package see (test/fixtures/cli/models_reference.json, made by
 * scripts/fixtures/cli_models_reference.py), validates with exit 0, and unpacks into files
 * equal to the entries' bytes.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, testdata } from "../helpers/paths.js";
import { czmodel, listTree, parseJson, scratchDir } from "./helpers.js";

interface RefEntry {
  name: string;
  size: number;
  compressedSize: number;
  method: string;
  sha256: string;
}
interface RefTensor {
  name: string;
  type: string;
  shape: (number | string | null)[];
}
interface RefFile {
  format: "czann" | "czmodel";
  entries: RefEntry[];
  metadataEntry: string;
  metadata?: Record<string, unknown>;
  metadataKeys?: string[];
  legacy?: {
    Version: string;
    Id: string;
    ModelName: string;
    Status: string;
    FeatureExtractor: string;
    Postprocessing: string;
    ColorHandling: string;
    PixelTypes: string[];
    TrainingClasses: Record<string, string>[];
    BorderSize: string;
    elementOrder: string[];
  };
  model: {
    format: string;
    irVersion: number;
    opset: { domain: string; version: number }[];
    producer: { name: string; version: string };
    inputs: RefTensor[];
    outputs: RefTensor[];
    size: number;
  };
  license: string | null;
}

const reference = JSON.parse(await readFile(fixture("cli", "models_reference.json"), "utf8")) as { files: Record<string, RefFile> };
const names = Object.keys(reference.files);

interface InspectJson {
  format: string;
  metadataEntry: string;
  metadata: Record<string, unknown>;
  model: {
    format: string;
    irVersion: number | null;
    opset: { domain: string; version: number }[];
    producer: { name: string; version: string } | null;
    inputs: RefTensor[];
    outputs: RefTensor[];
    size: number;
  };
  entries: { name: string; size: number; compressedSize: number; method: string }[];
  license: string | null;
}

describe("the real model files", () => {
  it("are all covered by the Python reference (4 files, 3 CZANN + 1 legacy)", () => {
    expect(names.sort()).toEqual([
      "simple_kidney_regmodel.czann",
      "simple_nuclei_segmodel.czann",
      "simple_nuclei_segmodel_legacy.czseg",
      "simple_pytorch_nuclei_segmodel_pytorch.czann",
    ]);
  });

  describe.each(names)("%s", (name) => {
    const ref = reference.files[name]!;
    const path = testdata("models", name);

    it("inspect --json reports the metadata, model I/O, entries and licence Python reads", async () => {
      const r = await czmodel("inspect", path, "--json");
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
      const d = parseJson<InspectJson>(r);
      expect(d.format).toBe(ref.format);
      expect(d.metadataEntry).toBe(ref.metadataEntry);
      if (ref.format === "czann") {
        expect(d.metadata).toEqual(ref.metadata);
        expect(Object.keys(d.metadata)).toEqual(ref.metadataKeys); // keys as (and in the order) written in model.json
      } else {
        const l = ref.legacy!;
        expect(d.metadata).toEqual({
          Version: l.Version,
          Id: l.Id,
          ModelName: l.ModelName,
          Status: l.Status,
          FeatureExtractor: l.FeatureExtractor,
          Postprocessing: l.Postprocessing,
          ColorHandling: l.ColorHandling,
          Channels: l.PixelTypes.map((p) => ({ PixelType: p })),
          TrainingClasses: l.TrainingClasses,
          BorderSize: l.BorderSize,
        });
      }
      expect(d.model.format).toBe("onnx");
      expect(d.model.irVersion).toBe(ref.model.irVersion);
      expect(d.model.opset).toEqual(ref.model.opset);
      expect(d.model.producer).toEqual(ref.model.producer);
      expect(d.model.inputs).toEqual(ref.model.inputs);
      expect(d.model.outputs).toEqual(ref.model.outputs);
      expect(d.model.size).toBe(ref.model.size);
      expect(d.entries).toEqual(
        ref.entries.map(({ name: n, size, compressedSize, method }) => ({ name: n, size, compressedSize, method })),
      );
      expect(d.license).toBe(ref.license);
    });

    it("inspect (text) names the format, the classes and the model I/O", async () => {
      const r = await czmodel("inspect", path);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(ref.format === "czann" ? "CZANN model" : "legacy CZMODEL model");
      for (const t of [...ref.model.inputs, ...ref.model.outputs]) expect(r.stdout).toContain(t.name);
      for (const e of ref.entries) expect(r.stdout).toContain(e.name);
      const classes =
        ref.format === "czann" ? ((ref.metadata!.Classes as string[] | undefined) ?? []) : ref.legacy!.TrainingClasses.map((c) => c.Name!);
      for (const c of classes) expect(r.stdout).toContain(c);
    });

    it("validate exits 0 with no errors (text and --json)", async () => {
      const text = await czmodel("validate", path);
      expect(text.status, text.stdout + text.stderr).toBe(0);
      expect(text.stdout).toMatch(/: valid for zen-3\.13/);
      const json = await czmodel("validate", path, "--json");
      expect(json.status).toBe(0);
      const report = parseJson<{ ok: boolean; errors: number; format: string; findings: { severity: string }[] }>(json);
      expect(report.ok).toBe(true);
      expect(report.errors).toBe(0);
      expect(report.format).toBe(ref.format);
      expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    });

    it("unpack writes exactly the entries, byte for byte", async () => {
      const dir = join(await scratchDir("cli-unpack-"), "new", "folder");
      const r = await czmodel("unpack", path, dir, "--json");
      expect(r.status, r.stderr).toBe(0);
      const out = parseJson<{ ok: boolean; files: string[] }>(r);
      expect(out.ok).toBe(true);
      expect(out.files).toEqual(ref.entries.map((e) => join(dir, e.name)));
      expect(await listTree(dir)).toEqual(ref.entries.map((e) => e.name).sort());
      for (const e of ref.entries) {
        const bytes = await readFile(join(dir, e.name));
        expect(bytes.length).toBe(e.size);
        expect(createHash("sha256").update(bytes).digest("hex"), e.name).toBe(e.sha256);
      }
    });
  });
});
