/**
 * Channel colours as the formats write them (`src/io/channel-colors.ts`): CZI `#AARRGGBB`,
 * OME-Zarr `RRGGBB`, OME `Color` as a signed or unsigned RGBA integer; anything else is null.
 */
import { describe, expect, it } from "vitest";
import { hexToRgb, omeColorToRgb } from "../../src/io/channel-colors.js";

describe("channel colours", () => {
  it.each([
    ["#FFFF7E00", [255, 126, 0]],
    ["#00FF00", [0, 255, 0]],
    ["00a1ff", [0, 161, 255]],
    [" #FF00FF33 ", [0, 255, 51]],
    ["#FFF", null],
    ["red", null],
    [255, null],
    [undefined, null],
  ])("hex %j → %j", (text, rgb) => {
    expect(hexToRgb(text)).toEqual(rgb);
  });

  it.each([
    ["-8519425", [255, 126, 0]], // 0xFF7E00FF as a signed int32, as Bio-Formats writes it
    ["4286447871", [255, 126, 0]], // the same, unsigned
    ["16724991", [0, 255, 51]],
    ["-1", [255, 255, 255]],
    ["1.5", null],
    ["4294967296", null],
    ["-2147483649", null],
    [undefined, null],
  ])("OME Color %j → %j", (text, rgb) => {
    expect(omeColorToRgb(text)).toEqual(rgb);
  });
});
