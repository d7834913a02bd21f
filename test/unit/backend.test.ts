import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { availableBackends, BACKENDS, backendName, useBackend } from "l0-hard-concrete";
import { addBackendLoader } from "l0-hard-concrete/internal/backend";

describe("backend choice", () => {
  test("lists the available backends fastest first; cpu is always there", async () => {
    const present = await availableBackends();
    assert.ok(present.includes("cpu"));
    assert.deepEqual(
      present,
      BACKENDS.filter((name) => present.includes(name)),
    );
  });

  test("useBackend() picks the fastest installed backend and says which", async () => {
    const chosen = await useBackend();
    assert.equal(chosen, (await availableBackends())[0]);
    assert.equal(backendName(), chosen);
    assert.equal(tf.getBackend(), chosen);
  });

  test("every installed backend can be selected by name", async () => {
    for (const name of await availableBackends()) {
      assert.equal(await useBackend(name), name);
      assert.equal(tf.getBackend(), name);
    }
    await useBackend();
  });

  test("an unknown name is refused with the list of names", async () => {
    await assert.rejects(
      useBackend("webgpu" as never),
      /useBackend: name must be one of tensorflow, wasm, cpu, got "webgpu"/,
    );
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
});
