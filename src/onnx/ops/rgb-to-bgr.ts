/**
 * `rgb-to-bgr` (czmodel `RgbToBgr`): reverses the 3 channels, out = in[..., [2, 1, 0]].
 * Needs exactly 3 channels. Isomorphic.
 */
import { gatherChannels } from "./channel-gather.js";
import { requireChannels, requireNoValue } from "./params.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "rgb-to-bgr";

export const rgbToBgr: OpDescriptor<null> = {
  name: "rgb-to-bgr",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary: "swap RGB to BGR: out[..., c] = in[..., 2 - c] (3 channels)",
  parse(value, where) {
    requireNoValue(value, where, SYNTAX);
    return null;
  },
  describe: () => "RGB → BGR (channels 2, 1, 0)",
  apply(ctx, x) {
    requireChannels(ctx, x, 3, "RGB");
    return gatherChannels(ctx, x, [2, 1, 0]);
  },
};
