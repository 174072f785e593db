/**
 * How the subblocks of a CZI form an image: plane axes (S → scene, T → t, C → c, Z → z,
 * each offset so the smallest index in the file is 0), other dimensions (B, H, V, R, I …
 * must have one value, or are reduced to their first value when asked, or — B, H, V, R, I
 * when asked — folded into t, T slowest: see `io/extra-dimensions.ts`), pyramid levels
 * (level 0 = subblocks stored at full size; others grouped by their minification factor),
 * scene bounding boxes (of level 0, in raw subblock coordinates) and, per plane and level,
 * a spatial index of the subblocks in drawing order.
 */
import { invalidImage, unsupported } from "../../errors.js";
import { EXTRA_DIMENSIONS } from "../extra-dimensions.js";
import type { ExtraDimension, FoldedDimension, PlaneIndex, PlaneSizes } from "../types.js";
import type { SubblockEntry } from "./directory.js";
import { TileIndex, type RawRect } from "./tile-index.js";

export interface CziPyramidLevel {
  level: number;
  /** Logical pixels per stored pixel (1 for level 0; typically 2, 4 … or 3, 9 …). */
  downsample: number;
  subblocks: number;
}

export interface CziSceneLayout {
  /** The scene's S index in the file (undefined when the file has no S dimension). */
  cziIndex: number | undefined;
  name?: string;
  /** Bounding box of the scene's level-0 subblocks, raw subblock coordinates. */
  bounds: RawRect;
  /** Number of level-0 subblocks of the scene (all planes). */
  subblocks: number;
}

export interface DimensionRange {
  start: number;
  size: number;
}

export interface LayoutOptions {
  /** What to do with a dimension other than X, Y, S, T, C, Z, M that has several values. */
  otherDimensions: "error" | "first";
  /** Extra dimensions read as planes, folded into t (every index kept). */
  planeDimensions?: readonly ExtraDimension[];
  /** Scene names by CZI scene index, from the metadata. */
  sceneNames?: Map<number, string>;
}

const PLANE_AXES = ["T", "C", "Z"] as const;
const SPECIAL = new Set(["X", "Y", "M", "S", "T", "C", "Z"]);
/** More indices than this along T, C or Z is taken as a corrupt file. */
const MAX_AXIS_SIZE = 1_000_000;

export class CziLayout {
  readonly sizes: PlaneSizes;
  /** CZI index of plane index 0 along T, C, Z. */
  readonly starts: { t: number; c: number; z: number };
  readonly scenes: CziSceneLayout[];
  readonly levels: CziPyramidLevel[];
  /** Top-left of the bounding box of all level-0 subblocks (raw coordinates). */
  readonly origin: { x: number; y: number };
  /** Range of every dimension letter over the subblocks used (X/Y: the overall bounding box). */
  readonly dimensions: Record<string, DimensionRange>;
  /** Extra dimensions folded into t, in folding order (T slowest, the last fastest). */
  readonly foldedIntoT: FoldedDimension[];
  /** Size (highest − lowest index + 1) over the whole file of each dimension other than S/T/C/Z/M/X/Y with several indices. */
  readonly otherDimensionSizes: Record<string, number> = {};
  /** The subblocks that make up the image (after reducing other dimensions). */
  readonly used: SubblockEntry[];
  readonly warnings: string[] = [];
  /** Subblock index → pyramid level. */
  private readonly levelOf = new Map<number, number>();
  private readonly planes = new Map<string, SubblockEntry[]>();
  private readonly indexes = new Map<string, TileIndex>();

  constructor(entries: SubblockEntry[], where: string, options: LayoutOptions) {
    const looped = EXTRA_DIMENSIONS.filter((d) => options.planeDimensions?.includes(d)).map((d) => d.toUpperCase());
    this.used = this.reduceOtherDimensions(entries, where, options.otherDimensions, new Set(looped));
    this.levels = this.findLevels(this.used);

    const sceneIds = [...new Set(this.used.map((e) => e.coords.S ?? 0))].sort((a, b) => a - b);
    const hasS = this.used.some((e) => e.coords.S !== undefined);
    const starts = { t: 0, c: 0, z: 0 };
    const sizes: PlaneSizes = { scene: sceneIds.length, t: 1, c: 1, z: 1 };
    for (const axis of PLANE_AXES) {
      const [lo, hi] = range(this.used.map((e) => e.coords[axis] ?? 0));
      const size = hi - lo + 1;
      if (size > MAX_AXIS_SIZE) {
        throw invalidImage(`dimension ${axis} spans ${size} indices (${lo}..${lo + size - 1}); that is not a plausible image`, {
          where,
          allowed: `at most ${MAX_AXIS_SIZE}`,
        });
      }
      const key = axis.toLowerCase() as "t" | "c" | "z";
      starts[key] = lo;
      sizes[key] = size;
    }
    const folds = looped.map((letter) => {
      const [lo, hi] = range(this.used.map((e) => e.coords[letter] ?? 0));
      return { letter, lo, size: hi - lo + 1 };
    });
    sizes.t *= folds.reduce((n, f) => n * f.size, 1);
    if (sizes.t > MAX_AXIS_SIZE) {
      throw invalidImage(`T and ${looped.join(", ")} together span ${sizes.t} planes; that is not a plausible image`, {
        where,
        allowed: `at most ${MAX_AXIS_SIZE}`,
      });
    }
    this.foldedIntoT = folds.map((f) => ({ name: f.letter.toLowerCase() as ExtraDimension, size: f.size }));
    this.sizes = sizes;
    this.starts = starts;
    const foldedT = (e: SubblockEntry) =>
      folds.reduce((t, f) => t * f.size + (e.coords[f.letter] ?? 0) - f.lo, (e.coords.T ?? 0) - starts.t);

    const level0 = this.used.filter((e) => this.levelOf.get(e.index) === 0);
    this.scenes = sceneIds.map((s) => {
      const inScene = (e: SubblockEntry) => (e.coords.S ?? 0) === s;
      const tiles = level0.filter(inScene);
      const name = hasS ? options.sceneNames?.get(s) : undefined;
      return {
        cziIndex: hasS ? s : undefined,
        ...(name ? { name } : {}),
        bounds: boundingBox(tiles.length > 0 ? tiles : this.used.filter(inScene)),
        subblocks: tiles.length,
      };
    });
    const all = boundingBox(level0.length > 0 ? level0 : this.used);
    this.origin = { x: all.x, y: all.y };

    const sceneOrdinal = new Map(sceneIds.map((s, i) => [s, i]));
    for (const e of this.used) {
      const key = this.key(
        sceneOrdinal.get(e.coords.S ?? 0)!,
        foldedT(e),
        (e.coords.C ?? 0) - starts.c,
        (e.coords.Z ?? 0) - starts.z,
        this.levelOf.get(e.index)!,
      );
      const list = this.planes.get(key);
      if (list) list.push(e);
      else this.planes.set(key, [e]);
    }

    this.dimensions = { X: { start: all.x, size: all.width }, Y: { start: all.y, size: all.height } };
    const letters = new Set(this.used.flatMap((e) => e.dimensions.map((d) => d.dimension)));
    for (const letter of letters) {
      if (letter === "X" || letter === "Y") continue;
      const [lo, hi] = range(this.used.map((e) => (letter === "M" ? e.m : e.coords[letter]) ?? 0));
      this.dimensions[letter] = { start: lo, size: hi - lo + 1 };
    }
    if (hasS) this.dimensions.S = { start: sceneIds[0]!, size: sceneIds.length };

    const expected = sizes.scene * sizes.t * sizes.c * sizes.z;
    const present = [...this.planes.keys()].filter((k) => k.endsWith("|0")).length;
    if (present < expected) {
      this.warnings.push(`${expected - present} of ${expected} planes have no level-0 subblocks; they read as 0`);
    }
  }

  /** Pyramid level of a subblock (undefined when the subblock is not used). */
  levelOfSubblock(index: number): number | undefined {
    return this.levelOf.get(index);
  }

  /** The spatial index of one plane at one level (undefined when it has no subblocks). */
  tiles(plane: PlaneIndex, level: number): TileIndex | undefined {
    const key = this.key(plane.scene, plane.t, plane.c, plane.z, level);
    let index = this.indexes.get(key);
    if (!index) {
      const entries = this.planes.get(key);
      if (!entries) return undefined;
      index = new TileIndex(entries);
      this.indexes.set(key, index);
    }
    return index;
  }

  /** Size of a scene at a pyramid level (level-0 size divided by the downsample, rounded up). */
  levelSize(scene: number, level: number): { width: number; height: number } {
    const b = this.scenes[scene]!.bounds;
    const ds = this.levels[level]!.downsample;
    return { width: Math.max(1, Math.ceil(b.width / ds - 1e-9)), height: Math.max(1, Math.ceil(b.height / ds - 1e-9)) };
  }

  /** Key of a plane (0-based plane indices, t folded) at a level. */
  private key(scene: number, t: number, c: number, z: number, level: number): string {
    return `${scene}|${t}|${c}|${z}|${level}`;
  }

  private reduceOtherDimensions(entries: SubblockEntry[], where: string, mode: "error" | "first", looped: Set<string>): SubblockEntry[] {
    const letters = new Set(entries.flatMap((e) => e.dimensions.map((d) => d.dimension)).filter((d) => !SPECIAL.has(d) && !looped.has(d)));
    for (const letter of new Set(entries.flatMap((e) => e.dimensions.map((d) => d.dimension)))) {
      if (SPECIAL.has(letter)) continue;
      const [lo, hi] = range(entries.map((e) => e.coords[letter] ?? 0));
      if (hi > lo) this.otherDimensionSizes[letter] = hi - lo + 1;
    }
    let kept = entries;
    for (const letter of [...letters].sort()) {
      const values = [...new Set(kept.map((e) => e.coords[letter] ?? 0))].sort((a, b) => a - b);
      if (values.length <= 1) continue;
      const size = values[values.length - 1]! - values[0]! + 1;
      if (mode === "error") {
        const lower = letter.toLowerCase();
        const loop = (EXTRA_DIMENSIONS as readonly string[]).includes(lower)
          ? `to predict every ${letter} index, use --plane ${lower}=0-${size - 1}; `
          : "";
        throw unsupported(`unsupported dimension ${letter} with size ${size} (indices ${values[0]}..${values[values.length - 1]})`, {
          where,
          allowed: `a single ${letter} index; ${loop}to read only ${letter}=${values[0]}, use --czi-other-dimensions first (API: otherDimensions: "first")`,
        });
      }
      kept = kept.filter((e) => (e.coords[letter] ?? 0) === values[0]);
      this.warnings.push(`dimension ${letter} has size ${size}: only ${letter}=${values[0]} is read`);
    }
    return kept;
  }

  private findLevels(entries: SubblockEntry[]): CziPyramidLevel[] {
    // Group minification factors (logical / stored size) within 15 % of each other.
    const ratio = (e: SubblockEntry) => Math.max(e.width / e.storedWidth, e.height / e.storedHeight);
    const pyramid = entries.filter((e) => e.width !== e.storedWidth || e.height !== e.storedHeight);
    const ratios = [...new Set(pyramid.map(ratio))].sort((a, b) => a - b);
    const groups: number[] = [];
    for (const r of ratios) if (groups.length === 0 || r > groups[groups.length - 1]! * 1.15) groups.push(r);
    const levels: CziPyramidLevel[] = [{ level: 0, downsample: 1, subblocks: 0 }];
    for (const g of groups) {
      const nice = Math.abs(g - Math.round(g)) <= 0.05 * g ? Math.round(g) : Math.round(g * 100) / 100;
      levels.push({ level: levels.length, downsample: nice, subblocks: 0 });
    }
    for (const e of entries) {
      let level = 0;
      if (e.width !== e.storedWidth || e.height !== e.storedHeight) {
        const r = ratio(e);
        level = groups.findLastIndex((g) => r >= g) + 1;
      }
      this.levelOf.set(e.index, level);
      levels[level]!.subblocks++;
    }
    return levels;
  }
}

function range(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function boundingBox(entries: SubblockEntry[]): RawRect {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const e of entries) {
    x0 = Math.min(x0, e.x);
    y0 = Math.min(y0, e.y);
    x1 = Math.max(x1, e.x + e.width);
    y1 = Math.max(y1, e.y + e.height);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
