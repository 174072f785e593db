/**
 * `bytesToHex`: bytes as lowercase hex, two digits a byte (ids, GUIDs, digests, file
 * signatures in messages). The project's one byte-to-hex conversion. Isomorphic.
 */

const DIGITS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** `bytes` as lowercase hex, two digits per byte, `separator` between bytes (default none). */
export function bytesToHex(bytes: ArrayLike<number>, separator = ""): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && separator) out += separator;
    out += DIGITS[bytes[i]! & 0xff];
  }
  return out;
}
