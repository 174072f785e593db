/**
 * Hostile OME-Zarr generator for tests: a small Zarr v2 / NGFF 0.4 store (one `yx` uint16
 * array `0`, raw or zlib chunks) written to a folder, whose `.zarray` fields and chunk files a
 * test then replaces with lies (wrong sizes, wrong codec bytes, symlinks, absurd shapes).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

export interface ZarrSpec {
  shape: number[];
  chunks: number[];
  compressor: "zlib" | null;
  /** Extra or replaced `.zarray` fields. */
  zarray?: Record<string, unknown>;
}

/** Value of pixel (y, x). */
export const pixel = (y: number, x: number) => y * 100 + x;

/** The bytes of chunk (cy, cx) as the writer would store them. */
export function chunkBytes(spec: ZarrSpec, cy: number, cx: number): Uint8Array {
  const [ch, cw] = spec.chunks as [number, number];
  const values = new Uint16Array(ch * cw);
  for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) values[y * cw + x] = pixel(cy * ch + y, cx * cw + x);
  const raw = new Uint8Array(values.buffer);
  return spec.compressor === "zlib" ? new Uint8Array(deflateSync(raw)) : raw;
}

/** The store's values by key (`.zgroup`, `0/.zarray`, `0/1.0` …); every chunk present unless `skip` names it (`"1.0"`). */
export function zarrValues(spec: ZarrSpec, skip: string[] = []): Map<string, Uint8Array> {
  const values = new Map<string, Uint8Array>();
  const json = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  const multiscales = [
    {
      version: "0.4",
      axes: [
        { name: "y", type: "space" },
        { name: "x", type: "space" },
      ],
      datasets: [{ path: "0" }],
    },
  ];
  values.set(".zgroup", json({ zarr_format: 2 }));
  values.set(".zattrs", json({ multiscales }));
  values.set(
    "0/.zarray",
    json({
      zarr_format: 2,
      shape: spec.shape,
      chunks: spec.chunks,
      dtype: "<u2",
      compressor: spec.compressor === "zlib" ? { id: "zlib", level: 1 } : null,
      fill_value: 7,
      order: "C",
      filters: null,
      ...spec.zarray,
    }),
  );
  const [h, w] = spec.shape as [number, number];
  const [ch, cw] = spec.chunks as [number, number];
  for (let cy = 0; cy * ch < h; cy++)
    for (let cx = 0; cx * cw < w; cx++) {
      if (!skip.includes(`${cy}.${cx}`)) values.set(`0/${cy}.${cx}`, chunkBytes(spec, cy, cx));
    }
  return values;
}

/** Writes the store into `dir` (created); every chunk present unless `skip` names it (`"1.0"`). */
export async function writeZarr(dir: string, spec: ZarrSpec, skip: string[] = []): Promise<string> {
  await mkdir(join(dir, "0"), { recursive: true });
  for (const [key, value] of zarrValues(spec, skip)) await writeFile(join(dir, key), value);
  return dir;
}
