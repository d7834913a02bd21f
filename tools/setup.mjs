#!/usr/bin/env node
// Set-up shared by `npm run course` and `npm test`: installs what is missing, or
// stops with a message that names the missing piece and the command that
// installs it. Idempotent; when nothing is missing it only checks (about 1 s).
//
//   node tools/setup.mjs [--npm-only] [--browser]
//
// 1. npm dependencies (npm ci on a fresh clone, npm install when package.json
//    or the lock file changed). @tensorflow/tfjs-node is optional: npm skips it
//    where its native binary cannot be downloaded.
// 2. Python 3 with Jupyter's nbclient, nbconvert and jupyter_client: Debian's
//    packages through apt-get when it can (root), else pip --user.
// 3. The `tslab` kernel spec in the user's Jupyter data folder: a launcher
//    (tools/tslab-kernel.sh, copied into the spec's folder) that runs the tslab
//    of whichever project the notebook is in, or a tslab on PATH. It names no
//    clone, so a second clone or a deleted one cannot leave it dangling. Next to
//    it, tools/kernel-watch.cjs, which ends a kernel whose starter is gone.
// 4. With --browser: Chromium for the browser test (Debian's package).
// 5. With --front-ends: Debian's classic Jupyter Notebook, JupyterHub and poppler-utils,
//    for the front-end and classroom tests, the hub and the handout checks.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const JUPYTER_MODULES = ["nbclient", "nbconvert", "nbformat", "jupyter_client"];
const APT_JUPYTER = ["jupyter-nbconvert", "python3-nbclient", "jupyter-client"];
const isRoot = process.getuid?.() === 0;

function say(message) {
  console.log(`setup: ${message}`);
}

/** Stops the set-up with a message naming what is missing and how to install it. */
export function stop(missing, install) {
  console.error(`\nsetup: missing ${missing}.\n  Install it with:\n    ${install}\n  then run the command again.\n`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  say(`$ ${cmd} ${args.join(" ")}`);
  const result = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...options });
  return result.status === 0;
}

function has(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

function npmDependencies() {
  const marker = join(root, "node_modules", ".package-lock.json");
  const lock = join(root, "package-lock.json");
  if (mtime(marker) >= Math.max(mtime(join(root, "package.json")), mtime(lock))) return;
  const fresh = !existsSync(join(root, "node_modules"));
  // --prefer-offline: packages already in npm's cache are taken from it without asking the registry
  // again (measured on a fresh clone: npm ci 13 s instead of 21 s); what is not cached is downloaded.
  const ok = run("npm", [fresh && existsSync(lock) ? "ci" : "install", "--no-audit", "--no-fund", "--prefer-offline"]);
  if (!ok) stop("the npm dependencies (npm install failed above)", `cd ${root} && npm install`);
}

let aptUpdated = false;
function aptInstall(packages, { recommends = true } = {}) {
  if (!isRoot || !has("apt-get")) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const args = ["install", "-y", "-q", ...(recommends ? [] : ["--no-install-recommends"]), ...packages];
  if (run("apt-get", args, { env })) return true;
  if (!aptUpdated) {
    aptUpdated = true;
    run("apt-get", ["update", "-q"], { env });
    return run("apt-get", args, { env });
  }
  return false;
}

function pythonHasJupyter(python) {
  const code = `import ${JUPYTER_MODULES.join(", ")}`;
  return spawnSync(python, ["-c", code], { stdio: "ignore" }).status === 0;
}

/** The Python 3 that has Jupyter's client libraries, installing them if needed. */
export function jupyterPython() {
  const candidates = ["/usr/bin/python3", "python3"].filter((p) => (p.includes("/") ? existsSync(p) : has(p)));
  for (const python of candidates) if (pythonHasJupyter(python)) return python;
  say("Jupyter's nbclient, nbconvert and jupyter_client are missing; installing them");
  if (aptInstall(APT_JUPYTER) && pythonHasJupyter("/usr/bin/python3")) return "/usr/bin/python3";
  for (const python of candidates) {
    if (
      run(python, ["-m", "pip", "install", "--user", "nbclient", "nbconvert", "jupyter_client"]) &&
      pythonHasJupyter(python)
    ) {
      return python;
    }
  }
  return stop(
    "Jupyter's Python packages nbclient, nbconvert and jupyter_client",
    `sudo apt-get install ${APT_JUPYTER.join(" ")}   (or: python3 -m pip install --user nbclient nbconvert jupyter_client)`,
  );
}

/** Jupyter's per-user data folder (jupyter_core.paths.jupyter_data_dir on Linux and macOS). */
function jupyterDataDir() {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === "darwin") return join(homedir(), "Library", "Jupyter");
  return join(process.env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "jupyter");
}

/**
 * Registers the user-level `tslab` kernel as the launcher tools/tslab-kernel.sh,
 * copied into the kernel spec's folder with tools/kernel-watch.cjs, which the
 * launcher preloads into the kernel. A `tslab` spec that is something else
 * (an older set-up's, or the user's own `tslab install`) is replaced: the
 * launcher serves the user's own tslab too, through PATH.
 */
function kernelSpec() {
  if (!existsSync(join(root, "node_modules", ".bin", "tslab")))
    stop("tslab in node_modules", `cd ${root} && npm install`);
  const folder = join(jupyterDataDir(), "kernels", "tslab");
  const launcher = join(folder, "tslab-kernel.sh");
  const script = readFileSync(join(root, "tools", "tslab-kernel.sh"), "utf8");
  const watch = join(folder, "kernel-watch.cjs");
  const watchScript = readFileSync(join(root, "tools", "kernel-watch.cjs"), "utf8");
  const same = (path, contents) => existsSync(path) && readFileSync(path, "utf8") === contents;
  const spec = `${JSON.stringify(
    {
      argv: ["/bin/sh", launcher, "kernel", "--config-path", "{connection_file}"],
      display_name: "TypeScript",
      language: "typescript",
    },
    null,
    1,
  )}\n`;
  const file = join(folder, "kernel.json");
  const previous = existsSync(file) ? readFileSync(file, "utf8") : null;
  if (previous === spec && same(launcher, script) && same(watch, watchScript)) return;
  mkdirSync(folder, { recursive: true });
  writeFileSync(watch, watchScript);
  writeFileSync(launcher, script);
  chmodSync(launcher, 0o755);
  writeFileSync(file, spec);
  if (previous !== null && previous !== spec)
    say(`replaced the tslab kernel spec ${file}, which was:\n${previous.trim()}`);
  say(`registered the tslab kernel ${file}: runs the node_modules/.bin/tslab above each notebook, else tslab on PATH`);
}

export function chromium() {
  for (const path of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (existsSync(path)) return path;
  say("Chromium is missing; installing Debian's chromium for the browser test");
  if (aptInstall(["chromium"]) && existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  return stop("Chromium (for the browser test of the lecture pages)", "sudo apt-get install chromium");
}

/**
 * Debian packages of the front ends, by a program each provides: the classic
 * Notebook, JupyterHub (its single-user server too) and poppler-utils (pdftotext,
 * pdftoppm for the handout checks). Without their recommendations, which would
 * pull in matplotlib, SciPy and more.
 */
const FRONT_ENDS = {
  "jupyter-notebook": "jupyter-notebook",
  jupyterhub: "jupyterhub",
  "jupyterhub-singleuser": "jupyterhub",
  pdftotext: "poppler-utils",
};

export function frontEnds() {
  const missing = [...new Set(Object.entries(FRONT_ENDS).flatMap(([cmd, pkg]) => (has(cmd) ? [] : [pkg])))];
  if (missing.length === 0) return;
  say(`installing Debian's ${missing.join(", ")} for the notebook front ends, the hub and the handout checks`);
  if (aptInstall(missing, { recommends: false }) && Object.keys(FRONT_ENDS).every(has)) return;
  stop(`${missing.join(", ")} (Debian packages)`, `sudo apt-get install --no-install-recommends ${missing.join(" ")}`);
}

/** Runs every step; returns the paths the commands need. */
export function setup({ npmOnly = false, browser = false, frontEnds: withFrontEnds = false } = {}) {
  if (!has("npm")) stop("npm", "install Node.js 20 or later with npm");
  npmDependencies();
  if (npmOnly) return {};
  const python = jupyterPython();
  kernelSpec();
  if (withFrontEnds) frontEnds();
  return { python, chromium: browser ? chromium() : null };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  setup({
    npmOnly: process.argv.includes("--npm-only"),
    browser: process.argv.includes("--browser"),
    frontEnds: process.argv.includes("--front-ends"),
  });
  say(`ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
