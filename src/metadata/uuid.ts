/**
 * Model ids: UUID check and generation (`globalThis.crypto.randomUUID`, present in Node 20
 * and browsers in secure contexts; a `getRandomValues` fallback covers the rest).
 * Isomorphic.
 */

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** True for a hyphenated UUID (any version, either case), e.g. `3f13b6da-d9c4-4a01-8b92-a02951bb0397`. */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID_RE.test(value);
}

/** A fresh random (version 4) UUID, lowercase, hyphenated — as Python's `str(uuid.uuid4())`. */
export function randomUuid(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID_ALLOWED = "a UUID such as 3f13b6da-d9c4-4a01-8b92-a02951bb0397";
