/** The `czmodel` program without its commands: name, description, version and the help footer. */
import { Command } from "commander";
import { VERSION } from "./version.js";

export function czmodelBase(): Command {
  return new Command("czmodel")
    .description("Pack, inspect, validate, adapt and run ZEISS ZEN deep-learning model files (.czann, .czmodel, .czseg)")
    .version(VERSION)
    .addHelpText("after", "\nEvery command takes --json and --debug; `czmodel <command> --help` shows its options and an example.");
}
