/**
 * Argument checks shared by every `ImageSource.readRegion`: the plane exists and the
 * rectangle lies inside it. Isomorphic.
 */
import { invalidArgument } from "../errors.js";
import type { PlaneIndex, PlaneSizes, Rect } from "./types.js";

export function checkPlane(plane: PlaneIndex, sizes: PlaneSizes, where: string): void {
  const inside = (v: number, n: number) => Number.isInteger(v) && v >= 0 && v < n;
  if (!(inside(plane.scene, sizes.scene) && inside(plane.t, sizes.t) && inside(plane.c, sizes.c) && inside(plane.z, sizes.z))) {
    throw invalidArgument(
      `plane (scene ${plane.scene}, t ${plane.t}, c ${plane.c}, z ${plane.z}) is outside the image (scenes ${sizes.scene}, T ${sizes.t}, C ${sizes.c}, Z ${sizes.z})`,
      { where },
    );
  }
}

export function checkRect(rect: Rect, width: number, height: number, where: string): void {
  const ok =
    [rect.x, rect.y, rect.width, rect.height].every((v) => Number.isInteger(v) && v >= 0) &&
    rect.x + rect.width <= width &&
    rect.y + rect.height <= height;
  if (!ok) {
    throw invalidArgument(`region x=${rect.x} y=${rect.y} ${rect.width}×${rect.height} is outside the ${width}×${height} plane`, { where });
  }
}
