/** Human-readable numbers shared by the CLI and the browser page. Isomorphic. */

/** Byte count: `3891 B`, `36.4 KiB`, `1.20 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/**
 * Text from a file made safe for a terminal: control characters (C0 but for none, DEL, C1,
 * so also ESC sequences and newlines inside a name) are shown as `\xNN`, so a model or class
 * name can never forge lines or move the cursor. JSON output is not passed through this.
 */
export function escapeControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
