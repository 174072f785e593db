/**
 * Paths used by tests: the shared real test data (`../shared/testdata` next to the repo),
 * committed fixtures, and fresh temporary folders.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** A file under `../shared/testdata/` (e.g. `testdata("models", "simple_nuclei_segmodel.czann")`). */
export function testdata(...parts: string[]): string {
  return join(repoRoot, "..", "shared", "testdata", ...parts);
}

/** A committed fixture under `test/fixtures/`. */
export function fixture(...parts: string[]): string {
  return join(repoRoot, "test", "fixtures", ...parts);
}

const madeTempDirs: string[] = [];

/** A new empty temporary folder, removed after the test file's tests (test/setup/temp-dirs.ts). */
export async function tempDir(prefix = "czmodel-test-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  madeTempDirs.push(dir);
  return dir;
}

/** The temporary folders made so far in this test file, forgotten once returned. */
export function takeTempDirs(): string[] {
  return madeTempDirs.splice(0);
}
