/**
 * Length units of image metadata (OME-XML `PhysicalSizeXUnit`, NGFF axis `unit`, ImageJ `unit=`)
 * converted to metres, the unit of `PhysicalSize`. Isomorphic.
 */

const METRES_PER_UNIT: Record<string, number> = {
  // OME-XML UnitsLength symbols
  Ym: 1e24,
  Zm: 1e21,
  Em: 1e18,
  Pm: 1e15,
  Tm: 1e12,
  Gm: 1e9,
  Mm: 1e6,
  km: 1e3,
  hm: 1e2,
  dam: 1e1,
  m: 1,
  dm: 1e-1,
  cm: 1e-2,
  mm: 1e-3,
  µm: 1e-6,
  μm: 1e-6,
  um: 1e-6,
  nm: 1e-9,
  pm: 1e-12,
  fm: 1e-15,
  am: 1e-18,
  zm: 1e-21,
  ym: 1e-24,
  Å: 1e-10,
  in: 0.0254,
  ft: 0.3048,
  // NGFF (UDUNITS-2 names) and ImageJ spellings
  yottameter: 1e24,
  zettameter: 1e21,
  exameter: 1e18,
  petameter: 1e15,
  terameter: 1e12,
  gigameter: 1e9,
  megameter: 1e6,
  kilometer: 1e3,
  hectometer: 1e2,
  decameter: 1e1,
  meter: 1,
  decimeter: 1e-1,
  centimeter: 1e-2,
  millimeter: 1e-3,
  micrometer: 1e-6,
  nanometer: 1e-9,
  picometer: 1e-12,
  femtometer: 1e-15,
  attometer: 1e-18,
  zeptometer: 1e-21,
  yoctometer: 1e-24,
  angstrom: 1e-10,
  inch: 0.0254,
  foot: 0.3048,
  micron: 1e-6,
  microns: 1e-6,
};

/** Metres per `unit`, or `undefined` for an unknown or non-length unit (pixel, reference frame …). */
function metresPerUnit(unit: string): number | undefined {
  const key = unit.trim();
  return METRES_PER_UNIT[key] ?? METRES_PER_UNIT[key.toLowerCase()];
}

/** `value` in `unit` as metres; `undefined` when the value is not a positive finite number or the unit is unknown. */
export function toMetres(value: number, unit: string): number | undefined {
  const factor = metresPerUnit(unit);
  if (factor === undefined || !Number.isFinite(value) || value <= 0) return undefined;
  return roundSignificant(value * factor);
}

/** Round to 12 significant digits so that e.g. 0.25 µm is exactly `2.5e-7`, not `2.4999999999999998e-7`. */
export function roundSignificant(x: number, digits = 12): number {
  return Number(x.toPrecision(digits));
}
