/**
 * What the objects layer takes and gives: the options of a labelling pass (`ObjectOptions`) and
 * one measured object (`MeasuredObject`), the row of the objects table. Isomorphic.
 */

type Connectivity = 4 | 8;

export interface ObjectOptions {
  /** 8 (default): pixels touching at a corner are one object; 4: only edge neighbours. */
  connectivity?: Connectivity;
  /** Label values that form objects; default every value but 0 (the background). */
  classes?: readonly number[];
  /** Drop objects with fewer pixels (before ids are given). */
  minArea?: number;
  /** Drop objects with more pixels (before ids are given). */
  maxArea?: number;
  /** Drop objects that touch the image edge (before ids are given). */
  excludeBorder?: boolean;
  /** Pixel size in µm (x, y) for `area_um2`; omitted when unknown. */
  pixelSizeUm?: { x: number; y: number };
  /** Keep each object's pixel runs and trace its outline (`MeasuredObject.outline`). */
  outlines?: boolean;
  /**
   * Fill each object's holes before it is measured and filtered (`binary_fill_holes` on its mask).
   * Intensity and confidence then need the hole pixels' values: `objectsFromImage` reads them;
   * `ObjectLabeler` alone reports the holes in `MeasuredObject.filledHoles` and measures only
   * the object's own pixels there.
   */
  fillHoles?: boolean;
}

/** Mean, extremes and population standard deviation of one intensity channel over an object. */
interface IntensityStats {
  mean: number;
  min: number;
  max: number;
  std: number;
}

/** One ring of an outline: [x, y] pixel-corner coordinates, first point repeated last. */
export type Ring = [number, number][];

/** Outline polygons of an object: each is an outer ring followed by its holes. */
export type Outline = Ring[][];

export interface MeasuredObject {
  /** Label value of the object's pixels. */
  class: number;
  /** 1..N in raster order of each object's first pixel, over all classes. */
  id: number;
  areaPx: number;
  areaUm2?: number;
  /** Mean row and column index of the pixels. */
  centroidY: number;
  centroidX: number;
  bboxY: number;
  bboxX: number;
  bboxHeight: number;
  bboxWidth: number;
  /** One entry per intensity channel (empty without an intensity image). */
  intensity: IntensityStats[];
  perimeter: number;
  equivalentDiameter: number;
  eccentricity: number;
  solidity: number;
  /** Mean probability of the object's class over its pixels, when probabilities were given. */
  confidence?: number;
  outline?: Outline;
  /** With `fillHoles`: the filled hole pixels as (y, x0, x1) triples and their count. */
  filledHoles?: { runs: number[]; count: number };
}
