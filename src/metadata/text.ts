/**
 * Bytes → text for metadata entries: strict UTF-8 (invalid bytes are an error, not U+FFFD)
 * and a leading UTF-8 BOM dropped (ZEN writes one before its XML). Isomorphic.
 */
import { invalidMetadata } from "../errors.js";

export function decodeUtf8Text(bytes: Uint8Array, where: string): string {
  const body = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  if (body.length >= 2 && ((body[0] === 0xff && body[1] === 0xfe) || (body[0] === 0xfe && body[1] === 0xff))) {
    throw invalidMetadata("text is UTF-16; only UTF-8 is supported", { where, allowed: "UTF-8 text" });
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body);
  } catch (e) {
    throw invalidMetadata("text is not valid UTF-8", { where, allowed: "UTF-8 text", cause: e });
  }
}

export function encodeUtf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
