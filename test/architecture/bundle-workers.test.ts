/**
 * Every worker that `startModuleWorker` starts is an entry point of the CLI bundle
 * (scripts/bundle-cli.mjs), built from the compiled file beside its starter: the bundled CLI
 * looks for `NAME.js` beside its chunks, so a worker missing from the entry points would fail
 * only in an installed package.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/paths.js";

const SRC = join(repoRoot, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** `NAME → dist/src/…/NAME.js` for every `startModuleWorker(…, "NAME"…)` call in src/. */
function startedWorkers(): Record<string, string> {
  const found: Record<string, string> = {};
  for (const file of sourceFiles(SRC))
    for (const m of readFileSync(file, "utf8").matchAll(/startModuleWorker\(\s*[\w.]+,\s*"([\w-]+)"/g))
      found[m[1]!] = `dist/src/${relative(SRC, dirname(file)).split("\\").join("/")}/${m[1]}.js`;
  return found;
}

/** The `entryPoints` object of scripts/bundle-cli.mjs, as written there. */
function bundleEntries(): Record<string, string> {
  const script = readFileSync(join(repoRoot, "scripts", "bundle-cli.mjs"), "utf8");
  const block = /entryPoints:\s*\{([^}]*)\}/.exec(script)?.[1] ?? "";
  return Object.fromEntries([...block.matchAll(/"?([\w-]+)"?:\s*"([^"]+)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe("the CLI bundle", () => {
  it("has every worker that startModuleWorker starts as an entry point, from the file beside its starter", () => {
    const workers = startedWorkers();
    expect(Object.keys(workers).sort()).toEqual(["jxr-worker", "session-worker"]);
    const entries = bundleEntries();
    expect(entries.entry).toBe("dist/src/cli/entry.js");
    for (const [name, path] of Object.entries(workers)) expect(entries[name], name).toBe(path);
  });
});
