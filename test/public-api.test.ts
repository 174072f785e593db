/**
 * The public API, pinned: the runtime names each entry exports. A change here is a change to
 * what users of the package can import, so it should be deliberate (and at most 80 names each).
 */
import { describe, expect, it } from "vitest";
import * as browser from "../src/browser.js";
import * as node from "../src/index.js";

const BROWSER = [
  "BlobByteSource",
  "COLOR_HANDLINGS",
  "CzmodelError",
  "DEFAULT_TARGET",
  "IdTrace",
  "LegacyModelMetadata",
  "MODEL_TYPES",
  "MemoryByteSource",
  "MemoryImageSink",
  "MemoryImageSource",
  "ModelMetadata",
  "OPERATIONS",
  "ObjectLabeler",
  "PIXEL_TYPES",
  "SEGMENTATION_MODEL_TYPES",
  "SUPPORTED_INPUTS",
  "TARGETS",
  "adaptModel",
  "buildCzann",
  "buildLegacy",
  "checkSpatialInvariance",
  "checkTestTensors",
  "classColors",
  "czannToLegacy",
  "describeError",
  "describeModelFile",
  "detectFormat",
  "engineModelFromFile",
  "exportBioimageio",
  "findImageStatistics",
  "formatBytes",
  "importPackage",
  "isCzmodelError",
  "legacyToCzann",
  "loadPackage",
  "objectsFromImage",
  "openImageSource",
  "outputFileName",
  "packModel",
  "parseConversionSpec",
  "parseOpList",
  "planPrediction",
  "predict",
  "predictPackage",
  "readModelFileBytes",
  "readModelFromSource",
  "readNpy",
  "renderOverlay",
  "summarizeOnnx",
  "summarizeSavedModel",
  "summarizeZippedSavedModel",
  "validateModel",
  "writeInstances",
  "writeNpy",
  "zipPackage",
];

/** What the Node entry adds to the browser entry: the functions on files. */
const NODE_ONLY = [
  "FileByteSource",
  "checkSpatialInvarianceNode",
  "convertFromJsonSpec",
  "convertFromModelSpec",
  "createImageFileSink",
  "exportBioimageioFile",
  "nodeRun",
  "nodeRuntime",
  "objectsFile",
  "openImageFile",
  "openPackage",
  "predictFile",
  "predictNode",
  "predictPackageFile",
  "readModelFile",
  "unpackModel",
  "validateFile",
  "writeFileAtomic",
  "zipSavedModelFolder",
];

describe("public API", () => {
  it("czmodel/browser exports exactly the pinned names", () => {
    expect(Object.keys(browser).sort()).toEqual(BROWSER);
    expect(BROWSER.length).toBeLessThanOrEqual(80);
  });

  it("czmodel exports the browser names plus the pinned file functions", () => {
    expect(Object.keys(node).sort()).toEqual([...BROWSER, ...NODE_ONLY].sort());
    expect(BROWSER.length + NODE_ONLY.length).toBeLessThanOrEqual(80);
  });

  it("gives every shared name the same value in both entries", () => {
    for (const name of BROWSER) expect((node as Record<string, unknown>)[name], name).toBe((browser as Record<string, unknown>)[name]);
  });
});
