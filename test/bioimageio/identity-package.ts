/**
 * Test helper: a bioimage.io package (format 0.5.4) around an identity network, written into a
 * folder, so that `predict PACKAGE` outputs exactly what the package's processing steps make of
 * the image: any difference from numpy's bioimage.io arithmetic is ours. Input axes batch,
 * channel, y, x (valid sizes 64 + n·16, channels-first like a PyTorch export), output of the
 * input's size with a halo of 8; steps are given as YAML flow mappings.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TensorProto_DataType as DT } from "onnx-buf";
import { identityModel } from "../onnx/helpers.js";

export interface IdentityPackageOptions {
  channels: number;
  /** Input preprocessing steps, one YAML flow mapping each, e.g. `{id: sigmoid}`. */
  pre?: string[];
  post?: string[];
  /** Leave the ONNX weights out of the description. */
  noOnnx?: boolean;
}

export async function identityPackage(dir: string, o: IdentityPackageOptions): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "weights.onnx"), identityModel(17, DT.FLOAT, [1, o.channels, "h", "w"]));
  const names = (p: string) => `[${Array.from({ length: o.channels }, (_, i) => `${p}${i}`).join(", ")}]`;
  const steps = (s: string[] | undefined) => (s?.length ? `\n${s.map((x) => `      - ${x}`).join("\n")}` : " []");
  const rdf = `format_version: 0.5.4
type: model
name: Identity ${o.channels}
description: an identity network for tests
license: MIT
authors: [{name: czmodel tests}]
cite: [{text: none, url: "https://example.com/"}]
inputs:
  - id: raw
    axes:
      - {type: batch}
      - {type: channel, channel_names: ${names("in")}}
      - {id: y, type: space, size: {min: 64, step: 16}}
      - {id: x, type: space, size: {min: 64, step: 16}}
    preprocessing:${steps(o.pre)}
outputs:
  - id: same
    axes:
      - {type: batch}
      - {type: channel, channel_names: ${names("out")}}
      - {id: y, type: space, halo: 8, size: {tensor_id: raw, axis_id: y}}
      - {id: x, type: space, halo: 8, size: {tensor_id: raw, axis_id: x}}
    postprocessing:${steps(o.post)}
weights:
${o.noOnnx ? "  torchscript: {source: weights.pt}" : "  onnx: {source: weights.onnx, opset_version: 17}"}
`;
  await writeFile(join(dir, "rdf.yaml"), rdf);
  return dir;
}
