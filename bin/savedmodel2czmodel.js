#!/usr/bin/env node
// Launcher for `savedmodel2czmodel`: the compiled dist/ in an installed package, the TypeScript sources
// through tsx in a development checkout (see load-cli.js).
import { loadCli } from "./load-cli.js";

const cli = await loadCli();
await cli.savedmodel2czmodelMain(process.argv.slice(2));
