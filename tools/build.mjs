// Compiles the library (src/ -> dist/), the test suite (test/ -> build/test/)
// and the experiments (experiments/ -> build/dist-experiments/, importing the
// library by its package name). Incremental: a no-op build takes about a second.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { root } from "./setup.mjs";

const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

function compile(project) {
  const result = spawnSync(process.execPath, [tsc, "-p", project], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`build: TypeScript errors in ${project} (above)`);
    process.exit(1);
  }
}

export function buildLibrary() {
  compile("tsconfig.json");
}

export function buildTests() {
  compile(join("test", "tsconfig.json"));
}

export function buildExperiments() {
  compile(join("experiments", "tsconfig.json"));
}
