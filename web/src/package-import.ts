/**
 * The bioimage.io part of the Pack flow: recognise a dropped `.zip` (the worker's
 * `zipPackage` then finds its rdf.yaml / bioimageio.yaml, in one top folder or none), and show
 * what `importPackage` chose and found: tile, pixel type and input scaling, the pre-/post-
 * processing ops put into the graph, the graph edits, the test-tensor check (verdict, max
 * |Δ|, mismatched elements against the package's tolerance, label flips) and the warnings.
 * The form itself is filled by `pack-view.ts` from the imported file's metadata.
 */
import { factTable, h } from "./dom.js";
import type { ImportSummary } from "./protocol.js";

/** A zip file by its first bytes (local file header, or the end record of an empty zip). */
export async function isZip(file: Blob): Promise<boolean> {
  const b = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  return b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));
}

function opList(ops: string[], id: string): HTMLElement {
  if (ops.length === 0) return h("span", { id }, "none");
  return h("ol", { class: "ops", id }, ...ops.map((o) => h("li", {}, h("code", {}, o))));
}

/** The test-tensor verdict and its numbers. */
function testSection(s: ImportSummary): HTMLElement[] {
  const t = s.test;
  if (!t) {
    return [
      h(
        "p",
        { class: "verdict warning", id: "pack-import-test" },
        "Test tensors: none in the package, so the imported model was not checked.",
      ),
    ];
  }
  const tol = t.tolerance;
  return [
    h(
      "p",
      { class: `verdict ${t.passed ? "ok" : "error"}`, id: "pack-import-test" },
      t.passed ? "Test tensors: passed" : "Test tensors: failed",
      ` — the file, run as ZEN runs it on the package's test input, ${t.passed ? "reproduces" : "does not reproduce"} the package's test output.`,
    ),
    factTable(
      [
        ["Max |Δ|", h("span", { id: "pack-import-maxdiff" }, t.maxAbsDiff.toExponential(2))],
        [
          "Mismatched elements",
          h(
            "span",
            { id: "pack-import-mismatched" },
            `${t.mismatched} of ${t.elements} (${t.mismatchedPerMillion.toFixed(1)} per million; allowed ${tol.mismatchedPerMillion} per million outside ${tol.absolute} + ${tol.relative}·|expected|)`,
          ),
        ],
        ...(t.labelFlips !== undefined
          ? ([["Label flips", h("span", { id: "pack-import-flips" }, `${t.labelFlips} of ${t.pixels} pixels`)]] as [string, HTMLElement][])
          : []),
      ],
      "Test-tensor check",
    ),
  ];
}

/** What the import chose and found, for a package read from `fileName`. */
export function importPanel(s: ImportSummary, fileName: string): HTMLElement {
  const p = s.plan;
  return h(
    "section",
    { class: "import", "aria-labelledby": "pack-import-title" },
    h("h3", { id: "pack-import-title" }, `Imported from bioimage.io: ${s.package.name}`),
    factTable(
      [
        ["Package", `${fileName} (${s.package.rdfName}, format ${s.package.formatVersion})`],
        ["Tile", h("span", { id: "pack-import-tile" }, p.tile.join(" × "))],
        ["Pixel type", h("span", { id: "pack-import-pixel-type" }, p.pixelType)],
        [
          "Input scaling",
          p.inputRange === 1 ? "none: ZEN feeds raw values" : `ZEN divides inputs by ${p.inputRange}; the model multiplies them back first`,
        ],
        ["Pre-processing ops", opList(p.preprocessing, "pack-import-pre")],
        ["Post-processing ops", opList(p.postprocessing, "pack-import-post")],
      ],
      "Mapping to ZEN",
    ),
    ...testSection(s),
    s.warnings.length
      ? h(
          "ul",
          { class: "messages", id: "pack-import-warnings" },
          ...s.warnings.map((w) => h("li", { class: "warning" }, h("strong", {}, "warning: "), w)),
        )
      : null,
    h(
      "details",
      { class: "hint" },
      h("summary", {}, "How the package was mapped"),
      h("ul", {}, ...p.notes.map((n) => h("li", {}, n)), ...s.steps.map((e) => h("li", {}, `graph edit: ${e}`))),
    ),
  );
}
