#!/usr/bin/env node
// `npm run experiment -- <name> [options]`: builds the library and the
// experiments (experiments/, an application importing the library by its package
// name), then runs the experiments' command line with the given arguments.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildExperiments, buildLibrary } from "./build.mjs";
import { root } from "./setup.mjs";

buildLibrary();
buildExperiments();
const cli = join(root, "build", "dist-experiments", "cli.js");
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
