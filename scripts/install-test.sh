#!/usr/bin/env bash
# Install test (`npm run test:install`): pack the package as npm would publish it, install the
# tarball into a fresh project in a temp folder, and use it there the way a user would — the
# CLI (`--help`, `pack` + `predict` on examples/data, `image-convert` of a JPEG XR CZI), a Node
# script importing "czmodel", and a Vite build of a page importing "czmodel/browser". Nothing
# from this checkout is on the path there: no sources, no tsx, no devDependencies (the Vite
# build borrows only this repo's vite binary; the JPEG XR CZI is written by this checkout's
# test helper). Works offline from a warm npm cache. Each failure is one line:
# "install-test: FAIL …".
# Set KEEP=1 to keep the temp folder.
set -euo pipefail
export ONNXRUNTIME_NODE_INSTALL=skip   # its install step downloads GPU providers from a host we cannot reach
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/czmodel-install-test.XXXXXX")"
log="$work/log"
if [ "${KEEP:-}" = 1 ]; then trap 'echo "install-test: kept $work"' EXIT; else trap 'rm -rf "$work"' EXIT; fi
npm_quiet=(--prefer-offline --no-audit --no-fund --loglevel=error)

step() { printf 'install-test: %s\n' "$1"; }
fail() {
  printf 'install-test: FAIL %s\n' "$1" >&2
  if [ -s "$log" ]; then tail -n 20 "$log" | sed 's/^/  | /' >&2; fi
  exit 1
}
# run CMD… with its output in $log; on failure print the last lines and stop
run() {
  local what="$1"; shift
  "$@" >"$log" 2>&1 || fail "$what (exit $?)"
}

step "npm pack (prepack builds dist/)"
(cd "$repo" && npm pack --pack-destination "$work" --loglevel=error) >"$log" 2>&1 || fail "npm pack (exit $?)"
tarball="$(ls "$work"/czmodel-*.tgz 2>/dev/null | head -n 1)"
[ -n "$tarball" ] || fail "npm pack wrote no czmodel-*.tgz"
tar -tzf "$tarball" >"$work/contents"
grep -q '^package/src/' "$work/contents" && fail "the tarball contains src/ (the installed package must run from dist/)"
for f in package/dist/src/index.js package/dist/src/index.d.ts package/dist/src/browser.js package/dist/src/browser.d.ts \
  package/dist/src/engine/node/session-worker.js package/dist/src/io/czi/jxr-wasm.js package/bin/czmodel.js \
  package/dist/cli/entry.js package/dist/cli/session-worker.js package/dist/cli/jxr-worker.js package/dist/cli/THIRD_PARTY_LICENSES.txt \
  package/LICENSE package/THIRD_PARTY_NOTICES.md package/README.md; do
  grep -qx "$f" "$work/contents" || fail "the tarball lacks ${f#package/}"
done

step "npm install the tarball into a fresh project"
app="$work/app"
mkdir -p "$app"
printf '{ "name": "czmodel-install-test", "private": true, "type": "module" }\n' >"$app/package.json"
cd "$app"
run "npm install $(basename "$tarball")" npm install "${npm_quiet[@]}" "$tarball"
for dev in tsx sharp typescript vite vitest; do
  [ ! -e "node_modules/$dev" ] || fail "node_modules/$dev was installed: it must be a devDependency only"
done
[ ! -e node_modules/czmodel/src ] || fail "node_modules/czmodel/src exists (the installed package must run from dist/)"

step "npx czmodel --help"
run "npx czmodel --help" npx --no-install czmodel --help
grep -q "predict" "$log" || fail "npx czmodel --help does not list predict"

step "npx czmodel pack + predict on examples/data"
cp "$repo/examples/data/blob-segmenter.onnx" "$repo/examples/data/cells.png" .
run "npx czmodel pack" npx --no-install czmodel pack blob-segmenter.onnx --type SingleClassSemanticSegmentation \
  --classes Background,Cell --min-overlap 16,16 --out blob.czann
[ -s blob.czann ] || fail "czmodel pack wrote no blob.czann"
run "npx czmodel predict" npx --no-install czmodel predict blob.czann cells.png -o labels.png
[ -s labels.png ] || fail "czmodel predict wrote no labels.png"
run "npx savedmodel2czann --help" npx --no-install savedmodel2czann --help

step "npx czmodel image-convert of a JPEG XR CZI (the bundled CLI's decoder worker)"
# the CZI pair of test/helpers/jxr-czi.ts, written by this checkout: JPEG XR tiles and the same
# decoded pixels uncompressed; the installed CLI must decode the first to the second's pixels
run "write the JPEG XR CZI pair" node --import "$repo/node_modules/tsx/dist/esm/index.mjs" --input-type=module \
  -e "const { writeJxrCziPair } = await import('$repo/test/helpers/jxr-czi.ts'); await writeJxrCziPair('$app');"
run "npx czmodel image-convert mosaic.jxr.czi" npx --no-install czmodel image-convert mosaic.jxr.czi jxr.png
run "npx czmodel image-convert mosaic.raw.czi" npx --no-install czmodel image-convert mosaic.raw.czi raw.png
cmp -s jxr.png raw.png || fail "the installed CLI decodes the JPEG XR CZI to other pixels than the uncompressed twin"

step "node: import { ... } from \"czmodel\""
cat >use.mjs <<'EOF'
import { readModelFile, describeModelFile, ModelMetadata, openImageFile, predictFile } from "czmodel";
import * as browser from "czmodel/browser";
import { createRequire } from "node:module";

const model = await readModelFile("blob.czann");
if (!(model.metadata instanceof ModelMetadata)) throw new Error(`expected CZANN metadata, got ${model.format}`);
if (model.metadata.type !== "SingleClassSemanticSegmentation") throw new Error(`wrong type ${model.metadata.type}`);
const described = describeModelFile(model);
const labels = await openImageFile("labels.png");
const { width, height } = labels.info;
await labels.close();
if (!(width > 0 && height > 0)) throw new Error(`labels.png has size ${width}x${height}`);
// the same prediction with the session in a worker thread (the built session-worker.js module)
await predictFile("blob.czann", "cells.png", "labels-worker.png", { worker: true });
const pixels = async (path) => {
  const image = await openImageFile(path);
  const data = await image.readRegion({ scene: 0, t: 0, c: 0, z: 0 }, { x: 0, y: 0, width, height });
  await image.close();
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
};
if (!(await pixels("labels.png")).equals(await pixels("labels-worker.png"))) throw new Error("the worker-thread prediction differs from the main-thread one");
if (typeof browser.readModelFileBytes !== "function") throw new Error("czmodel/browser lacks readModelFileBytes");
const { version } = createRequire(import.meta.url)("czmodel/package.json");
console.log(JSON.stringify({ version, format: model.format, type: model.metadata.type, classes: model.metadata.classes, entries: described.entries.map((e) => e.name), labels: `${width}x${height}` }));
EOF
run "node use.mjs" node use.mjs
grep -q '"type":"SingleClassSemanticSegmentation"' "$log" || fail "node use.mjs printed no model metadata"

step "vite build of a page importing czmodel/browser"
vite="$repo/node_modules/vite/bin/vite.js"
[ -f "$vite" ] || fail "no vite in $repo/node_modules (npm ci first)"
mkdir -p page
cat >page/index.html <<'EOF'
<!doctype html>
<html><body><pre id="out"></pre><script type="module" src="./main.js"></script></body></html>
EOF
cat >page/main.js <<'EOF'
import { ModelMetadata, readModelFileBytes, buildCzann } from "czmodel/browser";

const metadata = ModelMetadata.fromParams({ type: "Regression", inputShape: [8, 8, 1], outputShape: [8, 8, 1], minOverlap: [2, 2] });
const bytes = buildCzann({ metadata, model: new Uint8Array([8, 7]) });
readModelFileBytes(bytes, "x.czann").then((back) => {
  document.getElementById("out").textContent = JSON.stringify({ size: bytes.length, format: back.format });
});
EOF
run "vite build" node "$vite" build page --outDir "$app/page-dist" --emptyOutDir --logLevel warn
ls page-dist/assets/*.js >/dev/null 2>&1 || fail "vite build wrote no page-dist/assets/*.js"
if grep -q "__vite-browser-external" page-dist/assets/*.js; then
  fail "the czmodel/browser bundle pulls in Node built-ins (__vite-browser-external)"
fi

step "ok ($(du -h "$tarball" | cut -f1) tarball, installed and used without sources or tsx)"
