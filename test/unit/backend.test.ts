import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { availableBackends, BACKENDS, backendName, useBackend } from "l0-hard-concrete";

describe("backend choice", () => {
  test("lists the installed backends fastest first; cpu is always there", () => {
    const present = availableBackends();
    assert.ok(present.includes("cpu"));
    assert.deepEqual(
      present,
      BACKENDS.filter((name) => present.includes(name)),
    );
  });

  test("useBackend() picks the fastest installed backend and says which", async () => {
    const chosen = await useBackend();
    assert.equal(chosen, availableBackends()[0]);
    assert.equal(backendName(), chosen);
    assert.equal(tf.getBackend(), chosen);
  });

  test("every installed backend can be selected by name", async () => {
    for (const name of availableBackends()) {
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
});
