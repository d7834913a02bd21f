#!/usr/bin/env node
// `npm run experiment -- <name> [options]`: builds the library, then runs the
// experiment's compiled entry (dist/experiments/cli.js) with the given arguments.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildLibrary } from "./build.mjs";
import { root } from "./setup.mjs";

buildLibrary();
const result = spawnSync(process.execPath, [join(root, "dist", "experiments", "cli.js"), ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
