// Loads the CLI entry points. An installed package (no src/, or inside node_modules) runs the
// bundle in dist/cli/ (built by `npm run build`, see scripts/bundle-cli.mjs), with no TypeScript
// loader; a development checkout runs src/ through tsx (a devDependency) so `npm start`, the
// tests and `npm run czmodel` need no build.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const source = new URL("../src/cli/entry.ts", import.meta.url);
const compiled = new URL("../dist/cli/entry.js", import.meta.url);

function installed() {
  return (
    !existsSync(source) ||
    fileURLToPath(import.meta.url)
      .split(/[\\/]/)
      .includes("node_modules")
  );
}

export async function loadCli() {
  if (installed()) return import(compiled.href);
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    // a source checkout without devDependencies: use the build when there is one
    if (existsSync(compiled)) return import(compiled.href);
    console.error("czmodel: this is a source checkout without tsx; run `npm install` (for tsx) or `npm run build` (for dist/)");
    process.exit(2);
  }
  register();
  return import(source.href);
}
