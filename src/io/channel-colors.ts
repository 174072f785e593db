/**
 * Channel display colours as the formats write them, read into `[r, g, b]`: CZI `#AARRGGBB`
 * or `#RRGGBB` text, OME-Zarr `omero` `RRGGBB`, OME `Color` (RGBA packed into a signed 32-bit
 * integer). Anything else is no colour (null). Isomorphic.
 */
import type { RgbColor } from "./types.js";

/** `#AARRGGBB`, `#RRGGBB`, `AARRGGBB` or `RRGGBB` (any case) → [r, g, b]; the alpha byte is ignored. */
export function hexToRgb(text: unknown): RgbColor | null {
  if (typeof text !== "string") return null;
  const m = /^#?(?:[0-9a-f]{2})?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text.trim());
  return m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : null;
}

/** OME `Color` (decimal text of a signed or unsigned 32-bit RGBA integer) → [r, g, b]. */
export function omeColorToRgb(text: string | undefined): RgbColor | null {
  if (text === undefined || !/^\s*-?\d+\s*$/.test(text)) return null;
  const v = Number(text);
  if (v < -(2 ** 31) || v >= 2 ** 32) return null;
  const u = v >>> 0;
  return [u >>> 24, (u >>> 16) & 255, (u >>> 8) & 255];
}
