import { describe, expect, it } from "vitest";
import { CzmodelError } from "../../src/errors.js";
import { decodeModel, encodeModel } from "../../src/onnx/model-io.js";
import { onnxFixture, realModel, REAL_MODELS } from "./helpers.js";

describe("decodeModel / encodeModel", () => {
  it.each(REAL_MODELS)("round-trips %s byte for byte", (file) => {
    const bytes = realModel(file);
    const model = decodeModel(bytes);
    expect(Buffer.from(encodeModel(model)).equals(Buffer.from(bytes))).toBe(true);
  });

  it.each(["unet_nchw.onnx", "not_invariant.onnx", "two_inputs.onnx"])("round-trips fixture %s", (name) => {
    const bytes = onnxFixture(name);
    expect(Buffer.from(encodeModel(decodeModel(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });

  it("keeps fields the schema does not know (appended field 99)", () => {
    const bytes = realModel("simple_nuclei_segmodel.czann");
    // field 99, wire type 2, 3 bytes "abc"
    const extra = new Uint8Array([0x9a, 0x06, 0x03, 0x61, 0x62, 0x63]);
    const withUnknown = new Uint8Array(bytes.length + extra.length);
    withUnknown.set(bytes);
    withUnknown.set(extra, bytes.length);
    const model = decodeModel(withUnknown);
    model.producerName = "edited";
    const again = encodeModel(model);
    expect(Buffer.from(again.subarray(again.length - extra.length)).equals(Buffer.from(extra))).toBe(true);
    expect(decodeModel(again).producerName).toBe("edited");
  });

  it("rejects a zipped SavedModel, a pickle, an empty payload and random text with INVALID_MODEL", () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0]), /ZIP archive.*tf2onnx/],
      [new Uint8Array([0x80, 0x04, 0x95, 0]), /Python pickle/],
      [new Uint8Array(0), /empty/],
      [new TextEncoder().encode("hello, this is not a model"), /not an ONNX model/],
    ];
    for (const [bytes, re] of cases) {
      let err: unknown;
      try {
        decodeModel(bytes, "x.czann: model.model");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CzmodelError);
      expect((err as CzmodelError).code).toBe("INVALID_MODEL");
      expect((err as CzmodelError).message).toMatch(/^x\.czann: model\.model: not an ONNX model/);
      expect((err as CzmodelError).message).toMatch(re);
    }
  });
});
