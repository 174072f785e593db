/**
 * `readNpy` on what `fs.readFile` returns: a Node Buffer, whose `slice` is a view of the whole
 * file (not a copy), so the data must be copied with `subarray` + a new array. Written files
 * are also read by numpy (Debian's python3-numpy) to show they are what NumPy writes.
 */
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readNpy, writeNpy } from "../../src/bioimageio/npy.js";
import { scratchDir } from "../cli/helpers.js";

describe("npy files read from disk", () => {
  it.each([
    ["uint8", Uint8Array.from([1, 2, 3, 250, 251, 252])],
    ["uint16", Uint16Array.from([1, 2, 3, 65000, 65001, 65002])],
    ["float32", Float32Array.from([0.5, -1, 2.25, 1e-7, 3, 4])],
  ] as const)("%s round-trips through a file and numpy", async (dtype, data) => {
    const dir = await scratchDir("npy-");
    const path = join(dir, `${dtype}.npy`);
    await writeFile(path, writeNpy({ dtype, shape: [1, 2, 3, 1], data }));
    const back = readNpy(await readFile(path), path);
    expect(back.dtype).toBe(dtype);
    expect(back.shape).toEqual([1, 2, 3, 1]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    const py = execFileSync(
      "/usr/bin/python3",
      [
        "-c",
        "import sys, json, numpy as np; a = np.load(sys.argv[1]); print(json.dumps([str(a.dtype), list(a.shape), a.ravel().tolist()]))",
        path,
      ],
      { encoding: "utf8" },
    );
    expect(JSON.parse(py)).toEqual([dtype, [1, 2, 3, 1], Array.from(data)]);
  });
});
