/**
 * ImageJ hyperstack metadata (first ImageDescription `ImageJ=…\nimages=…\nchannels=…`):
 * the C/Z/T sizes (pages in order C fastest, then Z, then T), the length unit and the Z
 * spacing. Isomorphic.
 */

export interface ImageJMetadata {
  images: number;
  channels: number;
  slices: number;
  frames: number;
  unit?: string;
  spacing?: number;
}

export function isImageJ(description: string | undefined): boolean {
  return description?.startsWith("ImageJ=") ?? false;
}

export function parseImageJ(description: string): ImageJMetadata {
  const values = new Map<string, string>();
  for (const line of description.split(/\r?\n/)) {
    const eq = line.indexOf("=");
    if (eq > 0) values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const int = (key: string) => {
    const n = Number(values.get(key));
    return Number.isInteger(n) && n > 0 ? n : 1;
  };
  // ImageJ escapes non-ASCII characters: unit=\u00B5m
  const unit = values.get("unit")?.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const spacing = Number(values.get("spacing"));
  return {
    images: int("images"),
    channels: int("channels"),
    slices: int("slices"),
    frames: int("frames"),
    ...(unit ? { unit } : {}),
    ...(Number.isFinite(spacing) && spacing > 0 ? { spacing } : {}),
  };
}
