/**
 * How big a model tile (its spatial input size) may be, for every layer that sizes one:
 * validation (a model input dim of 2^31), the numeric check's test tile and the prediction
 * plan (`--tile`, metadata tile, a fixed session input). The README "Limits" table states the
 * same numbers. Isomorphic.
 */

/** Largest spatial side of a tile. */
const MAX_TILE_SIDE = 16384;

/** Most pixels (voxels for 3-D) in one tile: 2^26, 256 MiB a float32 channel. */
const MAX_TILE_PIXELS = 2 ** 26;

/** The allowed text for messages about a too-large tile. */
export const TILE_LIMITS_TEXT = `each side up to ${MAX_TILE_SIDE}, ${MAX_TILE_PIXELS} pixels a tile`;

/** True when fixed spatial sizes `sides` are more than a tile may be (dynamic sides are not given). */
export function tileTooLarge(sides: readonly number[]): boolean {
  return sides.some((t) => t > MAX_TILE_SIDE) || sides.reduce((a, b) => a * b, 1) > MAX_TILE_PIXELS;
}
