/**
 * The folder-level import graph of src/: no two top folders import each other, even through
 * others (a cycle makes the layer order metadata → container → onnx → validate → engine → …
 * meaningless), validation imports neither the engine nor image IO (the runner and the input
 * tile are injected), and only `node/` folders and the CLI import `node:` modules.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/paths.js";

const SRC = join(repoRoot, "src");
const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** The top folder under src/ a file belongs to; a file at src/ itself (an entry, errors.ts) stands for itself. */
function topFolder(file: string): string | undefined {
  return relative(SRC, file).split(sep)[0];
}

function imports(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

/** Folder → folders it imports (with one importing file per edge, for messages). */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = topFolder(file);
    if (!from) continue;
    for (const spec of imports(file)) {
      if (!spec.startsWith(".")) continue;
      const to = topFolder(resolve(dirname(file), spec).replace(/\.js$/, ".ts"));
      if (!to || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      graph.get(from)!.set(to, relative(SRC, file));
    }
  }
  return graph;
}

/** Strongly connected components with more than one folder (Tarjan). */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** The rows of docs/architecture.md: a folder imports only folders on lower rows. */
const LEVELS: Record<string, number> = {
  "errors.ts": -3,
  paths: -2,
  bytes: -2,
  metadata: -1,
  container: 0,
  onnx: 0,
  io: 0,
  savedmodel: 1,
  render: 1,
  objects: 1,
  inspect: 2,
  validate: 3,
  engine: 4,
  convert: 4,
  bioimageio: 5,
  queue: 5,
  "node-api.ts": 6,
  "browser.ts": 7,
  "index.ts": 7,
  cli: 8,
};

describe("src/ import graph", () => {
  const graph = folderGraph();

  it("has no folder-level import cycle", () => {
    const described = cycles(graph).map((c) =>
      c.flatMap((a) => c.filter((b) => graph.get(a)?.has(b)).map((b) => `${a} -> ${b} (${graph.get(a)!.get(b)})`)),
    );
    expect(described).toEqual([]);
  });

  it("imports only folders on lower rows of the layer picture", () => {
    const upward = [...graph].flatMap(([from, targets]) =>
      [...targets]
        .filter(([to]) => !(LEVELS[to]! < LEVELS[from]! || (from === "index.ts" && to === "browser.ts")))
        .map(([to, file]) => `${from} -> ${to} (${file})`),
    );
    expect(Object.keys(LEVELS).sort()).toEqual(expect.arrayContaining([...graph.keys()].sort()));
    expect(upward).toEqual([]);
  });

  it("keeps validation below the engine and image IO, and the ONNX layer below validation", () => {
    expect([...(graph.get("validate")?.keys() ?? [])].filter((t) => ["engine", "io", "convert", "cli", "bioimageio"].includes(t))).toEqual(
      [],
    );
    expect(graph.get("onnx")?.has("validate") ?? false).toBe(false);
    expect(graph.get("metadata")?.has("validate") ?? false).toBe(false);
  });

  it("imports node: modules only in node/ folders and the CLI", () => {
    const offenders = sourceFiles(SRC)
      .map((f) => relative(SRC, f).split(sep).join("/"))
      .filter((f) => !f.startsWith("cli/") && !f.split("/").includes("node"))
      .filter((f) => imports(join(SRC, f)).some((s) => s.startsWith("node:")));
    expect(offenders).toEqual([]);
  });
});
