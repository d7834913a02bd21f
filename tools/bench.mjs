#!/usr/bin/env node
// `npm run bench`: builds the library and the benchmarks, then runs
// test/bench/index.ts (timings are measured here, never asserted in tests).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildLibrary, buildTests } from "./build.mjs";
import { root } from "./setup.mjs";

buildLibrary();
buildTests();
const result = spawnSync(
  process.execPath,
  [join(root, "build", "test", "bench", "index.js"), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: "inherit",
  },
);
process.exit(result.status ?? 1);
