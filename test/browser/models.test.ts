/**
 * Models move between Node and the browser. A small L0 MLP is built and saved in
 * Node (`model.save`, the files tfjs writes), and so is its `pruneToDense` export.
 * In headless Chromium (one launch), with pages served from a local folder and
 * nothing fetched from anywhere else:
 * - a page with plain tfjs only (its UMD file from node_modules) loads the pruned
 *   model with `tf.loadLayersModel` and predicts what Node predicted; the L0 model
 *   does not load there (its layers need the library);
 * - a page importing the library's browser bundle (dist/browser, which brings tfjs
 *   and the wasm backend's .wasm files) picks the wasm backend, loads the L0 model
 *   with its gates, predicts what Node predicted, and trains it for two epochs.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { l0Dense, l0Layers, pruneToDense, selectInputs, useBackend } from "l0-hard-concrete";
import type { BrowserContext } from "playwright-core";
import { ORIGIN, serveSite, watch } from "./serve";

const root = resolve(__dirname, "..", "..", "..");
const chromiumPath = process.env.L0_CHROMIUM || "/usr/bin/chromium";
const site = mkdtempSync(join(tmpdir(), "l0-browser-models-"));
after(() => rmSync(site, { recursive: true, force: true }));

/** Saves `model` as tfjs's model.json + weights.bin in `dir` (what `tf.io` writes to files and URLs). */
async function saveTo(model: tf.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(dir, "weights.bin"), Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData)));
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, "model.json"), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

interface Expected {
  x: number[][];
  l0Output: number[][];
  unitsLeft: number[];
  prunedX: number[][];
  prunedOutput: number[][];
}
let expected: Expected;

before(async () => {
  await useBackend();
  const model = tf.sequential({
    layers: [
      l0Dense({ units: 7, activation: "relu", inputShape: [10], seed: 20 }),
      l0Dense({ units: 5, activation: "tanh", seed: 21 }),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 22 }) }),
    ],
  });
  // Spread log α so that the test-time gate closes some units and keeps others.
  for (const [i, layer] of l0Layers(model).entries()) {
    layer.logAlpha.write(tf.randomNormal(layer.logAlpha.shape as number[], -1, 3, "float32", 30 + i));
  }
  const pruned = pruneToDense(model);
  assert.ok(pruned.parametersAfter < pruned.parametersBefore, "the example must prune something");
  const x = tf.randomNormal([6, 10], 0, 1, "float32", 40) as tf.Tensor2D;
  const prunedX = selectInputs(x, pruned.inputIndices);
  expected = {
    x: x.arraySync(),
    l0Output: (model.predict(x) as tf.Tensor2D).arraySync(),
    unitsLeft: l0Layers(model).map((layer) => layer.unitsLeft()),
    prunedX: prunedX.arraySync(),
    prunedOutput: (pruned.model.predict(prunedX) as tf.Tensor2D).arraySync(),
  };
  await saveTo(model, join(site, "l0"));
  await saveTo(pruned.model, join(site, "pruned"));
  cpSync(join(root, "node_modules", "@tensorflow", "tfjs", "dist", "tf.min.js"), join(site, "tf.min.js"));
  cpSync(join(root, "dist", "browser"), join(site, "lib"), { recursive: true });
  writeFileSync(join(site, "plain.html"), '<!doctype html><script src="tf.min.js"></script>');
  writeFileSync(join(site, "library.html"), "<!doctype html><title>library</title>");
});

function assertClose(actual: number[][], wanted: number[][], what: string): void {
  assert.equal(actual.length, wanted.length, what);
  let worst = 0;
  actual.forEach((row, i) => {
    row.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(v - wanted[i][j]));
    });
  });
  assert.ok(worst < 1e-5, `${what}: largest difference from Node's prediction ${worst}`);
}

test("saved models load and predict the same in Chromium, with plain tfjs (pruned) and with the library (L0)", async () => {
  const { withChromium } = await import(pathToFileURL(join(root, "tools", "chromium.mjs")).href);
  const problems: string[] = [];
  await withChromium(chromiumPath, async (context: BrowserContext) => {
    await serveSite(context, site, problems);

    const plain = await context.newPage();
    watch(plain, "plain.html", problems);
    await plain.goto(`${ORIGIN}/plain.html`);
    const plainResult = await plain.evaluate(async (x: number[][]) => {
      const tf = (globalThis as unknown as { tf: typeof import("@tensorflow/tfjs") }).tf;
      await tf.setBackend("cpu");
      const model = await tf.loadLayersModel("/pruned/model.json");
      const output = (model.predict(tf.tensor2d(x)) as import("@tensorflow/tfjs").Tensor2D).arraySync();
      const l0Error = await tf.loadLayersModel("/l0/model.json").then(
        () => "loaded",
        (error: Error) => error.message,
      );
      return { output, l0Error, classes: model.layers.map((layer) => layer.getClassName()) };
    }, expected.prunedX);
    assert.deepEqual([...new Set(plainResult.classes)], ["Dense"]);
    assertClose(plainResult.output, expected.prunedOutput, "pruned model in plain tfjs");
    assert.match(plainResult.l0Error, /Unknown layer: L0Dense/);

    const library = await context.newPage();
    const logs: string[] = [];
    library.on("console", (m) => logs.push(m.text()));
    watch(library, "library.html", problems);
    await library.goto(`${ORIGIN}/library.html`);
    const libraryResult = await library.evaluate(
      async ({ x, bundle }: { x: number[][]; bundle: string }) => {
        const l0 = await import(bundle);
        const backend = await l0.useBackend();
        const model = await l0.tf.loadLayersModel("/l0/model.json");
        const output = model.predict(l0.tf.tensor2d(x)).arraySync();
        const unitsLeft = l0.l0Layers(model).map((layer: { unitsLeft(): number }) => layer.unitsLeft());
        const data = {
          x: l0.tf.randomNormal([20, 10], 0, 1, "float32", 1),
          y: l0.tf.randomNormal([20, 3], 0, 1, "float32", 2),
        };
        const { history } = await l0.trainL0(model, data, {
          epochs: 2,
          batchSize: 10,
          loss: "meanSquaredError",
          progress: "browser",
        });
        return {
          backend,
          output,
          unitsLeft,
          epochs: history.length,
          finite: history.every((r: { loss: number }) => Number.isFinite(r.loss)),
        };
      },
      { x: expected.x, bundle: `${ORIGIN}/lib/l0-hard-concrete.mjs` },
    );
    assert.equal(libraryResult.backend, "wasm", "the bundle finds its .wasm files in its own folder");
    assertClose(libraryResult.output, expected.l0Output, "L0 model with the library");
    assert.deepEqual(libraryResult.unitsLeft, expected.unitsLeft);
    assert.equal(libraryResult.epochs, 2);
    assert.ok(libraryResult.finite);
    assert.ok(
      logs.some((line) => line.startsWith("browser: done 4/4")),
      `progress lines: ${logs.join(" | ")}`,
    );
  });
  assert.deepEqual(problems, []);
});
