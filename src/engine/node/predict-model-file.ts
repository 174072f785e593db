/**
 * `predictFile` for a ZEN model file (.czann / .czmodel / .czseg): read the model, open the
 * image, create the output file(s) (temp beside the target, renamed at the end) and run the
 * Node engine; nothing is left behind on failure. Loaded on demand by `node-api.ts`, so
 * commands that do not predict do not load the engine and the image writers.
 */
import { removeStaleTempsOf } from "../../bytes/node/atomic.js";
import { refuseOutputClashes } from "../../bytes/node/same-file.js";
import { readModelFile } from "../../container/node/index.js";
import { invalidArgument } from "../../errors.js";
import { createImageFileSink } from "../../io/node/create-sink.js";
import { openImageFile } from "../../io/node/open-file.js";
import { openOptionsForPlanes } from "../../io/open.js";
import type { ImageSink } from "../../io/types.js";
import { engineModelFromFile } from "../from-model-file.js";
import { probabilitiesPath } from "../probabilities-path.js";
import type { SinkPair } from "../index.js";
import { predictNode } from "./index.js";
import type { FilePredictResult, PredictFileOptions } from "./predict-file-types.js";

export async function predictModelFile(
  modelPath: string,
  imagePath: string,
  outPath: string,
  options: PredictFileOptions,
): Promise<FilePredictResult> {
  const file = await readModelFile(modelPath);
  const { model, borderMissing, warnings: modelWarnings } = engineModelFromFile(file, modelPath);
  const warnings = [...modelWarnings];
  if (borderMissing && file.format === "czmodel" && options.border === undefined) {
    throw invalidArgument("the model file names no BorderSize", {
      where: modelPath,
      allowed: "give the border per tile side (--border N)",
    });
  }
  const { overwrite = false, probabilitiesOut, creator, openOptions, compression = "auto", pyramid = "auto", ...predictOptions } = options;
  if (!["auto", "deflate", "none"].includes(compression)) {
    throw invalidArgument(`compression '${compression}' is not known`, { where: "--compression", allowed: "auto, deflate, none" });
  }
  const compress = compression === "auto" ? "auto" : compression === "deflate";
  const both = options.output === "both" && model.kind === "segmentation";
  const files = both ? [outPath, probabilitiesOut ?? probabilitiesPath(outPath)] : [outPath];
  const named = files.map((path, i) => ({ what: i ? "the probabilities output" : "the output", path }));
  await refuseOutputClashes(named, [modelPath, imagePath]);
  warnings.push(...(await removeStaleTempsOf(files)));
  const source = await openImageFile(imagePath, openOptionsForPlanes(openOptions, predictOptions.planes));
  const sinks: ImageSink[] = [];
  try {
    for (const f of files)
      sinks.push(
        await createImageFileSink(f, {
          overwrite,
          compress,
          imageName: model.name,
          ...(creator ? { creator } : {}),
          pyramid,
        }),
      );
    const sink: ImageSink | SinkPair = both ? { labels: sinks[0]!, probabilities: sinks[1]! } : sinks[0]!;
    const result = await predictNode(model, source, sink, {
      ...predictOptions,
      output: model.kind === "segmentation" ? (options.output ?? "labels") : "labels",
    });
    return { ...result, files, warnings };
  } catch (e) {
    // predict aborts the sinks it was given; this also covers a failure before it started
    await Promise.all(sinks.map((s) => s.abort().catch(() => undefined)));
    throw e;
  } finally {
    await source.close();
  }
}
