/**
 * House rules checked from the sources themselves: everything the browser entries reach stays
 * free of Node-only code, and no function grows past 120 lines (import-graph.test.ts guards the
 * folder layering). docs/architecture.md explains the layers.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const MAX_FUNCTION_LINES = 120;
const NODE_ONLY_PACKAGES = /^(node:|onnxruntime-node$|sharp$|yauzl$|fs$|path$|worker_threads$|bullmq$|ioredis$)/;
const BROWSER_ENTRIES = ["src/browser.ts", "web/src/main.ts", "web/worker.ts"];

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, folder))) {
    const path = join(folder, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const IMPORT_PATTERN = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|(?:^|\n)\s*import\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/g;

/** The module specifiers a file imports (type-only imports included: they are dependencies too). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(IMPORT_PATTERN)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

/** The repo-relative .ts file a relative specifier names, or undefined for a package. */
function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const target = relative(root, resolve(root, dirname(from), specifier));
  for (const candidate of [target.replace(/\.js$/, ".ts"), `${target}.ts`, join(target, "index.ts")]) {
    try {
      if (statSync(join(root, candidate)).isFile()) return candidate;
    } catch {
      // try the next spelling
    }
  }
  throw new Error(`${from}: cannot resolve ${specifier}`);
}

function functionSpans(file: string): { name: string; lines: number }[] {
  const text = readFileSync(join(root, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const spans: { name: string; lines: number }[] = [];
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const walk = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const lines = lineOf(node.end) - lineOf(node.getStart(source)) + 1;
      const name = node.name?.getText(source) ?? `<anonymous at line ${lineOf(node.getStart(source)) + 1}>`;
      spans.push({ name, lines });
    }
    ts.forEachChild(node, walk);
  };
  walk(source);
  return spans;
}

describe("architecture", () => {
  const srcFiles = sourceFiles("src");

  it("keeps Node-only modules out of everything the browser entries reach", () => {
    const seen = new Set<string>();
    const offenders: string[] = [];
    const queue = BROWSER_ENTRIES.filter((entry) => {
      try {
        return statSync(join(root, entry)).isFile();
      } catch {
        return false;
      }
    });
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      if (/(^|\/)node\//.test(file) || file.startsWith("src/cli/")) offenders.push(file);
      for (const specifier of importsOf(file)) {
        if (NODE_ONLY_PACKAGES.test(specifier)) offenders.push(`${file} imports ${specifier}`);
        const target = resolveLocal(file, specifier);
        if (target) queue.push(target);
      }
    }
    expect(seen.size).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });

  it(`has no function longer than ${MAX_FUNCTION_LINES} lines in src/ or web/src/`, () => {
    const long = [...srcFiles, ...sourceFiles("web/src")].flatMap((file) =>
      functionSpans(file)
        .filter((span) => span.lines > MAX_FUNCTION_LINES)
        .map((span) => `${file}: ${span.name} (${span.lines} lines)`),
    );
    expect(long).toEqual([]);
  });
});
