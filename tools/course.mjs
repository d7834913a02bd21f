#!/usr/bin/env node
// `npm run course`: set up what is missing, build the library, execute every
// notebook in notebooks/ with the tslab kernel (executed copies in
// build/notebooks/) and build the lecture pages, slides and handouts (build/site/).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildLibrary } from "./build.mjs";
import { root, setup } from "./setup.mjs";

export const NOTEBOOKS = join(root, "notebooks");
export const EXECUTED = join(root, "build", "notebooks");
export const SITE = join(root, "build", "site");

/** Executes notebooks (files or folders) with tools/run_notebooks.py; returns its exit status. */
export function executeNotebooks(python, paths, out = EXECUTED) {
  const runner = join(root, "tools", "run_notebooks.py");
  return spawnSync(python, [runner, "--out", out, ...paths], { cwd: root, stdio: "inherit" }).status;
}

/**
 * Removes executed copies whose source notebook no longer exists, so that the
 * lecture pages show exactly the chapters in notebooks/.
 */
export function removeStaleExecuted(sources = NOTEBOOKS, executed = EXECUTED) {
  if (!existsSync(executed)) return;
  const current = new Set(readdirSync(sources));
  for (const name of readdirSync(executed)) {
    if (name.endsWith(".ipynb") && !current.has(name)) rmSync(join(executed, name));
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { python } = setup({ browser: true });
  buildLibrary();
  removeStaleExecuted();
  if (executeNotebooks(python, [NOTEBOOKS]) !== 0) {
    console.error("course: a notebook failed (see above); build/site was not rebuilt.");
    process.exit(1);
  }
  // Imported only now: site.mjs needs npm packages that the set-up may just have installed.
  const { buildSite } = await import("./site.mjs");
  await buildSite({ python, notebooks: EXECUTED, out: SITE });
  console.log(
    `course: executed notebooks in ${EXECUTED}\ncourse: lecture pages in ${join(SITE, "index.html")}, ` +
      `slides in ${join(SITE, "slides")}, handouts in ${join(SITE, "handouts")}`,
  );
}
