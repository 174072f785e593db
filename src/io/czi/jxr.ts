/**
 * JPEG XR decoding with jxrlib compiled to WebAssembly (scripts/build-jxr-wasm.sh,
 * docs/jpeg-xr.md). The module is embedded as base64 (jxr-wasm.ts), so it loads the same way
 * in Node, in a browser worker, under Vite and from the npm package: no file or fetch. That
 * module is imported dynamically (its own chunk in the page) and compiled once, on the first
 * JPEG XR subblock, then instantiated with stub WASI imports (the decoder never does I/O).
 * Decoding itself is synchronous inside the module.
 */

/** A decoded JPEG XR image in the bitstream's own pixel format. */
export interface JxrImage {
  width: number;
  height: number;
  /** CZI pixel type code: 0 Gray8, 1 Gray16, 2 Gray32Float, 3 Bgr24 (B,G,R), 4 Bgr48 (B,G,R). */
  pixelType: 0 | 1 | 2 | 3 | 4;
  /** Row-major pixels, minimal stride, little-endian samples. */
  bytes: Uint8Array;
}

interface JxrExports {
  memory: WebAssembly.Memory;
  _initialize?: () => void;
  jxr_decode(ptr: number, size: number, maxBytes: number): number;
  jxr_result(): number;
  jxr_alloc(size: number): number;
  jxr_free(ptr: number): void;
}

/** An instance whose memory grew past this is dropped after use (memory never shrinks). */
const KEEP_MEMORY_BYTES = 256 * 1024 * 1024;

const ERRORS: Record<number, string> = {
  [-1]: "decoding failed (corrupt or truncated data)",
  [-2]: "a feature of this stream is not implemented by jxrlib",
  [-101]: "out of memory",
  [-102]: "the data ends early or is unreadable",
  [-103]: "buffer overflow (corrupt data)",
  [-104]: "invalid parameter (corrupt header)",
  [-105]: "invalid argument (corrupt header)",
  [-106]: "not a JPEG XR stream, or an unsupported variant",
  [-107]: "unsupported codec version",
  [-114]: "unsupported codec sub-version",
  [-1001]: "out of memory",
  [-1002]: "the image is larger than the limit",
};

/** Decodes one JPEG XR stream (see `decodeJxr`); the CZI reader takes one as an option. */
export type JxrDecode = (data: Uint8Array, maxBytes?: number) => Promise<JxrImage>;

let modulePromise: Promise<WebAssembly.Module> | undefined;

function base64Bytes(b64: string): Uint8Array {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** The compiled module (compiled once per thread; a `WebAssembly.Module` can be posted to workers). */
export function jxrWasmModule(): Promise<WebAssembly.Module> {
  modulePromise ??= import("./jxr-wasm.js").then(({ JXR_WASM_BASE64 }) =>
    WebAssembly.compile(base64Bytes(JXR_WASM_BASE64) as Uint8Array<ArrayBuffer>),
  );
  modulePromise.catch(() => {
    modulePromise = undefined;
  });
  return modulePromise;
}

async function instantiate(module: WebAssembly.Module): Promise<JxrExports> {
  let memory: WebAssembly.Memory | undefined;
  // The decoder does no I/O; these answer the few WASI calls libc links in, harmlessly.
  const fdWrite = (_fd: number, iovs: number, iovsLength: number, written: number): number => {
    if (!memory) return 0;
    const view = new DataView(memory.buffer);
    let total = 0;
    for (let i = 0; i < iovsLength; i++) total += view.getUint32(iovs + i * 8 + 4, true);
    view.setUint32(written, total, true);
    return 0;
  };
  const imports: WebAssembly.Imports = {
    env: { emscripten_notify_memory_growth: () => {} },
    wasi_snapshot_preview1: {
      fd_write: fdWrite,
      fd_close: () => 0,
      fd_seek: () => 0,
      proc_exit: (code: number) => {
        throw new Error(`the decoder exited (code ${code})`);
      },
    },
  };
  const created = await WebAssembly.instantiate(module, imports);
  const exports = created.exports as unknown as JxrExports;
  memory = exports.memory;
  exports._initialize?.();
  return exports;
}

/**
 * A decode function over its own instance of `module` (instantiated on first use, replaced
 * after a trap or after a decode that grew its memory past 256 MiB).
 */
export function createJxrDecoder(module: () => Promise<WebAssembly.Module>): JxrDecode {
  let instance: Promise<JxrExports> | undefined;
  return async (data, maxBytes = 0x7fffffff) => {
    instance ??= module().then(instantiate);
    const current = instance;
    const wasm = await current.catch((e: unknown) => {
      if (instance === current) instance = undefined;
      throw e;
    });
    const outcome = decodeWith(wasm, data, maxBytes);
    if (instance === current && (outcome.discard || wasm.memory.buffer.byteLength > KEEP_MEMORY_BYTES)) instance = undefined;
    if (outcome.error) throw outcome.error;
    return outcome.image!;
  };
}

/** Decode with one instance; `discard` when a trap left its heap in an unknown state. */
function decodeWith(wasm: JxrExports, data: Uint8Array, maxBytes: number): { image?: JxrImage; error?: Error; discard?: boolean } {
  let input = 0;
  let output = 0;
  try {
    input = wasm.jxr_alloc(data.length);
    if (input === 0) return { error: new Error(`jxrlib: out of memory for ${data.length} bytes of JPEG XR data`) };
    new Uint8Array(wasm.memory.buffer, input, data.length).set(data);
    const rc = wasm.jxr_decode(input, data.length, Math.min(maxBytes, 0x7fffffff));
    const r = new Uint32Array(wasm.memory.buffer, wasm.jxr_result(), 6);
    const [width, height, format, bytesPerPixel, pixels, guidTail] = [r[0]!, r[1]!, r[2]! | 0, r[3]!, r[4]!, r[5]!];
    if (rc === -1000) {
      const guid = `{24C3DD6F-034E-FE4B-B185-3D77768DC9${hex2(guidTail)}}`;
      return { error: new Error(`JPEG XR pixel format ${guid} is not supported (supported: Gray8, Gray16, Gray32Float, Bgr24, Bgr48)`) };
    }
    if (rc !== 0) return { error: new Error(`jxrlib: ${ERRORS[rc] ?? "decoding failed"} (error ${rc})`) };
    output = pixels;
    const size = width * height * bytesPerPixel;
    const bytes = new Uint8Array(size);
    bytes.set(new Uint8Array(wasm.memory.buffer, pixels, size));
    return { image: { width, height, pixelType: format as JxrImage["pixelType"], bytes } };
  } catch (e) {
    output = 0;
    input = 0;
    const reason =
      e instanceof WebAssembly.RuntimeError
        ? `the decoder trapped on corrupt data (${e.message})`
        : e instanceof Error
          ? e.message
          : String(e);
    return { error: new Error(`jxrlib: ${reason}`), discard: true };
  } finally {
    if (output) wasm.jxr_free(output);
    if (input) wasm.jxr_free(input);
  }
}

/**
 * Decode one JPEG XR stream in this thread, whose pixels take at most `maxBytes` (2 GiB at
 * most). Throws a plain `Error` with a one-line reason on bad data, an unsupported pixel
 * format or a too large image; callers add where it came from.
 */
export const decodeJxr: JxrDecode = createJxrDecoder(jxrWasmModule);

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, "0");
}
