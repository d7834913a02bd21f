#!/usr/bin/env node
// Compiles the library, the test suite (test/ -> build/test/) and the experiments
// (experiments/ -> build/dist-experiments/, importing the library by its package name).
// `npm run build` (this file run directly) builds the library:
//
//   dist/*.js, *.d.ts       CommonJS + types (tsc): Node, tslab, and the types of every entry
//   dist/esm/index.mjs      the main entry as one ES module, dependencies left as imports: for bundlers
//   dist/browser/           l0-hard-concrete.mjs: the main entry with tfjs and the wasm backend in one
//                           ES module (it also exports `tf`), and the wasm backend's .wasm files, for a
//                           page's <script type="module"> without a bundler or network
//
// The library's tsc step is skipped when its sources are older than its build (about half a second);
// the two esbuild bundles take about one more.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { root } from "./setup.mjs";

const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
// Loaded when first needed: the set-up may install it after this module is imported.
const esbuild = () => createRequire(import.meta.url)("esbuild");

export const DIST = join(root, "dist");
export const BROWSER_BUNDLE = join(DIST, "browser", "l0-hard-concrete.mjs");
const WASM_DIST = join(root, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
/** The wasm backend's binaries (plain, SIMD, threaded SIMD): tfjs picks one by what the browser supports. */
export const WASM_FILES = [
  "tfjs-backend-wasm.wasm",
  "tfjs-backend-wasm-simd.wasm",
  "tfjs-backend-wasm-threaded-simd.wasm",
];

/**
 * The browser bundle's entry: the main entry as a page imports it (through the
 * package's `exports`, as any bundler sees it), tfjs itself so the page and the
 * library share one tfjs, and the wasm backend told to fetch its .wasm files
 * from the bundle's own folder rather than the page's.
 */
const BROWSER_ENTRY = `export * from "l0-hard-concrete";
export * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
setWasmPaths(new URL("./", import.meta.url).href);
`;

/**
 * Compiles TypeScript projects with `tsc --build`, in one process, so that the
 * declaration files they share (tfjs's, @types/node's, the library's) are parsed
 * once for all of them (the tests, experiments and live widgets together: about
 * 11 s instead of 16 s as three processes). With `skipIfUpToDate`, tsc first
 * compares the timestamps of each project's own sources with its build info and
 * does nothing when none is newer (about half a second instead of five: even an
 * incremental compile parses all 800 declaration files). Only for the library: its
 * inputs are its own sources, while the other projects also read the library's
 * declarations in dist/, whose changes that check does not see; they are compiled
 * with `--force`, in full, as `tsc -p` would (which also rewrites their output
 * when build/ was deleted by hand while the build info stayed).
 */
function compile(projects, { skipIfUpToDate = false } = {}) {
  const list = [projects].flat();
  const args = skipIfUpToDate ? ["--build", ...list] : ["--build", "--force", ...list];
  const result = spawnSync(process.execPath, [tsc, ...args], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`build: TypeScript errors in ${list.join(", ")} (above)`);
    process.exit(1);
  }
}

/**
 * esbuild options of the browser bundle; `outfile` null keeps it in memory.
 * Platform "browser": a Node built-in anywhere in the import graph fails the build.
 */
export function browserBundleOptions(outfile = BROWSER_BUNDLE) {
  return {
    stdin: { contents: BROWSER_ENTRY, resolveDir: root, sourcefile: "l0-hard-concrete-browser.mjs", loader: "js" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    minify: true,
    metafile: true,
    logLevel: "error",
    ...(outfile === null ? { write: false, outdir: join(DIST, "browser") } : { outfile }),
  };
}

/**
 * Writes `contents` to `path` only if the file's bytes differ, and then through a
 * temporary file renamed over it: a process reading the file meanwhile (a test
 * copying the browser bundle while the course command rebuilds the library) sees
 * the old file or the new one, never half of one.
 */
function replaceIfChanged(path, contents) {
  if (existsSync(path) && readFileSync(path).equals(contents)) return;
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/** Runs esbuild's `buildSync(options)` in memory and writes its output files with `replaceIfChanged`. */
function bundle(options) {
  const { outputFiles } = esbuild().buildSync({ ...options, write: false });
  for (const file of outputFiles) replaceIfChanged(file.path, Buffer.from(file.contents));
}

export function buildLibrary() {
  // The WebAssembly kernels' text (src/kernels/*.wat) into the TypeScript modules that carry their bytes.
  const kernels = spawnSync(process.execPath, [join(root, "tools", "wat.mjs")], { cwd: root, stdio: "inherit" });
  if (kernels.status !== 0) {
    console.error("build: the WebAssembly kernels in src/kernels/ do not compile (above)");
    process.exit(1);
  }
  compile("tsconfig.json", { skipIfUpToDate: true });
  bundle({
    entryPoints: [join(root, "src", "index.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    packages: "external",
    target: "es2022",
    sourcemap: true,
    outfile: join(DIST, "esm", "index.mjs"),
    logLevel: "error",
  });
  bundle(browserBundleOptions());
  for (const file of WASM_FILES) replaceIfChanged(join(DIST, "browser", file), readFileSync(join(WASM_DIST, file)));
}

/** The live widgets of the lecture pages: browser TypeScript in assets/live/, see assets/live/main.ts. */
const LIVE = join(root, "assets", "live");

/**
 * esbuild resolves the widgets' `./library` (the library and tfjs, as the browser
 * bundle exports them) to the copy of the browser bundle next to the output.
 */
const LIBRARY_AS_BUNDLE = {
  name: "library-as-bundle",
  setup(build) {
    build.onResolve({ filter: /^\.\/library$/ }, () => ({ path: "./l0-hard-concrete.mjs", external: true }));
  },
};

/**
 * Writes the live widgets into `dir`: live.mjs (assets/live/main.ts and the
 * widgets, one ES module) next to a copy of dist/browser/ (the library's bundle
 * and the wasm files), which live.mjs imports. Needs `buildLibrary()` first.
 */
export async function bundleLiveWidgets(dir) {
  if (!existsSync(BROWSER_BUNDLE)) throw new Error(`live widgets: ${BROWSER_BUNDLE} is missing (run npm run build)`);
  mkdirSync(dir, { recursive: true });
  await esbuild().build({
    entryPoints: [join(LIVE, "main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    minify: true,
    plugins: [LIBRARY_AS_BUNDLE],
    outfile: join(dir, "live.mjs"),
    logLevel: "error",
  });
  cpSync(join(DIST, "browser"), dir, { recursive: true });
}

const TESTS = join("test", "tsconfig.json");
const EXPERIMENTS = join("experiments", "tsconfig.json");
/** The live widgets' project only type-checks them against the library's declarations (dist/*.d.ts): nothing is emitted. */
const LIVE_WIDGETS = join(LIVE, "tsconfig.json");

export function buildTests() {
  compile(TESTS);
}

export function buildExperiments() {
  compile(EXPERIMENTS);
}

/** For `npm test`: the tests, the experiments and the live widgets, each checked against the library's API, in one tsc. */
export function buildTestsExperimentsAndWidgets() {
  compile([TESTS, EXPERIMENTS, LIVE_WIDGETS]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildLibrary();
}
