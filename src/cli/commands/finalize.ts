/**
 * `czmodel finalize OUT.ome.zarr`: after every shard of a sharded prediction (`predict
 * --shard K/N`) has run, check that every chunk of the plan exists and only then put the
 * held-back OME-Zarr `.zattrs` in place, which makes the folder a finished image. Missing
 * chunks fail in one line naming the first few and their units. See docs/distributed.md.
 */
import type { Command } from "commander";
import { finalizeShards } from "../../engine/node/shards.js";
import { printJson, printLines } from "../output.js";

export function registerFinalize(program: Command): void {
  program
    .command("finalize")
    .description("check that every shard of a sharded prediction wrote its chunks, then mark the OME-Zarr output complete")
    .argument("<out>", "the OME-Zarr folder the shards wrote (predict --shard K/N -o OUT)")
    .option("--json", "print the result as JSON")
    .option("--debug", "show stack traces on errors")
    .addHelpText(
      "after",
      "\nExamples:\n  czmodel predict nuclei.czann big.czi -o labels.ome.zarr --shard 0/2\n  czmodel predict nuclei.czann big.czi -o labels.ome.zarr --shard 1/2\n  czmodel finalize labels.ome.zarr",
    )
    .action(async (out: string, opts: { json?: boolean }) => {
      const result = await finalizeShards(out);
      if (opts.json) printJson({ ok: true, ...result });
      else printLines([`${out}: complete (${result.units} units, ${result.chunks} chunks)`]);
    });
}
