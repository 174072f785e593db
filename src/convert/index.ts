/** Packing models (isomorphic core): adapt → validate → build the archive bytes. */
export { packModel, prepareModel, buildArchive, adaptPayload, type AdaptedPayload, type ModelPayload, type PackInput, type PreparedModel } from "./pack.js";
export { hasAdaptation, resolveOps, type ConvertOptions } from "./options.js";
export { czannToLegacy, legacyToCzann, type LegacyChoices } from "./flavours.js";
