/**
 * The closed value sets of the model metadata: CZANN model types, legacy pixel types and
 * colour handlings (docs/formats.md#pixel-types-and-colour-handling, docs/formats.md#model-types). Pure data, isomorphic.
 */

/** CZANN `Type` values, in czmodel's enum order. */
export const MODEL_TYPES = [
  "SingleClassInstanceSegmentation",
  "MultiClassInstanceSegmentation",
  "SingleClassSemanticSegmentation",
  "MultiClassSemanticSegmentation",
  "SingleClassClassification",
  "MultiClassClassification",
  "ObjectDetection",
  "Regression",
] as const;

export type ModelType = (typeof MODEL_TYPES)[number];

/** The four segmentation types: their `Classes` must match the output channels. */
export const SEGMENTATION_MODEL_TYPES: readonly ModelType[] = [
  "SingleClassInstanceSegmentation",
  "MultiClassInstanceSegmentation",
  "SingleClassSemanticSegmentation",
  "MultiClassSemanticSegmentation",
];

export function isSegmentationType(type: ModelType): boolean {
  return SEGMENTATION_MODEL_TYPES.includes(type);
}

/** Legacy `Channels/Item@PixelType` values. */
export const PIXEL_TYPES = [
  "Gray8",
  "Gray16",
  "Gray32Float",
  "Bgr24",
  "Bgr48",
  "Bgr96Float",
  "Bgra32",
  "Gray64ComplexFloat",
  "Bgr192ComplexFloat",
] as const;

export type PixelType = (typeof PIXEL_TYPES)[number];

export interface PixelTypeInfo {
  /** Samples (colour components) per pixel: 1 grey, 3 BGR, 4 BGRA. */
  samples: number;
  /** Type of one sample; complex types hold 2 × float32 (re, im) per sample. */
  sampleType: "uint8" | "uint16" | "float32";
  /** True for the complex types (each sample is a (re, im) pair). */
  complex: boolean;
  /** Bytes of one sample (a complex sample counts both parts). */
  bytesPerSample: number;
  /** Bytes of one pixel = samples × bytesPerSample. */
  bytesPerPixel: number;
  /** Order of the samples inside a pixel. */
  order: "gray" | "bgr" | "bgra";
}

export const PIXEL_TYPE_INFO: Readonly<Record<PixelType, PixelTypeInfo>> = {
  Gray8: { samples: 1, sampleType: "uint8", complex: false, bytesPerSample: 1, bytesPerPixel: 1, order: "gray" },
  Gray16: { samples: 1, sampleType: "uint16", complex: false, bytesPerSample: 2, bytesPerPixel: 2, order: "gray" },
  Gray32Float: { samples: 1, sampleType: "float32", complex: false, bytesPerSample: 4, bytesPerPixel: 4, order: "gray" },
  Bgr24: { samples: 3, sampleType: "uint8", complex: false, bytesPerSample: 1, bytesPerPixel: 3, order: "bgr" },
  Bgr48: { samples: 3, sampleType: "uint16", complex: false, bytesPerSample: 2, bytesPerPixel: 6, order: "bgr" },
  Bgr96Float: { samples: 3, sampleType: "float32", complex: false, bytesPerSample: 4, bytesPerPixel: 12, order: "bgr" },
  Bgra32: { samples: 4, sampleType: "uint8", complex: false, bytesPerSample: 1, bytesPerPixel: 4, order: "bgra" },
  Gray64ComplexFloat: { samples: 1, sampleType: "float32", complex: true, bytesPerSample: 8, bytesPerPixel: 8, order: "gray" },
  Bgr192ComplexFloat: { samples: 3, sampleType: "float32", complex: true, bytesPerSample: 8, bytesPerPixel: 24, order: "bgr" },
};

/** Legacy `ColorHandling` values. */
export const COLOR_HANDLINGS = ["ConvertToMonochrome", "SplitRgb"] as const;

export type ColorHandling = (typeof COLOR_HANDLINGS)[number];

/** `one of A, B, C` — the `allowed` text for a closed set. */
/** True for one of ZEN's pixel type names. */
export function isPixelType(value: unknown): value is PixelType {
  return typeof value === "string" && (PIXEL_TYPES as readonly string[]).includes(value);
}

export function describeChoices(values: readonly string[]): string {
  return `one of ${values.join(", ")}`;
}
