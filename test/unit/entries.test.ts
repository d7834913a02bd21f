/**
 * The package's entries: the main entry bundles for a browser without any Node
 * built-in and changes nothing when imported; the ES module build exports what
 * the CommonJS build does; internals and the Node-only and notebook-only parts
 * stay out of the main entry; tslab's Node10 resolution finds the subpaths; the
 * Node entry lets `useBackend` load `@tensorflow/tfjs-node`. Run against the
 * built package (`npm run build`), as a reader's project would use it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import * as l0 from "l0-hard-concrete";
import * as l0Node from "l0-hard-concrete/node";
import * as l0Notebook from "l0-hard-concrete/notebook";

const root = resolve(__dirname, "..", "..", "..");
const work = mkdtempSync(join(tmpdir(), "l0-entries-"));
after(() => rmSync(work, { recursive: true, force: true }));

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
const isNodeBuiltin = (path: string) => NODE_BUILTINS.has(path) || path.startsWith("node:");

type Esbuild = typeof import("esbuild");
type Metafile = import("esbuild").Metafile;

async function tools() {
  const build = await import(pathToFileURL(join(root, "tools", "build.mjs")).href);
  const esbuild: Esbuild = require("esbuild");
  return { browserBundleOptions: build.browserBundleOptions, esbuild };
}

/**
 * Every import in the bundle's graph that needs a Node built-in. tfjs's own
 * Node-only branches import some (fs, util, worker_threads, ...), but its
 * packages' `browser` fields map them to empty modules, which esbuild reports
 * as "(disabled):...": those are not needed.
 */
function nodeImports(metafile: Metafile): string[] {
  return Object.entries(metafile.inputs).flatMap(([file, input]) =>
    input.imports
      .filter((i) => !i.path.startsWith("(disabled):") && (isNodeBuiltin(i.path) || isNodeBuiltin(i.original ?? "")))
      .map((i) => `${file} -> ${i.path}`),
  );
}

describe("browser bundle", () => {
  test("the main entry bundles for the browser platform with no Node built-in", async (t) => {
    const { browserBundleOptions, esbuild } = await tools();
    const result = await esbuild.build(browserBundleOptions(null));
    assert.deepEqual(result.errors, []);
    const metafile = result.metafile!;
    assert.deepEqual(nodeImports(metafile), []);
    const bytes = result.outputFiles!.reduce((sum, file) => sum + file.contents.length, 0);
    const library = Object.keys(metafile.inputs).filter((file) => file.endsWith("dist/esm/index.mjs"));
    assert.equal(library.length, 1, "the bundle reads the package's ES module build");
    // "<runtime>" is esbuild's own helper code.
    const imports = metafile.inputs[library[0]].imports.filter((i) => i.path !== "<runtime>");
    const imported = new Set(imports.map((i) => i.original));
    assert.deepEqual([...imported].sort(), ["@tensorflow/tfjs", "@tensorflow/tfjs-backend-wasm"]);
    t.diagnostic(`browser bundle (library + tfjs + wasm backend, minified): ${(bytes / 1e6).toFixed(2)} MB`);
  });

  test("the check fails for an entry that needs Node (the Node entry)", async () => {
    const { esbuild } = await tools();
    await assert.rejects(
      esbuild.build({
        stdin: { contents: 'export * from "l0-hard-concrete/node";', resolveDir: root, loader: "js" },
        bundle: true,
        platform: "browser",
        format: "esm",
        write: false,
        external: ["@tensorflow/*"],
        logLevel: "silent",
      }),
      /Could not resolve "node:(fs|path|zlib)"/,
    );
  });
});

describe("public API", () => {
  test("the ES module build exports exactly what the CommonJS build does", async () => {
    const esm = await import(pathToFileURL(join(root, "dist", "esm", "index.mjs")).href);
    assert.deepEqual(Object.keys(esm).sort(), Object.keys(l0).sort());
  });

  test("internals, Node-only and notebook-only parts stay out of the main entry", () => {
    const leaked = [
      // internals
      "checkParams",
      "randomFrom",
      "lambdasPerLayer",
      "figureBundle",
      "progressBundle",
      "displayBundle",
      "batchTensors",
      "pixelsPerImage",
      "matMulFastGradient",
      "trainableConv2d",
      "checkActivation",
      "applyActivation",
      "addBackendLoader",
      "makeKernelSendsSynchronous",
      // the MNIST experiment
      "denseChainCounts",
      "mnistMlpSettings",
      "runMnistMlp",
      // Node-only and notebook-only parts
      "loadMnistDigits",
      "loadIdxDataset",
      "readIdx",
      "showFigure",
      "progress",
      "inNotebook",
      "check",
      "sliderPlot",
      "ksDistance",
      "numbersOf",
    ].filter((name) => name in l0);
    assert.deepEqual(leaked, []);
    assert.deepEqual(Object.keys(l0Node).sort(), ["loadIdxDataset", "loadMnistDigits", "readIdx"]);
    assert.deepEqual(Object.keys(l0Notebook).sort(), [
      "CheckFailure",
      "atoms",
      "bars",
      "binomialStandardError",
      "check",
      "checkAbove",
      "checkBelow",
      "grid",
      "histogram",
      "histogramBars",
      "image",
      "inNotebook",
      "ksCriticalValue",
      "ksDistance",
      "line",
      "meanAndStandardError",
      "numberOf",
      "numbersOf",
      "plot",
      "progress",
      "showFigure",
      "sliderPlot",
    ]);
  });

  test("tslab's Node10 resolution, which ignores the exports map, finds every entry and its types", () => {
    const ts: typeof import("typescript") = require("typescript");
    const from = join(root, "notebooks", "any.ts");
    const options = { moduleResolution: ts.ModuleResolutionKind.Node10 };
    for (const [entry, file] of [
      ["l0-hard-concrete", "index"],
      ["l0-hard-concrete/node", "node"],
      ["l0-hard-concrete/notebook", "notebook"],
    ]) {
      const resolved = ts.resolveModuleName(entry, from, options, ts.sys).resolvedModule?.resolvedFileName;
      assert.equal(resolved && realpathSync(resolved), join(realpathSync(root), "dist", `${file}.d.ts`), entry);
      assert.equal(realpathSync(require.resolve(entry)), join(realpathSync(root), "dist", `${file}.js`), entry);
    }
  });
});

/**
 * Imports the entries one after the other in a fresh Node process, next to
 * stand-ins for tslab's output module and zeromq (found by path, as the kernel
 * fix looks for them) and for `@tensorflow/tfjs-node` (on NODE_PATH, which Node
 * searches only when node_modules has no such package), and reports what
 * changed after each import.
 */
const FRESH_PROCESS = `
const tf = require("@tensorflow/tfjs");
require(process.argv[1] + "/tslab/dist/jupyter.js");
const zeromq = require(process.argv[1] + "/zeromq/lib/index.js");
const matMulGradient = tf.getGradient("BatchMatMul");
const state = () => ({
  globals: Object.getOwnPropertyNames(globalThis).sort(),
  backends: Object.keys(tf.engine().registryFactory).sort(),
  activeBackend: tf.engine().backendName ?? null,
  flags: JSON.stringify(tf.env().flags),
  matMulGradientKept: tf.getGradient("BatchMatMul") === matMulGradient,
  layerClasses: Object.keys(tf.serialization.SerializationMap.getMap().classNameMap).sort(),
  processListeners: ["exit", "uncaughtException", "unhandledRejection"].map((e) => process.listenerCount(e)),
  kernelSendPatched: Object.hasOwn(zeromq.Publisher.prototype, "send"),
});
(async () => {
  const report = { before: state() };
  const l0 = require("l0-hard-concrete");
  report.main = state();
  report.mainBackends = await l0.availableBackends();
  require("l0-hard-concrete/node");
  report.nodeBackends = await l0.availableBackends();
  require("l0-hard-concrete/notebook");
  report.notebook = state();
  console.log(JSON.stringify(report));
})();
`;

describe("importing the entries in a fresh process", () => {
  const fakes = join(work, "fakes");
  const stub = (path: string, source: string) => {
    mkdirSync(join(fakes, path, ".."), { recursive: true });
    writeFileSync(join(fakes, path), source);
  };
  stub("tslab/dist/jupyter.js", "exports.lastWriteDisplayData = () => {};");
  stub("zeromq/lib/index.js", "class Socket { send() {} }\nexports.Publisher = class Publisher extends Socket {};");
  const nodePath = join(work, "node_path");
  mkdirSync(join(nodePath, "@tensorflow", "tfjs-node"), { recursive: true });
  writeFileSync(
    join(nodePath, "@tensorflow", "tfjs-node", "index.js"),
    'const tf = require("@tensorflow/tfjs");\ntf.registerBackend("tensorflow", () => tf.findBackend("cpu"));',
  );
  const run = spawnSync(process.execPath, ["-e", FRESH_PROCESS, fakes], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NODE_PATH: [nodePath, join(root, "node_modules")].join(":") },
  });
  const report = run.status === 0 ? JSON.parse(run.stdout) : null;

  test("the child process ran", () => {
    assert.equal(run.status, 0, run.stderr);
  });

  test("the main entry touches no global, backend, flag, tfjs gradient or kernel socket; it only registers its layers and optimizer", () => {
    const { before, main } = report;
    assert.deepEqual(
      main.layerClasses.filter((name: string) => !before.layerClasses.includes(name)),
      ["FusedAdam", "L0Conv2D", "L0Dense"],
    );
    assert.deepEqual({ ...main, layerClasses: null }, { ...before, layerClasses: null });
    assert.equal(main.kernelSendPatched, false);
  });

  test("the main entry alone never offers tfjs-node; the Node entry adds it", () => {
    assert.ok(!report.mainBackends.includes("tensorflow"), report.mainBackends.join());
    assert.equal(report.nodeBackends[0], "tensorflow");
  });

  test("the notebook entry applies the kernel output fix (so the check above could fail)", () => {
    assert.equal(report.notebook.kernelSendPatched, true);
  });
});
