// Bundles the compiled CLI (dist/src/cli/entry.js, from `tsc`) into dist/cli/ with esbuild,
// the last step of `npm run build`. The installed `czmodel` command runs this bundle; the
// library (`import "czmodel"`) stays the per-file dist/src/.
//
// Why: Node 20 has no compile cache for ES modules, so start-up is dominated by finding,
// reading and compiling files. Unbundled, `czmodel inspect` loads about 300 files (zod alone
// 95, with every locale; @bufbuild/protobuf 66) and takes about 0.32 s; bundled, tree-shaken
// and minified, it loads a handful of chunks in about 0.18 s (see `npm run bench:startup`).
//
// Layout: every output is flat in dist/cli/, so the workers' URLs (`startModuleWorker`:
// `new URL("./session-worker.js", import.meta.url)`, and jxr-worker.js) resolve from whichever
// chunk holds the code that starts them. Code splitting keeps the commands' dynamic imports
// lazy: `inspect` does not load onnxruntime or the image readers. Identifiers are kept (whitespace and syntax
// are minified) so that `--debug` stack traces still name real functions.
//
// External (left to node_modules): packages with native code or that read files beside
// themselves or start their own workers. The licences of the packages bundled in are written
// to dist/cli/THIRD_PARTY_LICENSES.txt.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}dist/cli`;
const EXTERNAL = ["onnxruntime-node", "onnxruntime-web", "onnxruntime-common", "bullmq", "ioredis", "geotiff", "sharp"];

rmSync(outdir, { recursive: true, force: true });
const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: {
    entry: "dist/src/cli/entry.js",
    "session-worker": "dist/src/engine/node/session-worker.js",
    "jxr-worker": "dist/src/io/czi/node/jxr-worker.js",
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minifyWhitespace: true,
  minifySyntax: true,
  external: EXTERNAL,
  // bundled CommonJS packages (commander, cli-progress) call require() for node built-ins
  banner: { js: 'import { createRequire as __czmodelRequire } from "node:module"; const require = __czmodelRequire(import.meta.url);' },
  legalComments: "eof",
  logLevel: "warning",
  metafile: true,
});
writeFileSync(`${outdir}/THIRD_PARTY_LICENSES.txt`, licenceText(bundledPackages(metafile)));

/** The node_modules folders (e.g. "node_modules/@bufbuild/protobuf") of the bundled inputs. */
function bundledPackages(meta) {
  const folders = new Set();
  for (const input of Object.keys(meta.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) folders.add(m[1]);
  }
  return [...folders].sort();
}

/** Each bundled package's name, version, licence id and licence file, one after another. */
function licenceText(folders) {
  const parts = folders.map((folder) => {
    const dir = `${root}${folder}`;
    const pkg = JSON.parse(readFileSync(`${dir}/package.json`, "utf8"));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    const text =
      file && existsSync(`${dir}/${file}`)
        ? readFileSync(`${dir}/${file}`, "utf8").trim()
        : `(no licence file; package.json says ${pkg.license})`;
    return `${pkg.name} ${pkg.version} (${pkg.license})\n\n${text}\n`;
  });
  return `The CLI bundle in this folder contains code of these npm packages:\n\n${parts.join(`\n${"-".repeat(72)}\n\n`)}`;
}
