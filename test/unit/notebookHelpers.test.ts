/**
 * The notebook helpers of `l0-hard-concrete/notebook`: the one-line checks (which
 * must throw when their claim is false, naming claim, value, expectation and
 * tolerance), the figure builders, the statistics behind the checks, and the
 * tensor readers (which must free every tensor).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  atoms,
  binomialStandardError,
  CheckFailure,
  check,
  checkAbove,
  checkBelow,
  grid,
  histogram,
  histogramBars,
  image,
  ksCriticalValue,
  ksDistance,
  line,
  meanAndStandardError,
  numberOf,
  numbersOf,
  plot,
  showFigure,
  sliderPlot,
} from "l0-hard-concrete/notebook";

/** Runs `f` with console.log captured; returns the lines printed. */
function printed(f: () => void): string[] {
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    f();
  } finally {
    console.log = log;
  }
  return lines;
}

describe("check", () => {
  test("a true claim prints one line with the claim, value, expectation, tolerance and reason", () => {
    const lines = printed(() => check("P(z ≠ 0) at log α = 0", 0.83198, 0.832, 5e-4, "quoted to 3 decimals"));
    assert.deepEqual(lines, ["✓ P(z ≠ 0) at log α = 0: 0.83198 ≈ 0.832 (|Δ| 2e-5 ≤ 5e-4: quoted to 3 decimals)"]);
  });

  test("a false claim throws a CheckFailure naming the claim, value, expected value and tolerance", () => {
    assert.throws(
      () => check("P(z ≠ 0) at log α = 0", 0.9, 0.832, 5e-4, "quoted to 3 decimals"),
      (error: Error) =>
        error instanceof CheckFailure &&
        /check failed: P\(z ≠ 0\) at log α = 0: value = 0\.9, expected 0\.832 ± 0\.0005/.test(error.message) &&
        /quoted to 3 decimals/.test(error.message),
    );
  });

  test("the tolerance is inclusive, and NaN never passes", () => {
    printed(() => check("edge", 1.5, 1, 0.5, "exact in binary"));
    assert.throws(() => check("nan", Number.NaN, 0, 1, "any"), CheckFailure);
    assert.throws(() => check("nan expected", 0, Number.NaN, 1, "any"), CheckFailure);
  });

  test("arrays are checked entry by entry; the failure names the entry", () => {
    const lines = printed(() => check("grid", [1, 2, 3.001], [1, 2, 3], 0.01, "rounding"));
    assert.deepEqual(lines, ["✓ grid: 3 values, worst [2] 3.001 ≈ 3 (|Δ| 1e-3 ≤ 0.01: rounding)"]);
    printed(() => check("broadcast", [0.1, -0.1], 0, 0.1, "one expected value for all"));
    assert.throws(
      () => check("grid", [1, 2.5, 3], [1, 2, 3], 0.01, "rounding"),
      /value\[1\] = 2\.5, expected 2 ± 0\.01/,
    );
  });

  test("bad arguments are refused by name", () => {
    assert.throws(() => check("", 1, 1, 0, "r"), /check: claim must be a non-empty string/);
    assert.throws(() => check("c", 1, 1, -1, "r"), /check: tolerance must be a finite number ≥ 0, got -1/);
    assert.throws(() => check("c", [1, 2], [1, 2, 3], 0, "r"), /check: expected must be one number or 2 numbers/);
    assert.throws(() => check("c", 1, 1, 0, ""), /check: reason must be a non-empty string/);
    assert.throws(() => check("c", [], 1, 0, "r"), /check: value must be a number or a non-empty array/);
  });
});

describe("checkBelow and checkAbove", () => {
  test("a bound that holds prints one line; the worst entry is shown", () => {
    assert.deepEqual(
      printed(() => checkBelow("KS distance", 0.003, 0.0044, "level 0.001")),
      ["✓ KS distance: 0.003 < 0.0044 (level 0.001)"],
    );
    assert.deepEqual(
      printed(() => checkAbove("sample ratios", [12, 7, 30], 5, "the claim in the prose")),
      ["✓ sample ratios: 3 values, worst [1] 7 > 5 (the claim in the prose)"],
    );
  });

  test("a bound that fails throws, also at equality and for NaN", () => {
    assert.throws(() => checkBelow("d", 0.005, 0.0044, "level"), /check failed: d: value = 0\.005, expected < 0\.0044/);
    assert.throws(() => checkBelow("d", 1, 1, "strict"), CheckFailure);
    assert.throws(() => checkAbove("r", [6, 4], 5, "x"), /value\[1\] = 4, expected > 5/);
    assert.throws(() => checkAbove("r", Number.NaN, 0, "x"), CheckFailure);
  });
});

describe("figure builders", () => {
  test("showFigure prints a one-line summary outside a notebook and refuses a trace type the pages cannot draw", (t) => {
    const printed: string[] = [];
    t.mock.method(console, "log", (line: string) => printed.push(line));
    showFigure({ data: [{ type: "bar" }, {}], layout: { title: { text: "T" } } });
    assert.deepEqual(printed, ["Figure: T (2 traces: bar, scatter)"]);
    // plotly's cartesian bundle has no 3-D traces: the figure would stay blank in every front end.
    assert.throws(
      () => showFigure({ data: [{ type: "scatter" }, { type: "scatter3d" }] }),
      /figureBundle: figure.data\[1\].type must be one of plotly's cartesian bundle \(bar, .*violin\), got "scatter3d"/,
    );
    assert.throws(() => showFigure({ data: [{ type: 3 }] }), /figure.data\[0\].type .* got 3/);
  });

  test("grid includes both ends", () => {
    assert.deepEqual(grid(-1, 1, 5), [-1, -0.5, 0, 0.5, 1]);
    assert.throws(() => grid(0, 1, 1), /grid: count must be an integer ≥ 2/);
  });

  test("line evaluates a function on x, rounds to 6 digits and turns non-finite values into gaps", () => {
    const trace = line("1/x", [1, 3, 0], (x) => 1 / x, { dash: "dot", rightAxis: true });
    assert.deepEqual(trace.x, [1, 3, 0]);
    assert.deepEqual(trace.y, [1, 0.333333, null]);
    assert.equal(trace.yaxis, "y2");
    assert.throws(() => line("bad", [1, 2], [1]), /line: y must be 2 values, one per x, got "1 values"/);
  });

  test("histogram counts samples per bin and normalises to a density", () => {
    const h = histogram([0.05, 0.15, 0.16, 0.95, 1.5, -0.2], { start: 0, end: 1, width: 0.1 });
    assert.equal(h.counts.length, 10);
    assert.deepEqual(h.counts, [1, 2, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert.equal(h.n, 6);
    assert.ok(Math.abs(h.density[1] - 2 / (6 * 0.1)) < 1e-12);
    assert.ok(Math.abs(h.centres[0] - 0.05) < 1e-12);
    assert.equal(histogramBars("h", h).width, 0.1);
    assert.throws(() => histogram([1], { start: 0, end: 1, width: 0.3 }), /histogram: bins must be start < end/);
  });

  test("histogram of the continuous part of a mixed sample divides by the whole sample size", () => {
    const h = histogram([0.05, 0.15, 0.16], { start: 0, end: 1, width: 0.1 }, 6);
    assert.equal(h.n, 6);
    assert.ok(Math.abs(h.density[1] - 2 / (6 * 0.1)) < 1e-12);
    assert.ok(Math.abs(h.density.reduce((a, b) => a + b, 0) * h.width - 0.5) < 1e-12, "area = 3 of 6 samples");
    assert.throws(
      () => histogram([0.1, 0.2], { start: 0, end: 1, width: 0.1 }, 1),
      /histogram: total must be an integer ≥/,
    );
    assert.throws(() => histogram([0.1], { start: 0, end: 1, width: 0.1 }, 2.5), /histogram: total must be/);
  });

  test("atoms draws one labelled spike per point mass on the right-hand axis", () => {
    const trace = atoms("P(z = 0), P(z = 1)", [
      { x: 0, mass: 0.168 },
      { x: 1, mass: 0.2 },
    ]);
    assert.deepEqual(trace.x, [0, 0, null, 1, 1, null]);
    assert.deepEqual(trace.y, [0, 0.168, null, 0, 0.2, null]);
    assert.deepEqual(trace.text, ["", "0.168", "", "", "0.200", ""]);
    assert.equal(trace.yaxis, "y2");
  });

  test("image cuts row-major values into rows, and plot puts row 0 at the top with square pixels", () => {
    const trace = image("ẑ", [0, 0.5, 1, 0.25, 0.75, 1 / 3], 2, 3, { zmin: 0, zmax: 1 });
    assert.deepEqual(trace.z, [
      [0, 0.5, 1],
      [0.25, 0.75, 0.333333],
    ]);
    assert.equal(trace.type, "heatmap");
    assert.throws(() => image("ẑ", [0, 1, 2], 2, 2, { zmin: 0, zmax: 1 }), /image: values .*rows · columns = 2 · 2/);
    const layout = plot([trace], { title: "t", x: "column", y: "row", image: true }).layout as Record<string, unknown>;
    assert.deepEqual(layout.yaxis, { title: { text: "row" }, autorange: "reversed", scaleanchor: "x" });
  });

  test("plot sets titles, ranges, log scales and a right-hand axis", () => {
    const figure = plot([line("a", [1, 2], [3, 4])], {
      title: "T",
      x: "x (unit)",
      y: "y (unit)",
      y2: "mass",
      logX: true,
      yRange: [0, 5],
    });
    const layout = figure.layout as Record<string, Record<string, unknown>>;
    assert.deepEqual(layout.title, { text: "T" });
    assert.equal(layout.xaxis.type, "log");
    assert.deepEqual(layout.yaxis.range, [0, 5]);
    assert.equal(layout.yaxis2.overlaying, "y");
    const ticked = plot([line("a", [1, 2], [3, 40])], { title: "T", x: "x", y: "y", logY: true, yTicks: [3, 10, 40] });
    const yaxis = (ticked.layout as Record<string, Record<string, unknown>>).yaxis;
    assert.deepEqual([yaxis.type, yaxis.tickvals, yaxis.ticktext], ["log", [3, 10, 40], ["3", "10", "40"]]);
    assert.throws(
      () => plot([], { title: "T", x: "x", y: "y", yTicks: [1, Number.NaN] }),
      /plot: options\.yTicks must be an array of finite numbers, got/,
    );
  });

  test("sliderPlot makes one frame per step, starts at the active step and checks the steps", () => {
    const steps = [0, 1, 2].map((k) => ({
      label: `k = ${k}`,
      traces: [line("c", [0, 1], [k, k])],
      title: `k is ${k}`,
    }));
    const figure = sliderPlot(steps, { title: "T", x: "x", y: "y", prefix: "k: ", active: 1 });
    assert.equal(figure.frames?.length, 3);
    assert.deepEqual((figure.data[0] as { y: number[] }).y, [1, 1]);
    const layout = figure.layout as { sliders: { active: number; steps: { args: unknown[] }[] }[]; title: unknown };
    assert.equal(layout.sliders[0].active, 1);
    assert.deepEqual(layout.sliders[0].steps[2].args[0], ["k = 2"]);
    assert.deepEqual(layout.title, { text: "k is 1" });
    const buttons = sliderPlot(steps, { title: "T", x: "x", y: "y", prefix: "", control: "buttons" });
    assert.ok("updatemenus" in (buttons.layout as object) && !("sliders" in (buttons.layout as object)));
    const uneven = [steps[0], { label: "two", traces: [line("a", [0], [0]), line("b", [0], [0])] }];
    assert.throws(
      () => sliderPlot(uneven, { title: "T", x: "x", y: "y", prefix: "" }),
      /steps\[1\]\.traces must be 1 traces/,
    );
    assert.throws(
      () => sliderPlot([steps[0], steps[0]], { title: "T", x: "x", y: "y", prefix: "" }),
      /steps with distinct labels/,
    );
  });
});

describe("statistics", () => {
  test("ksDistance of a known sample against the uniform CDF", () => {
    const uniform = (x: number) => Math.min(1, Math.max(0, x));
    // Sorted 0.1, 0.4, 0.9: gaps 1/3 − 0.1, 0.4 − 1/3, 2/3 − 0.4, 0.9 − 2/3, 1 − 0.9: the largest is 0.2667.
    assert.ok(Math.abs(ksDistance([0.9, 0.1, 0.4], uniform) - (2 / 3 - 0.4)) < 1e-12);
    assert.equal(ksDistance([0.5], uniform), 0.5);
  });

  test("ksCriticalValue is √(ln(2/level)/2)/√n", () => {
    assert.ok(Math.abs(ksCriticalValue(1) - 1.94947) < 1e-5);
    assert.ok(Math.abs(ksCriticalValue(10_000, 0.01) - 1.62762 / 100) < 1e-7);
    assert.throws(() => ksCriticalValue(0), /ksCriticalValue: n must be an integer ≥ 1/);
  });

  test("meanAndStandardError and binomialStandardError", () => {
    const { mean, standardError } = meanAndStandardError([1, 2, 3, 4]);
    assert.equal(mean, 2.5);
    assert.ok(Math.abs(standardError - Math.sqrt(5 / 3 / 4)) < 1e-12);
    assert.equal(binomialStandardError(0.5, 100), 0.05);
    assert.throws(() => binomialStandardError(1.5, 10), /binomialStandardError: p must be a probability in \[0, 1\]/);
  });
});

describe("numbersOf and numberOf", () => {
  test("read a tensor's entries and free every tensor made on the way", () => {
    const before = tf.memory().numTensors;
    assert.deepEqual(
      numbersOf(() =>
        tf.add(
          tf.tensor2d([
            [1, 2],
            [3, 4],
          ]),
          1,
        ),
      ),
      [2, 3, 4, 5],
    );
    assert.equal(
      numberOf(() => tf.sum(tf.tensor1d([1, 2, 3]))),
      6,
    );
    assert.equal(tf.memory().numTensors, before);
    assert.throws(
      () => numberOf(() => tf.tensor1d([1, 2])),
      /numberOf: compute must be a function returning a tensor of one entry, got a tensor of shape \[2\]/,
    );
    assert.equal(tf.memory().numTensors, before);
  });

  test("read a variable or a tensor made before without freeing it", () => {
    const variable = tf.variable(tf.tensor1d([1, 2]));
    const held = tf.tensor1d([3]);
    const before = tf.memory().numTensors;
    assert.deepEqual(
      numbersOf(() => variable),
      [1, 2],
    );
    assert.equal(
      numberOf(() => held),
      3,
    );
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(Array.from(variable.dataSync()), [1, 2], "the variable is still alive");
    assert.equal(held.isDisposed, false);
    tf.dispose([variable, held]);
  });
});
