/** Commands built on the prediction engine and image IO (`predict`, `image-info`). */
import type { Command } from "commander";
import { registerImageInfo } from "./image-info.js";
import { registerPredict } from "./predict.js";

export function registerExtraCommands(program: Command): void {
  registerPredict(program);
  registerImageInfo(program);
}
