/** Packing models (isomorphic core): adapt → validate → build the archive bytes. */
export { packModel, adaptPayload, type PackInput } from "./pack.js";
export type { ConvertOptions } from "./options.js";
export { czannToLegacy, legacyToCzann } from "./flavours.js";
