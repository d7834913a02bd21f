#!/usr/bin/env node
// `npm run course`: set up what is missing, build the library, execute every
// notebook in notebooks/ with the tslab kernel (executed copies in
// build/notebooks/) and build the lecture pages (build/site/).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildLibrary } from "./build.mjs";
import { root, setup } from "./setup.mjs";
import { buildSite } from "./site.mjs";

export const NOTEBOOKS = join(root, "notebooks");
export const EXECUTED = join(root, "build", "notebooks");
export const SITE = join(root, "build", "site");

/**
 * Executes notebooks (files or folders) with tools/run_notebooks.py; returns the
 * runner's exit status and its output. Extra arguments go to the runner.
 */
export function executeNotebooks(python, paths, { out = EXECUTED, extra = [], echo = true } = {}) {
  const result = spawnSync(python, [join(root, "tools", "run_notebooks.py"), "--out", out, ...extra, ...paths], {
    cwd: root,
    encoding: "utf8",
    stdio: echo ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
  });
  return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { python } = setup();
  buildLibrary();
  const { status } = executeNotebooks(python, [NOTEBOOKS]);
  if (status !== 0) {
    console.error("course: a notebook failed (see above); build/site was not rebuilt.");
    process.exit(1);
  }
  await buildSite({ python, notebooks: EXECUTED, out: SITE });
  console.log(`course: executed notebooks in ${EXECUTED}\ncourse: lecture pages in ${join(SITE, "index.html")}`);
}
