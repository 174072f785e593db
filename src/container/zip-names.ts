/**
 * ZIP entry names: decoding (UTF-8 when flag bit 11 is set, else IBM code page 437 as the
 * ZIP spec says), normalisation (`\` → `/`, as older ZEN files use backslashes) and the
 * zip-slip check used before extracting (no absolute paths, drive letters, `:`, `..`
 * segments, NUL or empty names). Isomorphic.
 */
import { invalidContainer } from "../errors.js";

// CP437 code points for bytes 0x80..0xFF.
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

function decodeCp437(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
  return s;
}

/** Decode a raw entry name per its UTF-8 flag. */
export function decodeEntryName(raw: Uint8Array, utf8Flag: boolean, where: string): string {
  if (!utf8Flag) return decodeCp437(raw);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch (e) {
    throw invalidContainer("an entry name is flagged UTF-8 but is not valid UTF-8", { where, cause: e });
  }
}

/** `\` → `/` (ZEN's older files use backslash separators). */
export function normalizeEntryName(name: string): string {
  return name.replace(/\\/g, "/");
}

/** The last segment of a (normalised) entry name. */
export function entryBaseName(name: string): string {
  const n = normalizeEntryName(name);
  return n.slice(n.lastIndexOf("/") + 1);
}

/**
 * The safe relative path (with `/`) an entry may be extracted to, or a `CzmodelError`
 * naming the entry: refuses absolute names, drive letters, `..` segments, NUL and empty names.
 */
export function safeEntryPath(name: string, where: string): string {
  const n = normalizeEntryName(name);
  const refuse = (why: string) =>
    invalidContainer(`entry ${JSON.stringify(name)} ${why}; refusing to extract it`, {
      where,
      allowed: "relative entry names inside the archive",
    });
  if (n.includes("\0")) throw refuse("contains a NUL character");
  if (n.startsWith("/")) throw refuse("is an absolute path");
  if (/^[A-Za-z]:/.test(n)) throw refuse("has a drive letter");
  if (n.includes(":")) throw refuse("contains ':' (a Windows stream or drive separator)");
  const segments = n.split("/");
  if (segments.some((s) => s === "..")) throw refuse("contains '..'");
  const clean = segments.filter((s) => s !== "" && s !== ".");
  if (clean.length === 0) throw refuse("is empty");
  return clean.join("/") + (n.endsWith("/") ? "/" : "");
}
