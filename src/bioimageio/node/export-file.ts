/**
 * Node: `exportBioimageioFile(model, out.zip, options)` reads a ZEN model file, opens the
 * test image (any format `openImageFile` reads), builds the bioimage.io package with
 * onnxruntime-node and writes it to a hidden temp file beside `out.zip` that is renamed at
 * the end. The output is claimed before any work, so a missing or unwritable folder fails
 * at once, and a failure or Ctrl-C leaves nothing behind. Node only.
 */
import { basename } from "node:path";
import { readModelFile } from "../../container/node/index.js";
import { nodeRuntime, nodeSessionOptions } from "../../engine/node/index.js";
import { invalidArgument } from "../../errors.js";
import { FileByteTarget } from "../../io/node/file-byte-target.js";
import { openImageFile } from "../../io/node/open-file.js";
import type { OpenImageOptions } from "../../io/open.js";
import type { ImageSource } from "../../io/types.js";
import { checkDescriptiveOptions } from "../export-plan.js";
import { exportBioimageio, type BioimageioExport, type ExportOptions } from "../export.js";

export interface ExportFileOptions extends Omit<ExportOptions, "runtime" | "testImage" | "sessionOptions"> {
  /** Image file the test tile is cut from (default: synthetic blobs). */
  testImage?: string;
  openOptions?: OpenImageOptions;
  /** Replace an existing output (default false). */
  overwrite?: boolean;
  /** onnxruntime intra-op threads. */
  threads?: number;
}

export interface ExportFileResult extends Omit<BioimageioExport, "zip"> {
  /** The package written. */
  path: string;
  bytes: number;
}

/** Check the output names a file, not a folder. */
function checkOutPath(out: string): void {
  if (/[\\/]$/.test(out) || ["", ".", ".."].includes(basename(out))) {
    throw invalidArgument(`"${out}" names a folder, not a file`, { where: "OUT", allowed: "a file path such as out/model.bioimageio.zip" });
  }
}

export async function exportBioimageioFile(modelPath: string, outPath: string, options: ExportFileOptions = {}): Promise<ExportFileResult> {
  checkOutPath(outPath);
  checkDescriptiveOptions(options);
  const { testImage, openOptions, overwrite = false, threads, ...rest } = options;
  const target = await FileByteTarget.create(outPath, { overwrite });
  let source: ImageSource | undefined;
  try {
    const file = await readModelFile(modelPath);
    if (testImage) source = await openImageFile(testImage, openOptions);
    const result = await exportBioimageio(file, {
      ...rest,
      runtime: nodeRuntime,
      sessionOptions: nodeSessionOptions(threads),
      ...(source && testImage ? { testImage: { source, name: basename(testImage), path: testImage } } : {}),
    });
    await target.write(0, result.zip);
    options.signal?.throwIfAborted();
    await target.commit();
    const { zip, ...summary } = result;
    return { ...summary, path: outPath, bytes: zip.length };
  } catch (e) {
    await target.abort();
    throw e;
  } finally {
    await source?.close();
  }
}
