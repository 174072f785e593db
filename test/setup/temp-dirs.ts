/** Removes the temporary folders a test file made with `tempDir`, so `npm test` leaves /tmp as it found it. */
import { rm } from "node:fs/promises";
import { afterAll } from "vitest";
import { takeTempDirs } from "../helpers/paths.js";

afterAll(async () => {
  await Promise.all(takeTempDirs().map((dir) => rm(dir, { recursive: true, force: true })));
});
