/**
 * NumPy `.npy` files (format versions 1–3): the test tensors of bioimage.io packages.
 * Reading gives a typed array in C order plus shape and dtype; writing produces version 1.0
 * files NumPy reads back byte for byte. Little-endian numeric dtypes only (`<f4`, `<u2` …, and
 * `|u1`/`|i1`/`|b1`); Fortran order is refused. Written here because the format is a
 * 10-byte preamble plus a Python-literal header, and the npm readers for it fetch over HTTP
 * or do not write. Isomorphic.
 */
import { invalidArgument, unsupported } from "../errors.js";
import { allocSamples, bytesPerSample } from "../io/types.js";

type NpyDtype = "float32" | "float64" | "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "bool";

type NpyData = Float32Array | Float64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const DESCR: Record<string, NpyDtype> = {
  "<f4": "float32",
  "<f8": "float64",
  "|u1": "uint8",
  "<u1": "uint8",
  "|i1": "int8",
  "<i1": "int8",
  "<u2": "uint16",
  "<i2": "int16",
  "<u4": "uint32",
  "<i4": "int32",
  "|b1": "bool",
};

const DESCR_OF: Record<NpyDtype, string> = {
  float32: "<f4",
  float64: "<f8",
  uint8: "|u1",
  int8: "|i1",
  uint16: "<u2",
  int16: "<i2",
  uint32: "<u4",
  int32: "<i4",
  bool: "|b1",
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Most elements a test tensor may have (1 Gi elements); larger shapes are refused before allocating. */
const MAX_NPY_ELEMENTS = 1 << 30;

function headerField(header: string, key: string, pattern: string, where: string): string {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*(${pattern})`).exec(header);
  if (!m) throw invalidArgument(`the .npy header has no valid '${key}'`, { where });
  return m[1]!;
}

/** Parse a `.npy` file; `where` names it in errors. */
export function readNpy(bytes: Uint8Array, where: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw invalidArgument("not a NumPy .npy file (bad magic)", { where });
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (major < 1 || major > 3) throw unsupported(`.npy format version ${major} is not supported`, { where, allowed: "1, 2, 3" });
  if (start + headerLen > bytes.length) throw invalidArgument("the .npy header runs past the end of the file", { where });
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(start, start + headerLen));
  const descr = headerField(header, "descr", "'[^']*'|\"[^\"]*\"", where).slice(1, -1);
  const dtype = DESCR[descr];
  if (!dtype)
    throw unsupported(`.npy dtype '${descr}' is not supported`, { where, allowed: `${Object.keys(DESCR_OF).join(", ")} (little-endian)` });
  if (headerField(header, "fortran_order", "True|False", where) === "True") {
    throw unsupported(".npy arrays in Fortran order are not supported", { where, allowed: "C order (numpy's default)" });
  }
  const shapeText = headerField(header, "shape", "\\([^)]*\\)", where);
  const shape = shapeText
    .slice(1, -1)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      const n = Number(s.replace(/L$/, ""));
      if (!Number.isSafeInteger(n) || n < 0) throw invalidArgument(`.npy shape ${shapeText} is not valid`, { where });
      return n;
    });
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_NPY_ELEMENTS)
    throw invalidArgument(`.npy shape ${shapeText} has ${count} elements, more than ${MAX_NPY_ELEMENTS}`, { where });
  const dataStart = start + headerLen;
  const byteLength = count * bytesPerSample(dtype === "bool" ? "uint8" : dtype);
  if (bytes.length - dataStart < byteLength) {
    throw invalidArgument(`the .npy file holds ${bytes.length - dataStart} data bytes; shape ${shapeText} needs ${byteLength}`, { where });
  }
  // copy into an aligned array of its own (the data offset need not be a multiple of the element
  // size; and `bytes` may be a Node Buffer, whose `slice` is a view of the whole file)
  const data = allocSamples(dtype === "bool" ? "uint8" : dtype, count) as NpyData;
  new Uint8Array(data.buffer).set(bytes.subarray(dataStart, dataStart + byteLength));
  return { dtype, shape, data };
}

/** Encode a C-order array as a version 1.0 `.npy` file (header padded to 64 bytes, as NumPy does). */
export function writeNpy(array: NpyArray): Uint8Array {
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(", ")})`;
  let header = `{'descr': '${DESCR_OF[array.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += `${" ".repeat((64 - (unpadded % 64)) % 64)}\n`;
  const data = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(10 + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}
