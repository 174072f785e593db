/**
 * Which planes a prediction reads and writes. Every non-spatial axis (scene, T, C groups, and
 * Z for 2-D models) is looped and kept in the output's dimensions; a `PlaneFilter` picks
 * indices per axis, and the output keeps only the picked ones (renumbered from 0). Extra CZI
 * dimensions (H, B …) are looped inside T (`io/extra-dimensions.ts`).
 *
 * A "stack" is the unit processed with one tiling: one plane for 2-D models, the whole Z
 * stack of one (scene, t, C group) for 3-D models. C planes grouped into one model input
 * (grey C planes as model channels) count as one output C index.
 */
import { invalidArgument, unsupported } from "../errors.js";
import { pickIndices, pickT } from "../io/extra-dimensions.js";
import type { ImageInfo, PlaneIndex, PlaneSizes, TModulo } from "../io/types.js";
import type { PlaneFilter } from "./types.js";

export interface Stack {
  /** Output planes this stack writes, one per Z position (one for 2-D models). */
  outPlanes: PlaneIndex[];
  /** `inputs[z][g]`: the input plane read for stack position z and grouped C plane g. */
  inputs: PlaneIndex[][];
}

export interface StackPlan {
  width: number;
  height: number;
  /** Output plane counts. */
  outSizes: PlaneSizes;
  stacks: Stack[];
  /** The extra dimension (CZI H, B …) the output's T axis holds, when one keeps several indices. */
  outModulo?: TModulo;
  /** Name of each output C plane: the input channel(s) it was predicted from, when the input names them. */
  outChannelNames?: string[];
}

/**
 * Plan the stacks. `planesPerInput` C planes form one model input; `spatialDims` 3 consumes
 * the whole Z axis per stack.
 */
export function planStacks(info: ImageInfo, filter: PlaneFilter | undefined, planesPerInput: number, spatialDims: 2 | 3): StackPlan {
  const sizes = info.sizes;
  if (sizes.c % planesPerInput !== 0) throw invalidArgument(`${sizes.c} C planes cannot be grouped by ${planesPerInput}`);
  const scenes = pickIndices("scene", sizes.scene, filter?.scene);
  const { t: ts, modulo } = pickT(info, filter ?? {});
  const cs = pickIndices("c", sizes.c / planesPerInput, filter?.c);
  if (spatialDims === 3 && filter?.z) {
    throw invalidArgument("a 3-D model needs the whole Z stack; Z cannot be filtered", { where: "--plane z=" });
  }
  const zs = pickIndices("z", sizes.z, filter?.z);

  const sceneSize = (s: number) => info.scenes[s] ?? { width: info.width, height: info.height };
  const first = sceneSize(scenes[0]!);
  for (const s of scenes) {
    const sz = sceneSize(s);
    if (sz.width !== first.width || sz.height !== first.height) {
      throw unsupported(
        `scenes have different sizes (scene ${scenes[0]} is ${first.width}x${first.height}, scene ${s} is ${sz.width}x${sz.height})`,
        { where: "--plane scene=", allowed: "scenes of one size per run; pick one scene" },
      );
    }
  }

  const group = (scene: number, t: number, c: number, z: number): PlaneIndex[] =>
    Array.from({ length: planesPerInput }, (_, g) => ({ scene, t, c: c * planesPerInput + g, z }));
  const stacks: Stack[] = [];
  for (const [si, scene] of scenes.entries()) {
    for (const [ti, t] of ts.entries()) {
      for (const [ci, c] of cs.entries()) {
        if (spatialDims === 3) {
          stacks.push({
            outPlanes: zs.map((_, zi) => ({ scene: si, t: ti, c: ci, z: zi })),
            inputs: zs.map((z) => group(scene, t, c, z)),
          });
        } else {
          for (const [zi, z] of zs.entries())
            stacks.push({ outPlanes: [{ scene: si, t: ti, c: ci, z: zi }], inputs: [group(scene, t, c, z)] });
        }
      }
    }
  }
  const names = info.channelNames;
  const outChannelNames =
    names && names.length === sizes.c
      ? cs.map((c) => Array.from({ length: planesPerInput }, (_, g) => names[c * planesPerInput + g]).join("+"))
      : undefined;
  return {
    width: first.width,
    height: first.height,
    outSizes: { scene: scenes.length, t: ts.length, c: cs.length, z: zs.length },
    ...(modulo ? { outModulo: modulo } : {}),
    stacks,
    ...(outChannelNames ? { outChannelNames } : {}),
  };
}
