#!/usr/bin/env node
// Launcher for `savedmodel2czann`: runs the TypeScript sources through tsx in a development checkout,
// or the compiled `dist/` when the sources are not there (an installed package).
import { loadCli } from "./load-cli.js";

const cli = await loadCli();
await cli.savedmodel2czannMain(process.argv.slice(2));
