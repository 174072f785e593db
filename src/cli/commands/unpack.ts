/** `czmodel unpack FILE DIR`: extract every entry of a model file, safely. */
import type { Command } from "commander";
import { readModelFile, unpackModel } from "../../container/node/index.js";
import { cancelled } from "../../errors.js";
import { printJson, printLines } from "../output.js";

/** `unpackModel` that Ctrl-C or SIGTERM stops (exit 130) with its staging folder removed. */
async function unpackInterruptibly(file: string, dir: string, overwrite: boolean): Promise<string[]> {
  const controller = new AbortController();
  const stop = () => controller.abort(cancelled("interrupted; nothing was extracted"));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return await unpackModel(file, dir, { signal: controller.signal, overwrite });
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  }
}

export function registerUnpack(program: Command): void {
  program
    .command("unpack")
    .description("extract the entries of a model file into a folder (names that would escape it are refused)")
    .argument("<file>", ".czann, .czmodel or .czseg file")
    .argument("<dir>", "target folder (created if missing)")
    .option("--overwrite", "replace files of the same name in the folder (else they are refused, nothing written)")
    .option("--json", "print the written files as JSON")
    .option("--debug", "show stack traces on errors")
    .addHelpText("after", "\nExample:\n  czmodel unpack nuclei.czann unpacked/\n  czmodel unpack legacy.czmodel out/ --json")
    .action(async (file: string, dir: string, opts: { json?: boolean; overwrite?: boolean }) => {
      await readModelFile(file); // a broken or foreign archive fails here, before anything is written
      const files = await unpackInterruptibly(file, dir, Boolean(opts.overwrite));
      if (opts.json) printJson({ ok: true, file, dir, files });
      else printLines([`${file}: ${files.length} file(s) written to ${dir}`, ...files.map((f) => `  ${f}`)]);
    });
}
