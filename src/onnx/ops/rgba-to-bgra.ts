/**
 * `rgba-to-bgra` (czmodel `RgbaToBgra`): reverses the colour channels and keeps alpha last,
 * out = in[..., [2, 1, 0, 3]]. Needs exactly 4 channels. Isomorphic.
 */
import { gatherChannels } from "./channel-gather.js";
import { requireChannels, requireNoValue } from "./params.js";
import type { OpDescriptor } from "./types.js";

const SYNTAX = "rgba-to-bgra";

export const rgbaToBgra: OpDescriptor<null> = {
  name: "rgba-to-bgra",
  kind: "pre-or-post",
  syntax: SYNTAX,
  summary: "swap RGBA to BGRA: out = in[..., [2, 1, 0, 3]] (4 channels)",
  parse(value, where) {
    requireNoValue(value, where, SYNTAX);
    return null;
  },
  describe: () => "RGBA → BGRA (channels 2, 1, 0, 3)",
  apply(ctx, x) {
    requireChannels(ctx, x, 4, "RGBA");
    return gatherChannels(ctx, x, [2, 1, 0, 3]);
  },
};
