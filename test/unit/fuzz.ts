// Shared pieces of the fuzz tests (fuzzGates, fuzzLibrary): generated inputs with the edge
// values of issue 15 mixed in, the number of cases per export, and the assertion that bad
// input gets an Error naming the function and the parameter, never a silent NaN.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";

/** Generated cases per export and kind (valid, invalid); tensor cases are batched (see `BATCH`). */
export const CASES = 10_000;
/** Values per tensor in a batched tensor case: `CASES / BATCH` runs of `BATCH` values each. */
export const BATCH = 100;
export const BATCH_RUNS = CASES / BATCH;

/** The smallest subnormal, a mid subnormal, the smallest normal double and float32, and the largest finite double. */
export const TINY = [Number.MIN_VALUE, 1e-310, 2 ** -1022, 2 ** -126, 2 ** -149];
export const HUGE = [Number.MAX_VALUE, 3.4028234663852886e38, 1e300];

/** Finite edge values of issue 15: 0, ±1, ±1000, subnormals, the largest floats. */
export const FINITE_EDGES = [
  0,
  -0,
  1,
  -1,
  1000,
  -1000,
  0.5,
  ...TINY,
  ...TINY.map((t) => -t),
  ...HUGE,
  ...HUGE.map((h) => -h),
];
export const NON_FINITE = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

/** Mixes the given edge values (about one case in five) into `arbitrary`. */
export function withEdges(edges: readonly number[], arbitrary: fc.Arbitrary<number>): fc.Arbitrary<number> {
  return fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...edges) }, { weight: 4, arbitrary });
}

/** Any finite double, edges included. */
export const finite = withEdges(FINITE_EDGES, fc.double({ noNaN: true, noDefaultInfinity: true }));
/** log α: mostly [−1000, 1000] (the range), sometimes any finite double. */
export const logAlpha = withEdges(
  FINITE_EDGES,
  fc.oneof(
    { weight: 3, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true }) },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  ),
);
/** A number in [0, 1], end points and subnormals included. */
export const unit = withEdges(
  [0, 1, 0.5, ...TINY, 1 - 2 ** -53, 1 - 2 ** -24],
  fc.double({ min: 0, max: 1, noNaN: true }),
);
/** A number in (0, 1). */
export const openUnit = withEdges(
  [0.5, ...TINY, 1 - 2 ** -53, 1 - 2 ** -24],
  fc.double({ min: 0, max: 1, noNaN: true, minExcluded: true, maxExcluded: true }),
);

/** Not a number at all: strings, null, undefined, objects, arrays, booleans. */
export const notANumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, true, "0.5", "", {}, [], [1]),
  fc.string({ maxLength: 4 }),
);

/** Not an integer ≥ `min` (non-integers, smaller integers, non-finite values, non-numbers). */
export const notIntegerFrom = (min: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.integer({ min: -1e9, max: min - 1 }),
    fc.double({ noNaN: true }).filter((x) => !Number.isInteger(x)),
    fc.constantFrom(...NON_FINITE, 0.5, 1.5),
    notANumber,
  );
/** `arbitrary` without `undefined` and `null`: an optional parameter or option then takes its default. */
export function given(arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return arbitrary.filter((v) => v !== undefined && v !== null);
}
/** Any value that is not a finite number. */
export const notFinite: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom(...NON_FINITE), notANumber);
/** Any value except a number in (lo, hi) (or [lo, hi] with `closed`). */
export function outside(lo: number, hi: number, closed = false): fc.Arbitrary<unknown> {
  const reals = fc.double().filter((x) => Number.isNaN(x) || (closed ? x < lo || x > hi : x <= lo || x >= hi));
  const bounds = closed ? [] : [lo, hi];
  const edges = [
    ...NON_FINITE,
    ...bounds,
    ...FINITE_EDGES.filter((x) => (closed ? x < lo || x > hi : x <= lo || x >= hi)),
  ];
  return fc.oneof(fc.constantFrom(...edges), reals, notANumber);
}

/** Hard concrete parameters around the paper's (β = 2/3, γ = −0.1, ζ = 1.1), far enough for any use. */
export const params = fc.record({
  beta: withEdges([2 / 3, 0.5, 1e-3, 10], fc.double({ min: 1e-3, max: 10, noNaN: true })),
  gamma: withEdges([-0.1, -1e-3, -5], fc.double({ min: -5, max: -1e-3, noNaN: true })),
  zeta: withEdges([1.1, 1 + 1e-3, 6], fc.double({ min: 1 + 1e-3, max: 6, noNaN: true })),
});
/** The parameters with γ = 1 − ζ, the symmetric stretch of the paper. */
export const symmetricParams = fc
  .record({ beta: fc.double({ min: 1e-2, max: 10, noNaN: true }), zeta: fc.double({ min: 1.01, max: 6, noNaN: true }) })
  .map(({ beta, zeta }) => ({ beta, gamma: 1 - zeta, zeta }));

/** One invalid parameter field (β ≤ 0, γ ≥ 0, ζ ≤ 1, non-finite, not a number) and its name. */
export const badParams = fc.oneof(
  fc.record({ name: fc.constant("beta"), value: outside(0, Number.POSITIVE_INFINITY) }),
  fc.record({ name: fc.constant("gamma"), value: outside(Number.NEGATIVE_INFINITY, 0) }),
  fc.record({ name: fc.constant("zeta"), value: outside(1, Number.POSITIVE_INFINITY) }),
);
export function withBad(bad: { name: string; value: unknown }) {
  return { beta: 2 / 3, gamma: -0.1, zeta: 1.1, [bad.name]: bad.value } as unknown as {
    beta: number;
    gamma: number;
    zeta: number;
  };
}

/**
 * Asserts that `call` throws an Error whose message names the function and the
 * parameter (`where: name…`, an index may follow the name), what was expected and
 * the value received (`must be …, got …`): the library's error format (src/validate.ts).
 */
export function throwsNaming(call: () => unknown, where: string, name: string): void {
  assert.throws(
    () => withoutStacks(call),
    (error: unknown) => {
      assert.ok(error instanceof Error, `not an Error: ${String(error)}`);
      assert.ok(
        error.message.startsWith(`${where}: ${name}`) && / must be .+, got /.test(error.message),
        `expected "${where}: ${name} must be …, got …", got "${error.message}"`,
      );
      return true;
    },
  );
}

/**
 * Runs `call` with no stack trace captured for the errors it throws. The fuzz tests expect
 * errors by the ten thousand and read their messages only; capturing their stacks took about
 * a third of the CPU time of a fuzz file (measured: 13.2 s vs 9.1 s with
 * `--stack-trace-limit=0` for fuzzExports). An unexpected error still shows its message.
 */
export function withoutStacks<T>(call: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return call();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Asserts that `run` leaves as many tensors as it found. */
export function noLeak(what: string, run: () => void): void {
  const before = tf.memory().numTensors;
  run();
  assert.equal(tf.memory().numTensors, before, `${what} leaks tensors`);
}

/** |actual − expected| ≤ tolerance, with a message naming the case. */
export function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (tolerance ${tolerance})`);
}

/** 0 ≤ v ≤ 1 and not NaN. */
export function inUnit(v: number, what: string): void {
  assert.ok(v >= 0 && v <= 1, `${what}: ${v} is not in [0, 1]`);
}

/** fast-check settings: `CASES` runs, fixed seed (reproducible). */
export const RUNS = { numRuns: CASES, seed: 15, includeErrorInReport: true } as const;
export const TENSOR_RUNS = { numRuns: BATCH_RUNS, seed: 15, includeErrorInReport: true } as const;
