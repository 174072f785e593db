/**
 * What a command loads at start-up: the modules its file reaches through static, value
 * (non-type) imports. `inspect`, `validate` and `--version` must not pull in onnxruntime, the
 * image readers and writers, the queue or the bioimage.io runner; those are loaded on demand
 * (dynamic import) by the code that needs them (a numeric `validate --run`, `predict`).
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/paths.js";

const SRC = join(repoRoot, "src");
// value imports only: `import type …` and `export type …` are erased; dynamic import() is lazy
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\s)(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/gm;

/** Every src file and package reached from `entry` at load time. */
function loadedAtStart(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(STATIC_IMPORT)) {
      const spec = m[1]!;
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec).replace(/\.js$/, ".ts"));
      else packages.add(spec);
    }
  };
  visit(join(SRC, entry));
  return { files: [...files].map((f) => relative(SRC, f)), packages: [...packages] };
}

const HEAVY_PACKAGES = ["onnxruntime-node", "onnxruntime-web", "geotiff", "zarrita", "fast-png", "bullmq", "ioredis", "yaml"];
// engine/session.ts (the thread limit) is light; the engine proper and its Node runner are not
const HEAVY_FOLDERS = ["io/", "engine/node/", "engine/predict", "bioimageio/", "queue/", "objects/", "convert/"];

describe("start-up imports", () => {
  it.each(["cli/entry.ts", "cli/commands/inspect.ts", "cli/commands/validate.ts"])("%s loads no runtime, image IO or queue", (entry) => {
    const { files, packages } = loadedAtStart(entry);
    expect(packages.filter((p) => HEAVY_PACKAGES.includes(p))).toEqual([]);
    expect(files.filter((f) => HEAVY_FOLDERS.some((d) => f.startsWith(d)))).toEqual([]);
  });

  it("pack loads no runtime (it runs one only for a spatial-size check, on demand)", () => {
    const { packages } = loadedAtStart("cli/commands/pack.ts");
    expect(packages.filter((p) => p.startsWith("onnxruntime"))).toEqual([]);
  });

  it("the check sees a heavy import where there is one (predict loads the engine)", () => {
    const { files } = loadedAtStart("cli/commands/predict.ts");
    expect(files.some((f) => f.startsWith("engine/node/"))).toBe(true);
  });
});
