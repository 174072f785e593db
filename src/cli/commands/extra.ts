/** Commands built on the prediction engine and image IO (`predict`, `image-info`). */
import type { Command } from "commander";

export function registerExtraCommands(_program: Command): void {}
