/**
 * The gates' WebAssembly kernels (src/kernels/gates.wat, run by src/kernels/gates.ts):
 * on the wasm backend they must run (not fall back to the chains), give the chains'
 * bits for every kind of float32 noise and log α (the sample's logf and sigmoid
 * reimplement those tfjs-backend-wasm's Log and Sigmoid run), for other parameters,
 * for lengths around their four lanes and after the backend's memory has grown, be
 * what `sampleHardConcrete`, the gradient of `expectedL0` and an L0 layer's penalty
 * run, and leave no tensor behind. This file
 * selects the wasm backend itself, so it tests the kernels on every machine.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  expectedL0,
  gateThresholds,
  type HardConcreteParams,
  l0Dense,
  Random,
  sampleHardConcrete,
  useBackend,
} from "l0-hard-concrete";
import type { LayerPenaltyTerms } from "l0-hard-concrete/internal/gates/fused";
import { finiteKernelActive, finitenessProbe, finitenessProbeChain } from "l0-hard-concrete/internal/kernels/finite";
import {
  gatedRowsGradient,
  gatedRowsGradientChain,
  gateFromUniform,
  gateFromUniformChain,
  gateKernelsActive,
  layerPenalty,
  layerPenaltyChain,
  layerPenaltyGradient,
  layerPenaltyGradientChain,
  openProbabilityGradient,
  openProbabilityGradientChain,
} from "l0-hard-concrete/internal/kernels/gates";
import { drawUniform, noiseKernelActive } from "l0-hard-concrete/internal/kernels/noise";
import { sizeOf } from "l0-hard-concrete/internal/kernels/wasmModule";
import { firstDifferent } from "./bits";
import { kernelsOfL0DenseStep } from "./layerStep";

before(async () => {
  await useBackend("wasm");
});

const PAPER: HardConcreteParams = { beta: 2 / 3, gamma: -0.1, zeta: 1.1 };

/** The first entry where kernel and chain differ for noise `u` and `logAlpha`, or −1, with the values. */
function firstDifference(u: Float32Array, logAlpha: Float32Array, params = PAPER) {
  const [kernel, chain] = tf.tidy(() => {
    const [x, a] = [tf.tensor1d(u), tf.tensor1d(logAlpha)];
    return [gateFromUniform(x, a, params).dataSync(), gateFromUniformChain(x, a, params).dataSync()];
  });
  const index = firstDifferent(kernel as Float32Array, chain as Float32Array);
  const at = index === -1 ? "" : `u = ${u[index]}, log α = ${logAlpha[index]}: ${kernel[index]} vs ${chain[index]}`;
  return { index, at };
}

/** Every `step`-th float32 bit pattern from `from` up to `to`. */
function floatsBetween(from: number, to: number, step: number): Float32Array {
  const bits = new Uint32Array(Math.floor((to - from) / step) + 1);
  for (let i = 0; i < bits.length; i++) bits[i] = from + i * step;
  return new Float32Array(bits.buffer);
}

/** `n` values of log α spread over ±6, every seventh over ±100 (beyond the sigmoid's cutoff). */
function logAlphas(n: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: n }, (_, i) => (random.nextUint32() / 2 ** 32 - 0.5) * (i % 7 === 0 ? 200 : 12));
}

describe("the hard concrete sample's WebAssembly kernel", () => {
  test("runs on the wasm backend, one output shaped as log α", () => {
    assert.equal(tf.getBackend(), "wasm");
    assert.ok(gateKernelsActive(), "gates.wat could not be instantiated on the wasm backend's memory");
    const shape = tf.tidy(() => gateFromUniform(tf.fill([6], 0.25), tf.zeros([2, 3]), PAPER).shape);
    assert.deepEqual(shape, [2, 3]);
  });

  test("gives the chain's bits for u in [0, 1] (every 1,021st float32) and special values", () => {
    // u in [0, 1]: u/(1 − u) covers [0, +∞], through subnormals, every binade and 1.
    const u = floatsBetween(0, 0x3f800000, 1021);
    const sweep = firstDifference(u, logAlphas(u.length, 1));
    assert.equal(sweep.index, -1, sweep.at);
    const specialU = [-0, 0, 1e-45, 2 ** -126, 1e-6, 0.5, 1 - 1e-6, 1 - 2 ** -24, 1, 2, -1, Number.NaN];
    const specialLogAlpha = [0, 88, -88, 104, -104, 1e30, -1e30, Infinity, -Infinity, Number.NaN, 2 ** -140, -0];
    const u2 = new Float32Array(specialU.flatMap((x) => specialLogAlpha.map(() => x)));
    const a2 = new Float32Array(specialU.flatMap(() => specialLogAlpha));
    const special = firstDifference(u2, a2);
    assert.equal(special.index, -1, special.at);
  });

  test("gives the chain's bits for other β, γ, ζ and for lengths around its four lanes", () => {
    const u = floatsBetween(0x30000000, 0x3f7fffff, 4093);
    for (const params of [
      { beta: 0.1, gamma: -0.5, zeta: 1.7 },
      { beta: 3, gamma: 0, zeta: 1 },
      { beta: 0.5, gamma: 0, zeta: 1 }, // γ = 0 keeps σ's smallest values, and x reaches ±230: its cutoff shows
    ]) {
      const other = firstDifference(u, logAlphas(u.length, 2), params);
      assert.equal(other.index, -1, `${JSON.stringify(params)}: ${other.at}`);
    }
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 1003]) {
      const values = Float32Array.from({ length: n }, (_, i) => (i + 0.5) / (n + 1));
      const short = firstDifference(values, logAlphas(n, n));
      assert.equal(short.index, -1, `n = ${n}: ${short.at}`);
    }
  });

  test("still works after the backend's memory has grown (it imports the memory, not its buffer)", () => {
    const large = tf.zeros([64 * 1024 * 1024]); // 256 MB: more than the backend has allocated so far
    const u = floatsBetween(0x3e000000, 0x3f000000, 4099);
    large.dispose();
    assert.equal(firstDifference(u, logAlphas(u.length, 3)).index, -1);
  });

  test("is what sampleHardConcrete runs, once, instead of the chain, and frees what it makes", async () => {
    const logAlpha = tf.zeros([1000]);
    tf.dispose(sampleHardConcrete(logAlpha, PAPER, 1));
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => {
      tf.dispose(sampleHardConcrete(logAlpha, PAPER, 1));
    });
    assert.equal(tf.memory().numTensors, before);
    const names = profile.kernels.map((k) => k.name);
    assert.equal(names.filter((name) => name === "L0HardConcreteSample").length, 1, names.join(", "));
    for (const chainKernel of ["Log", "Sigmoid", "ClipByValue"]) {
      assert.ok(!names.includes(chainKernel), `the chain ran: ${names.join(", ")}`);
    }
    logAlpha.dispose();
  });
});

/** (p − p²)·g of kernel and chain for p = P(z ≠ 0) of `logAlpha`, as arrays. */
function bothGradients(logAlpha: Float32Array, g = 0.37): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const p = tf.sigmoid(tf.sub(tf.tensor1d(logAlpha), gateThresholds(PAPER).zero));
    const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
    return [read(openProbabilityGradient(p, tf.scalar(g))), read(openProbabilityGradientChain(p, tf.scalar(g)))];
  });
}

describe("the expected L0 norm's gradient kernel", () => {
  test("gives the chain's bits for (p − p²)·g over float32 log α of both signs and special values", () => {
    const positive = floatsBetween(0, 0x7f800000, 2039); // 0 … +∞ through subnormals and every binade
    const negative = floatsBetween(0x80000000, 0xff800000, 2039);
    const special = [Number.NaN, 0, -0, 1e30, -1e30, 88, -88, 104, -104];
    for (const [name, values] of [
      ["positive", positive],
      ["negative", negative],
      ["special", Float32Array.from(special)],
      ["moderate", logAlphas(100003, 4)],
    ] as [string, Float32Array][]) {
      const [kernel, chain] = bothGradients(values);
      const at = firstDifferent(kernel, chain);
      assert.equal(at, -1, `${name}: at log α = ${values[at]}: ${kernel[at]} vs ${chain[at]}`);
    }
  });

  test("gives the chain's bits for lengths around its four lanes", () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 1003]) {
      const [kernel, chain] = bothGradients(logAlphas(n, 10 + n), -2.5);
      assert.equal(firstDifferent(kernel, chain), -1, `n = ${n}`);
    }
  });

  test("is what the gradient of expectedL0 runs, once, and frees what it makes", async () => {
    const logAlpha = tf.variable(tf.tensor1d(logAlphas(1000, 5)), true, "gateKernelsTestLogAlpha");
    const gradientOf = () => tf.variableGrads(() => expectedL0(logAlpha, 3), [logAlpha]);
    tf.dispose(gradientOf());
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => {
      const { value, grads } = gradientOf();
      tf.dispose([value, grads]);
    });
    assert.equal(tf.memory().numTensors, before);
    const names = profile.kernels.map((k) => k.name);
    assert.equal(names.filter((name) => name === "L0OpenProbabilityGradient").length, 1, names.join(", "));
    assert.ok(!names.includes("Square"), `the chain ran: ${names.join(", ")}`);
    logAlpha.dispose();
  });
});

/** The probe of kernel and chain for `values`, as numbers. */
function bothProbes(values: Float32Array): [number, number] {
  return tf.tidy(() => {
    const x = tf.tensor1d(values);
    return [finitenessProbe(x).dataSync()[0], finitenessProbeChain(x).dataSync()[0]];
  });
}

describe("the finiteness probe's WebAssembly kernel", () => {
  test("runs on the wasm backend", () => {
    assert.ok(finiteKernelActive(), "finite.wat could not be instantiated on the wasm backend's memory");
  });

  test("gives the chain's result, +0 or NaN, over float32 of both signs and every binade, ±∞ and NaN", () => {
    // Every 65,521st bit pattern: both signs, subnormals, every binade and NaNs of both signs.
    const all = floatsBetween(0, 0xffffffff, 65521);
    const [kernel, chain] = bothProbes(all);
    assert.ok(Number.isNaN(kernel) && Number.isNaN(chain), `${kernel} vs ${chain}`);
    const finite = all.filter(Number.isFinite);
    assert.ok(finite.length > all.length / 2);
    assert.deepEqual(bothProbes(finite), [0, 0]);
    assert.ok(Object.is(bothProbes(finite)[0], 0), "+0, not −0");
  });

  test("finds one non-finite entry at every position of short and odd lengths, and gives +0 for none", () => {
    for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1003]) {
      const values = Float32Array.from({ length: n }, (_, i) => (i % 3) * 1e30 - 1);
      assert.ok(Object.is(bothProbes(values)[0], 0), `n = ${n}, all finite`);
      for (const bad of [Infinity, -Infinity, Number.NaN]) {
        for (const at of n > 20 ? [0, 500, n - 1] : Array.from({ length: n }, (_, i) => i)) {
          const withBad = values.slice();
          withBad[at] = bad;
          const [kernel, chain] = bothProbes(withBad);
          assert.ok(Number.isNaN(kernel) && Number.isNaN(chain), `n = ${n}, ${bad} at ${at}: ${kernel} vs ${chain}`);
        }
      }
    }
  });

  test("is what sampleHardConcrete and expectedL0 check log α with, instead of a sum", async () => {
    const logAlpha = tf.tensor1d(logAlphas(1000, 6));
    const profile = await tf.profile(() => {
      tf.dispose([sampleHardConcrete(logAlpha, PAPER, 1), expectedL0(logAlpha, 3)]);
    });
    const names = profile.kernels.map((k) => k.name);
    assert.equal(names.filter((name) => name === "L0FinitenessProbe").length, 2, names.join(", "));
    logAlpha.dispose();
  });
});

/** The first difference between `drawUniform` and `Random.fillUniform` for `n` values (and 8 outputs after), or "". */
function noiseDifference(seed: number, n: number, epsilon: number): string {
  const [kernelRandom, chainRandom] = [new Random(seed), new Random(seed)];
  const drawn = tf.tidy(() => drawUniform(kernelRandom, [n], epsilon).dataSync() as Float32Array);
  const expected = chainRandom.fillUniform(new Float32Array(n), epsilon) as Float32Array;
  const at = firstDifferent(drawn, expected);
  if (at !== -1) return `seed ${seed}, ε = ${epsilon}, n = ${n}: entry ${at}: ${drawn[at]} vs ${expected[at]}`;
  const [after, expectedAfter] = [kernelRandom, chainRandom].map((r) =>
    Array.from({ length: 8 }, () => r.nextUint32()),
  );
  return after.join() === expectedAfter.join() ? "" : `seed ${seed}, n = ${n}: the stream continues differently`;
}

describe("the uniform noise's WebAssembly kernel", () => {
  test("runs on the wasm backend", () => {
    assert.ok(noiseKernelActive(), "noise.wat could not be instantiated on the wasm backend's memory");
  });

  test("gives Random.fillUniform's float32 values and leaves the generator where fillUniform leaves it", () => {
    for (const epsilon of [1e-6, 0, 0.25, 0.4999999]) {
      for (const n of [0, 1, 2, 3, 4, 5, 1003, 100_000]) {
        for (const seed of [1, 0, -7, 2 ** 53 - 1]) assert.equal(noiseDifference(seed, n, epsilon), "");
      }
    }
  });

  test("continues the stream across calls, and after the backend's memory has grown", () => {
    const [kernelRandom, chainRandom] = [new Random(3), new Random(3)];
    const large = tf.zeros([64 * 1024 * 1024]); // 256 MB: more than the backend has allocated so far
    large.dispose();
    const drawn = [drawUniform(kernelRandom, [2, 500], 1e-6), drawUniform(kernelRandom, [7], 1e-6)].flatMap((t) => {
      const values = Array.from(t.dataSync());
      t.dispose();
      return values;
    });
    const expected = Array.from(chainRandom.fillUniform(new Float32Array(1007), 1e-6));
    assert.deepEqual(drawn, expected);
  });

  test("is what sampleHardConcrete draws its noise with: the chain's gates from JavaScript's noise", async () => {
    const logAlpha = tf.tensor1d(logAlphas(10_000, 7));
    const profile = await tf.profile(() => {
      tf.dispose(sampleHardConcrete(logAlpha, PAPER, 11));
    });
    const names = profile.kernels.map((k) => k.name);
    assert.equal(names.filter((name) => name === "L0UniformNoise").length, 1, names.join(", "));
    const [sampled, chain] = tf.tidy(() => {
      const noise = tf.tensor1d(new Random(11).fillUniform(new Float32Array(10_000), 1e-6) as Float32Array);
      return [sampleHardConcrete(logAlpha, PAPER, 11), gateFromUniformChain(noise, logAlpha, PAPER)].map(
        (t) => t.dataSync() as Float32Array,
      );
    });
    assert.equal(firstDifferent(sampled, chain), -1);
    logAlpha.dispose();
  });
});

/** Where kernel and chain differ for the gated rows' gradient of dy and w (n×m) at gates z, or "". */
function gatedRowsDifference(dy: Float32Array, w: Float32Array, z: Float32Array, params = PAPER): string {
  const [n, m] = [z.length, w.length / z.length];
  const [kernel, chain] = tf.tidy(() => {
    const [g, v, gates] = [tf.tensor2d(dy, [n, m]), tf.tensor2d(w, [n, m]), tf.tensor2d(z, [n, 1])];
    const read = (ts: tf.Tensor[]) => ts.map((t) => t.dataSync() as Float32Array);
    return [read(gatedRowsGradient(g, v, gates, params)), read(gatedRowsGradientChain(g, v, gates, params))];
  });
  for (const [i, name] of ["∂log α", "∂W"].entries()) {
    const at = firstDifferent(kernel[i], chain[i]);
    if (at !== -1) return `${n}×${m}, ${name}[${at}]: ${kernel[i][at]} vs ${chain[i][at]}`;
  }
  return "";
}

describe("the gated rows' gradient kernel", () => {
  test("gives the chain's bits for ∂log α and ∂W over shapes around its four lanes and the MLP's", () => {
    const random = new Random(21);
    const uniform = (n: number, scale: number) =>
      Float32Array.from({ length: n }, () => (random.nextUint32() / 2 ** 32 - 0.5) * scale);
    for (const [n, m] of [
      [1, 1],
      [3, 3],
      [2, 4],
      [5, 5],
      [4, 7],
      [9, 13],
      [784, 300],
      [300, 100],
      [100, 10],
    ]) {
      // Gates closed (0), open (1) and fractional, as the sampler gives them.
      const z = Float32Array.from(uniform(n, 3), (x) => Math.min(1, Math.max(0, x + 0.5)));
      assert.equal(gatedRowsDifference(uniform(n * m, 2), uniform(n * m, 0.2), z), "");
    }
  });

  test("gives the chain's bits for special gates, gradients and weights, and for other β, γ, ζ", () => {
    const gates = [0, 1, -0, 0.5, 1e-30, 1 - 2 ** -24, Number.NaN, 2, -0.05];
    const values = [0, -0, 1, -1, 1e30, -1e30, 1e-40, Infinity, -Infinity, Number.NaN, 3.5];
    const m = values.length;
    const z = Float32Array.from(gates);
    const dy = Float32Array.from(gates.flatMap((_, i) => values.map((_, j) => values[(i + j) % m])));
    const w = Float32Array.from(gates.flatMap((_, i) => values.map((_, j) => values[(i * 3 + j * 5 + 1) % m])));
    assert.equal(gatedRowsDifference(dy, w, z), "");
    for (const params of [
      { beta: 0.1, gamma: -0.5, zeta: 1.7 },
      { beta: 3, gamma: 0, zeta: 1 },
    ]) {
      assert.equal(gatedRowsDifference(dy, w, z, params), "", JSON.stringify(params));
    }
  });

  test("is what an L0 dense layer's backward pass runs, once per layer, and frees what it makes", async () => {
    const names = await kernelsOfL0DenseStep(30, 40, 8);
    assert.equal(names.filter((name) => name === "L0GatedRowsGradient").length, 1, names.join(", "));
    assert.ok(!names.includes("Minimum"), `the chain ran: ${names.join(", ")}`);
  });
});

/** The first difference between kernel and chain for a layer's penalty and its gradients, or "". */
function layerPenaltyDifference(
  shapes: { w: number[]; logAlpha: number[]; b: number[] | null },
  values: { w: Float32Array; logAlpha: Float32Array; b: Float32Array | null; dy: number },
  terms: LayerPenaltyTerms,
  zero: number,
): string {
  return tf.tidy(() => {
    const w = tf.tensor(values.w, shapes.w);
    const a = tf.tensor(values.logAlpha, shapes.logAlpha);
    const b = shapes.b === null || values.b === null ? null : tf.tensor(values.b, shapes.b);
    const dy = tf.scalar(values.dy);
    const kernel = layerPenalty(a, w, b, terms, zero);
    const chain = layerPenaltyChain(a, w, b, terms, zero);
    const pairs: [string, tf.Tensor, tf.Tensor][] = [
      ["p", kernel[0], chain[0]],
      ["c", kernel[1], chain[1]],
      ["total", kernel[2], chain[2]],
    ];
    const gradients = layerPenaltyGradient(dy, kernel[0], kernel[1], w, b, terms);
    const chainGradients = layerPenaltyGradientChain(dy, chain[0], chain[1], w, b, terms);
    assert.equal(gradients.length, chainGradients.length);
    gradients.forEach((g, i) => {
      pairs.push([["∂log α", "∂W", "∂b"][i], g, chainGradients[i]]);
    });
    for (const [name, k, c] of pairs) {
      assert.deepEqual(k.shape, c.shape, name);
      const [x, y] = [k.dataSync() as Float32Array, c.dataSync() as Float32Array];
      const at = firstDifferent(x, y);
      if (at !== -1) return `${name}[${at}]: ${x[at]} vs ${y[at]}`;
    }
    return "";
  });
}

describe("the layer penalty's kernels", () => {
  const random = new Random(33);
  const uniform = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => (random.nextUint32() / 2 ** 32 - 0.5) * scale);
  const terms = (axis: number | null, biasGated: boolean): LayerPenaltyTerms => ({
    perGate: (0.1 * 300) / 8000,
    halfDecay: 2.5e-4,
    axis,
    biasGated,
  });
  const { zero } = gateThresholds(PAPER);
  // Gates by input of a dense kernel (rows), one per weight, and by output channel of a convolution.
  const layouts: { w: number[]; axis: number | null; bias: "none" | "ungated" | "gated" }[] = [
    { w: [784, 300], axis: 0, bias: "ungated" },
    ...[
      [1, 1],
      [2, 3],
      [3, 5],
      [4, 4],
      [5, 2],
      [9, 7],
    ].flatMap((w) => [
      { w, axis: 0, bias: "ungated" as const },
      { w, axis: 0, bias: "none" as const },
      { w, axis: null, bias: "ungated" as const },
      { w, axis: null, bias: "none" as const },
    ]),
    { w: [6], axis: 0, bias: "ungated" },
    { w: [3, 3, 2, 5], axis: 3, bias: "gated" },
    { w: [3, 3, 2, 8], axis: 3, bias: "gated" },
    { w: [2, 2, 3, 3], axis: 3, bias: "none" },
    { w: [2, 2, 3, 6], axis: null, bias: "ungated" },
  ];
  const shapesOf = ({ w, axis, bias }: (typeof layouts)[number]) => ({
    w,
    logAlpha: axis === null ? w : [w[axis]],
    b: bias === "none" ? null : [w[w.length - 1]],
  });

  test("give the chain's bits for p, c, the total and the gradients, for each layout and lengths around four lanes", () => {
    for (const layout of layouts) {
      const shapes = shapesOf(layout);
      const values = {
        w: uniform(sizeOf(shapes.w), 2),
        logAlpha: logAlphas(sizeOf(shapes.logAlpha), 40 + shapes.w.length),
        b: shapes.b === null ? null : uniform(sizeOf(shapes.b), 0.2),
        dy: 0.37,
      };
      const found = layerPenaltyDifference(shapes, values, terms(layout.axis, layout.bias === "gated"), zero);
      assert.equal(found, "", JSON.stringify(layout));
    }
  });

  test("give the chain's bits for special weights, log α, biases, gradients and constants", () => {
    const special = [0, -0, 1, -1, 1e30, -1e30, 1e-40, 3e-39, Infinity, -Infinity, Number.NaN, 88, -104];
    const cycle = (n: number, shift: number) =>
      Float32Array.from({ length: n }, (_, i) => special[(i * shift + 1) % 13]);
    for (const layout of [layouts[0], { w: [13, 5], axis: 0, bias: "ungated" as const }, ...layouts.slice(-4)]) {
      const shapes = shapesOf(layout);
      for (const dy of [1, 0, -0, -2.5, 1e30, Number.NaN]) {
        for (const [perGate, halfDecay] of [
          [0.004, 2.5e-4],
          [0, 0],
          [1e30, 1e30],
        ]) {
          const values = {
            w: cycle(sizeOf(shapes.w), 5),
            logAlpha: cycle(sizeOf(shapes.logAlpha), 3),
            b: shapes.b === null ? null : cycle(sizeOf(shapes.b), 7),
            dy,
          };
          const layoutTerms = { ...terms(layout.axis, layout.bias === "gated"), perGate, halfDecay };
          const found = layerPenaltyDifference(shapes, values, layoutTerms, zero);
          assert.equal(found, "", `${JSON.stringify(layout)}, dy = ${dy}, perGate ${perGate}, halfDecay ${halfDecay}`);
        }
      }
    }
  });

  test("are what an L0 layer's penalty runs, once each way, and free what they make", async () => {
    const layer = l0Dense({ units: 7, inputShape: [9], seed: 3, lambda: 0.1, datasetSize: 100, weightDecay: 5e-4 });
    const model = tf.sequential({ layers: [layer] });
    const variables = model.trainableWeights.map((v) => v.read() as tf.Variable);
    const gradients = () => {
      const { value, grads } = tf.variableGrads(() => layer.penalty(), variables);
      tf.dispose([value, grads]);
    };
    gradients();
    const before = tf.memory().numTensors;
    const profile = await tf.profile(gradients);
    assert.equal(tf.memory().numTensors, before, "the penalty's step leaves tensors behind");
    const names = profile.kernels.map((k) => k.name);
    for (const name of ["L0LayerPenalty", "L0LayerPenaltyGradient"]) {
      assert.equal(names.filter((n) => n === name).length, 1, names.join(", "));
    }
    assert.ok(!names.includes("Sigmoid") && !names.includes("Square"), `the chain ran: ${names.join(", ")}`);
    model.dispose();
  });
});
