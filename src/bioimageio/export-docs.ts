/**
 * The words of an exported package: the rdf `description` (one paragraph, kept under the
 * 512 characters bioimage.io recommends) and `README.md` (the `documentation`): what the model
 * is, which ZEN model file it came from, how inputs must be fed (pixel type, ZEN's scaling,
 * colour order, tiling and halo), the classes or output channels, how the test tensors were
 * made and how to validate. Isomorphic.
 */
import { PIXEL_TYPE_MAX, type CiteEntry, type ExportPlan } from "./export-plan.js";
import type { TestInput, TestRun } from "./export-tensors.js";

export interface DocsContext {
  plan: ExportPlan;
  input: TestInput;
  run: TestRun;
  /** Whether weights.onnx has an RGB→BGR(A) swap prepended. */
  wrapped: boolean;
  timestamp: string;
  /** Tool that made the package, e.g. `czmodel 0.1.0`. */
  creator: string;
  inputId: string;
  outputId: string;
  /** Extra files in the package (the model file's licence entry). */
  attachments: string[];
}

const MAX_DESCRIPTION = 1024;

function colourWords(plan: ExportPlan): string {
  switch (plan.colour) {
    case "gray":
      return "grey";
    case "rgb":
      return "RGB";
    case "rgba":
      return "RGBA";
    default:
      return `${plan.inputChannels}-channel`;
  }
}

function scalingWords(plan: ExportPlan): string {
  return plan.gain === null
    ? "fed as raw values (the model file does not scale inputs)"
    : `scaled by 1/${PIXEL_TYPE_MAX[plan.pixelType]} as in ZEN`;
}

function list(names: string[], max: number): string {
  return names.length <= max ? names.join(", ") : `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

/** The rdf `description`. */
export function describeExport(ctx: DocsContext): string {
  const { plan } = ctx;
  const [h, w] = plan.tile;
  const parts = [
    `ZEISS ZEN ${plan.zenType} model "${plan.zenName}" (id ${plan.zenId}), exported from ${plan.fileName} by ${ctx.creator}.`,
    `Input: ${plan.pixelType} ${colourWords(plan)} tiles of ${w}x${h} pixels, ${scalingWords(plan)}.`,
    ...(ctx.wrapped ? ["ZEN feeds BGR; these weights take RGB (an RGB-to-BGR swap was put in front of the network)."] : []),
  ];
  const output = plan.classes
    ? `Output: per-class probabilities (${list(
        plan.classes.map((c) => c.name),
        6,
      )}).`
    : `Output: ${plan.outputChannels} channel(s) of predicted intensities (regression).`;
  parts.push(output);
  let text = parts.join(" ");
  if (text.length > MAX_DESCRIPTION) text = `${text.slice(0, MAX_DESCRIPTION - 1)}…`;
  return text;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\s+/g, " ");

function citeLine(c: CiteEntry): string {
  return `- ${c.text} (${c.doi ? `doi:${c.doi}` : c.url})`;
}

/** `README.md`. */
export function readmeFor(ctx: DocsContext): string {
  const { plan, input, run } = ctx;
  const [h, w] = plan.tile;
  const [by, bx] = plan.border;
  const max = PIXEL_TYPE_MAX[plan.pixelType];
  const lines: string[] = [];
  const p = (...l: string[]) => lines.push(...l, "");
  p(`# ${plan.name}`);
  p(describeExport(ctx));

  p("## Origin");
  p(
    [
      `- ZEN model: **${cell(plan.zenName)}**, id \`${plan.zenId}\`, type ${plan.zenType}`,
      `- Model file: \`${cell(plan.fileName)}\` (${plan.format === "czann" ? "CZANN: model.json + ONNX" : "legacy CZMODEL: XML + ONNX"})`,
      `- Packaged ${ctx.timestamp} by ${ctx.creator}; the ZEN metadata is kept under \`config.czmodel\` in rdf.yaml.`,
      `- Weights: \`weights.onnx\` is the model file's ONNX network${ctx.wrapped ? `, with an RGB→BGR${plan.colour === "rgba" ? "A" : ""} channel swap prepended (see Inputs)` : ", unchanged"}.`,
      ...ctx.attachments.map((a) => `- \`${a}\`: the licence file packed in the model file (an attachment).`),
    ].join("\n"),
  );

  p("## Inputs");
  const inputLines = [
    `- Tensor \`${ctx.inputId}\`, axes batch, y, x, channel (channels last, as ZEN runs the model); ${h} × ${w} pixels, ${plan.inputChannels} channel(s): ${plan.inputChannelNames.join(", ")}.`,
    `- Pixel type ${plan.pixelType}. ${
      plan.gain === null
        ? "ZEN feeds this model raw pixel values (the legacy model file does not ask for `ScaleInputsByBitdepth`), so the only pre-processing is the cast to float32."
        : `ZEN divides the pixel values by ${max} (the range of ${plan.pixelType}); the pre-processing states this as \`scale_linear\` with gain 1/${max}. Feed ${plan.pixelType} data, or scale other data to that range first.`
    }`,
  ];
  if (ctx.wrapped) {
    inputLines.push(
      `- Colour: ZEN feeds colour images to its models in BGR${plan.colour === "rgba" ? "A" : ""} order. This package takes R, G, B${plan.colour === "rgba" ? ", A" : ""} like every bioimage.io model: the swap to BGR${plan.colour === "rgba" ? "A" : ""} is the first operation inside \`weights.onnx\`.`,
    );
  }
  if (plan.engine.colorHandling === "convert-to-monochrome") {
    inputLines.push(
      "- ZEN converts colour images to grey (ColorHandling ConvertToMonochrome) and feeds the grey value to every colour channel; do the same.",
    );
  }
  inputLines.push(
    `- Tiling: ZEN runs tiles of exactly ${h} × ${w} pixels with a context border of ${by === bx ? by : `${by} (y) / ${bx} (x)`} pixels per side, which it crops from each output tile (${plan.format === "czann" ? "MinOverlap / 2" : "BorderSize"}). The output axes declare it as \`halo\` ${plan.halo[0] === plan.halo[1] ? plan.halo[0] : plan.halo.join(" / ")}${plan.halo[0] !== by || plan.halo[1] !== bx ? " (rounded up to an even number, as bioimage.io requires)" : ""}.`,
  );
  if (plan.pixelSizeUm)
    inputLines.push(
      `- Pixel size of the training data: ${plan.pixelSizeUm[1]} µm (x) × ${plan.pixelSizeUm[0]} µm (y), from the model's \`Scaling\`.`,
    );
  p(inputLines.join("\n"));

  p("## Outputs");
  if (plan.classes) {
    p(
      `Tensor \`${ctx.outputId}\`: one probability per class and pixel (softmax, in [0, 1]). ZEN's label image is the class with the highest probability, written as its label value.`,
    );
    p(
      [
        "| channel | class | ZEN label value | colour (R, G, B) |",
        "|---|---|---|---|",
        ...plan.classes.map((c, i) => `| \`${plan.outputChannelNames[i]}\` | ${cell(c.name)} | ${c.value} | ${c.color.join(", ")} |`),
      ].join("\n"),
    );
  } else {
    p(
      `Tensor \`${ctx.outputId}\`: ${plan.outputChannels} float32 channel(s) (${plan.outputChannelNames.join(", ")}), the model's regression output (e.g. a restored image) on the input's grid.`,
    );
  }

  p("## Validation");
  const o = input.origin;
  const from =
    o.kind === "image"
      ? `the centre of \`${cell(o.name)}\` (${o.imageWidth} × ${o.imageHeight} pixels; the region x ${o.x}–${o.x + o.width - 1}, y ${o.y}–${o.y + o.height - 1})`
      : "a synthetic image of Gaussian blobs (no test image was given)";
  p(
    [
      `\`test_input.npy\` is one ${h} × ${w} tile (${plan.pixelType}, shape [1, ${h}, ${w}, ${plan.inputChannels}]) from ${from}.`,
      `\`test_output.npy\` (float32, shape [1, ${h}, ${w}, ${plan.outputChannels}]) is what czmodel's prediction engine computed from it the way ZEN runs the model (${run.result.channelMapping}; ${run.result.inputScaling}; one tile).`,
      "`bioimageio test` reproduces it from the weights with the pre-processing above (default tolerance).",
      `For a quantitative check on your own data, compare the model's ${plan.classes ? "labels with annotated masks (e.g. IoU per class)" : "output with ground truth (e.g. PSNR, SSIM)"} on images like the ones it was trained on.`,
      ...input.notes.map((n) => `Note: ${n}.`),
    ].join(" "),
  );

  if (plan.license || plan.cite.length || plan.authors.length) {
    p("## Authors, licence and citation");
    const l: string[] = [];
    if (plan.authors.length) l.push(`- Authors: ${plan.authors.join(", ")}`);
    if (plan.license) l.push(`- Licence: ${plan.license}`);
    l.push(...plan.cite.map(citeLine));
    p(l.join("\n"));
  }
  return lines.join("\n");
}
