// Loads the CLI entry points: from src/ via tsx when this is a source checkout, else from dist/.
import { existsSync } from "node:fs";

export async function loadCli() {
  const source = new URL("../src/cli/entry.ts", import.meta.url);
  if (existsSync(source)) {
    const { register } = await import("tsx/esm/api");
    register();
    return import(source.href);
  }
  return import(new URL("../dist/src/cli/entry.js", import.meta.url).href);
}
