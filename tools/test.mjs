#!/usr/bin/env node
// `npm test`: set up what is missing, build, lint, check that the notebook
// sources carry no outputs, then run every test with Node's test runner: the
// unit, property and statistical tests of src/, the notebook runner's own tests
// on broken fixture notebooks, the execution of every notebook in notebooks/
// through Jupyter with the tslab kernel, the browser test of the lecture pages,
// slides and handouts, chapter 06 in Debian's classic Notebook, and the classroom
// hub with three students.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { buildLibrary, buildTestsExperimentsAndWidgets } from "./build.mjs";
import { checkNotebookSources } from "./check_notebooks.mjs";
import { root, setup } from "./setup.mjs";

const { python, chromium } = setup({ browser: true, frontEnds: true });
buildLibrary();
buildTestsExperimentsAndWidgets(); // the experiments and the lecture pages' live widgets (assets/live/) type-checked too

const lint = spawnSync(
  process.execPath,
  [join(root, "node_modules", "@biomejs", "biome", "bin", "biome"), "check", "."],
  {
    cwd: root,
    stdio: "inherit",
  },
);
if (lint.status !== 0) {
  console.error("test: lint/format errors (above); `npm run format` fixes formatting");
  process.exit(1);
}

const problems = checkNotebookSources(join(root, "notebooks"));
if (problems.length > 0) {
  console.error(`test: notebook sources must be committed without outputs:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".test.js"))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/**
 * The test files that run longest (measured on the 2-core machine: the course's
 * notebooks and pages several minutes, these others 40 to 80 s), started first and
 * longest first, so that the short files fill the second slot while they run
 * instead of one of them finishing alone at the end.
 */
const LONGEST = [
  "build/test/course/course.test.js",
  "build/test/course/interrupt.test.js",
  "build/test/frontends/hub.test.js",
  "build/test/frontends/notebook.test.js",
  "build/test/course/site.test.js",
  "build/test/browser/live.test.js",
];
const rank = (file) => (LONGEST.includes(file) ? LONGEST.indexOf(file) : LONGEST.length);
const files = testFiles(join(root, "build", "test")).sort((a, b) => rank(a) - rank(b));
const missing = LONGEST.filter((file) => !files.includes(file));
if (missing.length > 0) {
  console.error(`test: LONGEST in tools/test.mjs names test files that do not exist: ${missing.join(", ")}`);
  process.exit(1);
}
/**
 * No test, and no test file, may take longer than this: a hang fails the run with
 * the test's name after 20 minutes (the longest file, the course's, takes 6 to 9)
 * instead of holding it until an outer limit kills it without a word.
 */
const TEST_TIMEOUT_MS = 20 * 60 * 1000;
const result = spawnSync(
  process.execPath,
  ["--test", "--test-concurrency=2", `--test-timeout=${TEST_TIMEOUT_MS}`, ...files],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, L0_PYTHON: python, L0_CHROMIUM: chromium ?? "" },
  },
);
process.exit(result.status ?? 1);
