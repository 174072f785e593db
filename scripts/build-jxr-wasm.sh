#!/usr/bin/env bash
# Build jxrlib's JPEG XR decoder (plus native/jxr/jxr_glue.c) into a standalone WebAssembly
# module, and regenerate the TypeScript module that embeds it (src/io/czi/jxr-wasm.ts).
#
#   apt-get install -y emscripten        # Debian bookworm: emscripten 3.1.6
#   bash scripts/build-jxr-wasm.sh [path/to/jxrlib_*.orig.tar.xz]
#
# Default source: ../shared/vendor/jxrlib/jxrlib_1.2~git20170615.f752187.orig.tar.xz (Debian's
# upstream tarball, SHA-256 checked below). Outputs (both committed):
#   native/jxr/jxr-decoder.wasm   the module
#   src/io/czi/jxr-wasm.ts        the same bytes, base64, for Node, Vite and npm pack
# See docs/jpeg-xr.md for the flags and why they were chosen.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARBALL="${1:-$ROOT/../shared/vendor/jxrlib/jxrlib_1.2~git20170615.f752187.orig.tar.xz}"
EXPECTED_SHA256="3e3c9d3752b0bbf018ed9ce01b43dcd4be866521dc2370dc9221520b5bd440d4"

command -v emcc >/dev/null || { echo "emcc not found: apt-get install -y emscripten" >&2; exit 2; }
[ -f "$TARBALL" ] || { echo "jxrlib tarball not found: $TARBALL" >&2; exit 2; }
actual="$(sha256sum "$TARBALL" | cut -d' ' -f1)"
if [ "$actual" != "$EXPECTED_SHA256" ]; then
  echo "jxrlib tarball SHA-256 is $actual, expected $EXPECTED_SHA256" >&2
  exit 2
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
tar -xf "$TARBALL" -C "$WORK"
SRC="$(echo "$WORK"/jxrlib-*)"

# Decoder only: common code, the decoder, and the container glue (no encoder, no test apps).
SOURCES=(
  image/sys/adapthuff.c image/sys/image.c image/sys/strcodec.c image/sys/strPredQuant.c
  image/sys/strTransform.c image/sys/perfTimerANSI.c
  image/decode/decode.c image/decode/postprocess.c image/decode/segdec.c image/decode/strdec.c
  image/decode/strInvTransform.c image/decode/strPredQuantDec.c image/decode/JXRTranscode.c
  jxrgluelib/JXRGlue.c jxrgluelib/JXRGlueJxr.c jxrgluelib/JXRMeta.c jxrgluelib/JXRGluePFC.c
)

cd "$SRC"
FLAGS=("${JXR_OPT:--O2}" -flto -I. -Icommon/include -Iimage/sys -Ijxrgluelib -D__ANSI__ -DDISABLE_PERF_MEASUREMENT -w)
emcc "${FLAGS[@]}" "${SOURCES[@]}" "$ROOT/native/jxr/jxr_glue.c" \
  -o "$WORK/jxr-decoder.wasm" \
  --no-entry -sSTANDALONE_WASM=1 -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=16MB -sMAXIMUM_MEMORY=4GB \
  -sFILESYSTEM=0 -sASSERTIONS=0 \
  -sEXPORTED_FUNCTIONS=_jxr_decode,_jxr_result,_jxr_alloc,_jxr_free

cp "$WORK/jxr-decoder.wasm" "$ROOT/native/jxr/jxr-decoder.wasm"
node "$ROOT/scripts/jxr-wasm-to-ts.mjs" "$ROOT/native/jxr/jxr-decoder.wasm" "$ROOT/src/io/czi/jxr-wasm.ts" \
  "$(emcc --version | head -1)" "$actual"
echo "built native/jxr/jxr-decoder.wasm ($(stat -c %s "$ROOT/native/jxr/jxr-decoder.wasm") bytes) and src/io/czi/jxr-wasm.ts"
