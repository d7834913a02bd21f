import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { availableBackends, BACKENDS, backendName, useBackend } from "l0-hard-concrete";
import { addBackendLoader } from "l0-hard-concrete/internal/backend";

/** Whether a package can be loaded here, found independently of the library. */
function installed(name: string): boolean {
  try {
    require(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * The backends the main entry should offer on this machine: wasm (a dependency) and
 * cpu always; tfjs-node only through the Node entry's loader (tested below).
 */
const expected = [...(installed("@tensorflow/tfjs-backend-wasm") ? ["wasm"] : []), "cpu"];

describe("backend choice", () => {
  test("knows the three backends, fastest first", () => {
    assert.deepEqual([...BACKENDS], ["tensorflow", "wasm", "cpu"]);
  });

  test("lists exactly the backends whose packages load here, fastest first", async () => {
    assert.ok(expected.includes("wasm"), "@tensorflow/tfjs-backend-wasm is a dependency");
    assert.deepEqual(await availableBackends(), expected);
  });

  test("useBackend() picks the fastest installed backend, says which, and computes on it", async () => {
    await tf.setBackend("cpu");
    const chosen = await useBackend();
    assert.equal(chosen, expected[0]);
    assert.equal(backendName(), expected[0]);
    assert.equal(tf.getBackend(), expected[0]);
    const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4.5]));
    assert.deepEqual(Array.from(await sum.data()), [4, 6.5]);
    sum.dispose();
  });

  test("every installed backend can be selected by name and computes the same", async () => {
    const results: number[][] = [];
    for (const name of expected) {
      assert.equal(await useBackend(name as (typeof BACKENDS)[number]), name);
      assert.equal(tf.getBackend(), name);
      const product = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([0.5, -1, 2, 0], [2, 2]));
      results.push(Array.from(await product.data()));
      product.dispose();
    }
    for (const result of results) assert.deepEqual(result, [4.5, -1, 9.5, -3]);
    await useBackend();
  });

  test("an unknown name is refused with the list of names, and the backend stays", async () => {
    const current = tf.getBackend();
    await assert.rejects(
      useBackend("webgpu" as never),
      /useBackend: name must be one of tensorflow, wasm, cpu, got "webgpu"/,
    );
    assert.equal(tf.getBackend(), current);
  });

  test("wasmPaths must be a folder URL", async () => {
    await assert.rejects(
      useBackend("wasm", { wasmPaths: "lib" }),
      /useBackend: options.wasmPaths must be a folder URL ending in "\/", got "lib"/,
    );
  });

  // The main entry alone never loads @tensorflow/tfjs-node (a browser bundle must not
  // see it); the Node entry adds a loader for it. Here a loader stands in for it.
  test("tensorflow is offered only once a loader can register it", async () => {
    assert.equal(tf.findBackendFactory("tensorflow"), null, "nothing in this test file loads tfjs-node");
    assert.ok(!(await availableBackends()).includes("tensorflow"));
    await assert.rejects(
      useBackend("tensorflow"),
      /backend "tensorflow" is not available \(npm install @tensorflow\/tfjs-node and import l0-hard-concrete\/node\)/,
    );
    addBackendLoader("tensorflow", () => Promise.reject(new Error("not installed")));
    assert.ok(!(await availableBackends()).includes("tensorflow"), "a loader that fails leaves the backend out");
    let loads = 0;
    addBackendLoader("tensorflow", async () => {
      loads++;
      tf.registerBackend("tensorflow", () => tf.findBackend("cpu")!);
    });
    try {
      assert.deepEqual((await availableBackends()).slice(0, 1), ["tensorflow"]);
      assert.ok((await availableBackends()).includes("tensorflow"));
      assert.equal(loads, 1, "loaded once, then found registered");
    } finally {
      tf.removeBackend("tensorflow");
      addBackendLoader("tensorflow", () => Promise.reject(new Error("not installed")));
    }
  });

  test("the wasm backend leaves a program's own handling of stray errors alone (a tslab kernel prints them and runs on)", () => {
    // In a fresh process: the wasm module's start is what adds Emscripten's handlers.
    const program = `
      const l0 = require("l0-hard-concrete");
      process.on("unhandledRejection", (reason) => console.log("handled rejection:", reason.message));
      process.on("uncaughtException", (error) => console.log("handled exception:", error.message));
      const counts = () => ["uncaughtException", "unhandledRejection"].map((e) => process.listenerCount(e)).join(",");
      const before = counts();
      l0.useBackend("wasm").then((name) => {
        console.log("backend:", name, "handlers before:", before, "after:", counts());
        Promise.reject(new Error("forgotten"));
        setTimeout(() => { throw new Error("late"); }, 10);
        setTimeout(() => console.log("still running"), 100);
      });
    `;
    const run = spawnSync(process.execPath, ["-e", program], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      run.stdout,
      "backend: wasm handlers before: 1,1 after: 1,1\nhandled rejection: forgotten\nhandled exception: late\nstill running\n",
    );
  });
});
