/**
 * `startModuleWorker`: start the worker thread whose script sits beside the calling module.
 * Built (dist/src/, or the CLI bundle in dist/cli/, where the workers are entry points beside
 * the chunks), the script is `NAME.js`. Run from sources (tsx, vitest), the caller is a `.ts`
 * URL and the script is `NAME.ts`: the worker registers tsx's require hook and requires it
 * (tsx's ESM hooks would start a loader thread per worker, ~0.3 s; the require hook costs a
 * few ms). Such a script therefore uses neither `import.meta` nor top-level await. Node only.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

export interface ModuleWorkerOptions {
  workerData?: unknown;
  /** Modules to require before tsx's hook when run from sources, so that their many files skip it. */
  preload?: string[];
}

/** Start the worker `NAME.js` (built) or `NAME.ts` (sources) beside the module at `here` (its `import.meta.url`). */
export function startModuleWorker(here: string, name: string, options: ModuleWorkerOptions = {}): Worker {
  const workerOptions = options.workerData === undefined ? {} : { workerData: options.workerData };
  if (!/\.[cm]?ts$/.test(new URL(here).pathname)) return new Worker(new URL(`./${name}.js`, here), workerOptions);
  const tsx = createRequire(here).resolve("tsx/cjs/api");
  const file = fileURLToPath(new URL(`./${name}.ts`, here));
  const preload = (options.preload ?? []).map((p) => `require(${JSON.stringify(p)});\n`).join("");
  const boot = `${preload}require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(file)});`;
  return new Worker(boot, { eval: true, ...workerOptions });
}
