#!/usr/bin/env node
// `npm run course`: set up what is missing, build the library, execute every
// notebook in notebooks/ with the tslab kernel (executed copies in
// build/notebooks/) and build the lecture pages, slides and handouts (build/site/).
//
//   node tools/course.mjs [--notebooks DIR] [--build DIR]   (defaults: notebooks/ and build/)
//
// The notebooks run on two lanes at once, the longest first, each lane taking the
// next notebook when it is free (see `LANES` and `LONGEST`).
//
// Stopping it (Ctrl-C, SIGINT or SIGTERM) or a failure changes nothing half-way:
// each executed copy is written whole, and only once its notebook has run to the
// end (tools/run_notebooks.py, which also kills the running kernel when
// stopped); the pages are built in a temporary folder next to build/site, which
// replaces build/site only when complete. A stopped run exits with 128 + the
// signal number.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildLibrary } from "./build.mjs";
import { root, setup } from "./setup.mjs";

export const NOTEBOOKS = join(root, "notebooks");
export const EXECUTED = join(root, "build", "notebooks");
export const SITE = join(root, "build", "site");

/** The prefix of the temporary folders the pages are built in, next to the site folder. */
const SITE_TEMP_PREFIX = ".site-";

/** How many notebooks run at once: one per core of the 2-core machine the course is budgeted on. */
export const LANES = 2;

/**
 * Notebooks that run far longer than the others, started first, longest first
 * (chapter 08 about 130 s, chapter 09 about 40 s, the others 13 to 20 s), so that the
 * short chapters come last and fill whichever lane frees first: a long one left to
 * the end would run alone while the other lane idles.
 */
export const LONGEST = ["08-training-an-l0-mlp.ipynb", "09-controlling-sparsity.ipynb"];

/** The notebooks of folder `dir`, in the order the runner's lanes take them: `LONGEST` first, then by name. */
export function notebookOrder(dir = NOTEBOOKS) {
  const names = readdirSync(dir)
    .filter((name) => name.endsWith(".ipynb"))
    .sort();
  const rank = (name) => (LONGEST.includes(name) ? LONGEST.indexOf(name) : LONGEST.length);
  return names.sort((a, b) => rank(a) - rank(b)).map((name) => join(dir, name));
}

/**
 * Executes notebooks (files or folders) with tools/run_notebooks.py on `LANES`
 * lanes. A SIGINT or SIGTERM this process receives meanwhile is passed on to the
 * runner. Resolves to the runner's exit status (128 + the signal number when a
 * signal ended it) and, with `capture`, its output (otherwise shown as it comes).
 */
export function executeNotebooks(python, paths, out = EXECUTED, { capture = false } = {}) {
  const runner = join(root, "tools", "run_notebooks.py");
  const child = spawn(python, [runner, "--jobs", String(LANES), "--out", out, ...paths], {
    cwd: root,
    stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
  });
  let output = "";
  if (capture) for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => (output += chunk));
  const forward = (signal) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((done, fail) => {
    child.on("error", fail);
    child.on("close", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      done({ status: code ?? 128 + constants.signals[signal], output });
    });
  });
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

/**
 * Builds the lecture pages (tools/site.mjs's `buildSite`, or `build` with the same
 * arguments) into a temporary folder next to `out`, then, unless `stopped()` says
 * otherwise, swaps it in for `out`; the temporary folder is removed in every case.
 * Returns whether `out` was replaced. The two renames of the swap run without a
 * turn of the event loop in between, so no signal handler runs half-way.
 */
export async function buildSiteAtomically({ python, notebooks, out = SITE, stopped = () => false, build }) {
  // Imported only now: site.mjs needs npm packages that the set-up may just have installed.
  const buildSite = build ?? (await import("./site.mjs")).buildSite;
  mkdirSync(dirname(out), { recursive: true });
  const next = mkdtempSync(join(dirname(out), SITE_TEMP_PREFIX));
  chmodSync(next, 0o755); // mkdtemp's 0700 would become the site's
  const previous = `${next}-previous`;
  try {
    await buildSite({ python, notebooks, out: next });
    // One turn of the event loop first, so that a signal that arrived during the build's
    // last synchronous steps has run its handler before `stopped()` is asked.
    await new Promise((resolve) => setImmediate(resolve));
    if (stopped()) return false;
    if (existsSync(out)) renameSync(out, previous);
    renameSync(next, out);
    return true;
  } finally {
    rmSync(next, { recursive: true, force: true });
    rmSync(previous, { recursive: true, force: true });
  }
}

/** Removes temporary site folders that a killed run (SIGKILL, power loss) left next to `site`. */
function removeLeftoverSiteFolders(site) {
  if (!existsSync(dirname(site))) return;
  for (const name of readdirSync(dirname(site))) {
    if (name.startsWith(SITE_TEMP_PREFIX)) rmSync(join(dirname(site), name), { recursive: true, force: true });
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { values } = parseArgs({ options: { notebooks: { type: "string" }, build: { type: "string" } } });
  const notebooks = values.notebooks ? resolve(values.notebooks) : NOTEBOOKS;
  const executed = values.build ? join(resolve(values.build), "notebooks") : EXECUTED;
  const site = values.build ? join(resolve(values.build), "site") : SITE;
  let stopSignal = null;
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => (stopSignal ??= signal));
  const exitIfStopped = () => {
    if (stopSignal === null) return;
    console.error(`course: stopped by ${stopSignal}; ${site} was left as it was.`);
    process.exit(128 + constants.signals[stopSignal]);
  };

  const { python } = setup({ browser: true });
  buildLibrary();
  exitIfStopped();
  removeLeftoverSiteFolders(site);
  removeStaleExecuted(notebooks, executed);
  const { status } = await executeNotebooks(python, notebookOrder(notebooks), executed);
  exitIfStopped();
  if (status !== 0) {
    console.error(`course: a notebook failed (see above); ${site} was not rebuilt.`);
    process.exit(1);
  }
  try {
    await buildSiteAtomically({ python, notebooks: executed, out: site, stopped: () => stopSignal !== null });
  } catch (error) {
    // A Ctrl-C also reaches the site's child processes, which then fail the build while
    // this process is blocked in spawnSync: its own handler runs once the event loop polls.
    await new Promise((resolve) => setTimeout(resolve, 50));
    exitIfStopped();
    throw error;
  }
  // A Ctrl-C that stopped no child process (it came between them, or Chromium's driver
  // took it) is seen only once the build is done: the pages were not swapped in.
  exitIfStopped();
  console.log(
    `course: executed notebooks in ${executed}\ncourse: lecture pages in ${join(site, "index.html")}, ` +
      `slides in ${join(site, "slides")}, handouts in ${join(site, "handouts")}`,
  );
}
