/**
 * The live gate pipeline (chapter 06's page): sliders for log α, β, γ, ζ, and
 * 20,000 samples that the library draws in the page through the steps of the
 * hard concrete gate (Louizos, Welling & Kingma 2018, Sec. 2.2):
 *
 *   u ~ U(0, 1) → L = log u − log(1 − u) → s = σ((L + log α)/β) → s̄ = s(ζ − γ) + γ → z = min(1, max(0, s̄))
 *
 * with the histograms of s̄ and z, the atoms P(z = 0) and P(z = 1) in closed form
 * next to their sample shares, and the test-time gate ẑ of Eq. 13, all redrawn as
 * a slider moves. The noise u stays the same while the sliders move (so each
 * sample can be followed); "New samples" draws fresh noise. A parameter the
 * library refuses (a slider range set wrong) shows the library's error instead
 * of numbers.
 */
import {
  binaryConcreteFromNoise,
  clampToUnit,
  DEFAULT_PARAMS,
  type HardConcreteParams,
  hardConcreteParams,
  logit,
  probFractional,
  probOne,
  probZero,
  stretch,
  testTimeGate,
  tf,
  uniformNoise,
} from "./library";
import { FIGURE_CONFIG, plotly } from "./plotly";
import { element, errorBox, formatNumber, type Slider, slider } from "./ui";

/** Samples drawn per setting. */
const SAMPLES = 20_000;
/** Seed of the first draw of u; "New samples" adds one. */
const FIRST_SEED = 2018;
/** Samples shown step by step in the table. */
const ROWS = 5;
/** Bars of the histogram of the fractional gates on (0, 1). */
const Z_BINS = 20;
/** At most this many bars in the histogram of s̄. */
const MAX_SBAR_BINS = 400;

/** The four slider values and the seed of the noise. */
interface Settings {
  readonly logAlpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly zeta: number;
  readonly seed: number;
}

/** The five stages of every sample (float32, as the library computes them). */
interface Stages {
  readonly u: Float32Array;
  readonly L: Float32Array;
  readonly s: Float32Array;
  readonly sBar: Float32Array;
  readonly z: Float32Array;
}

/** The library's closed forms for one setting. */
interface ClosedForms {
  readonly probZero: number;
  readonly probOne: number;
  readonly probFractional: number;
  readonly testTimeGate: number;
}

/**
 * Draws the samples through the library's steps: `uniformNoise`, `logit`,
 * `binaryConcreteFromNoise`, `stretch`, `clampToUnit` (each validates its input).
 */
function drawStages(logAlpha: number, params: HardConcreteParams, seed: number): Stages {
  const tensors = tf.tidy(() => {
    const u = uniformNoise([SAMPLES], seed);
    const s = binaryConcreteFromNoise(logAlpha, u, params.beta);
    const sBar = stretch(s, params);
    return [u, logit(u), s, sBar, clampToUnit(sBar)];
  });
  const [u, L, s, sBar, z] = tensors.map((t) => t.dataSync() as Float32Array);
  tf.dispose(tensors);
  return { u, L, s, sBar, z };
}

/** Counts of `values` in bars of width `width` starting at `start` (values outside are left out). */
function barCounts(values: ArrayLike<number>, start: number, width: number, bars: number): number[] {
  const counts = new Array<number>(bars).fill(0);
  for (let i = 0; i < values.length; i++) {
    const bar = Math.floor((values[i] - start) / width);
    if (bar >= 0 && bar < bars) counts[bar]++;
  }
  return counts;
}

/** The bar width for s̄ on (γ, ζ): 1/40 (so 0 and 1 are bar edges), wider when that would make too many bars. */
function sBarWidth(gamma: number, zeta: number): number {
  return Math.max(1 / 40, (zeta - gamma) / MAX_SBAR_BINS);
}

/** The figure: the histogram of s̄ (top; coloured by where the clamp sends it) and of z (bottom) with the closed forms. */
function figure(settings: Settings, stages: Stages, closed: ClosedForms): { data: object[]; layout: object } {
  const { gamma, zeta } = settings;
  const width = sBarWidth(gamma, zeta);
  const start = Math.floor(gamma / width) * width;
  const bars = Math.ceil((zeta - start) / width);
  const sBarCounts = barCounts(stages.sBar, start, width, bars);
  const centres = sBarCounts.map((_, k) => start + (k + 0.5) * width);
  const part = (keep: (centre: number) => boolean) => ({
    x: centres.filter(keep),
    y: sBarCounts.filter((_, k) => keep(centres[k])).map((c) => c / SAMPLES),
  });
  const zWidth = 1 / Z_BINS;
  const inside = Array.from(stages.z).filter((v) => v > 0 && v < 1);
  const zCounts = barCounts(inside, 0, zWidth, Z_BINS);
  const zeros = stages.z.filter((v) => v === 0).length / SAMPLES;
  const ones = stages.z.filter((v) => v === 1).length / SAMPLES;
  const top = Math.max(zeros, ones, closed.probZero, closed.probOne, ...zCounts.map((c) => c / SAMPLES));
  const bar = (name: string, color: string, xy: { x: number[]; y: number[] }, w: number, axis: 1 | 2) => ({
    type: "bar",
    name,
    ...xy,
    width: w,
    marker: { color },
    xaxis: axis === 1 ? "x" : "x2",
    yaxis: axis === 1 ? "y" : "y2",
    legendgroup: name,
  });
  const data = [
    bar(
      "s̄ ≤ 0: clamped to z = 0",
      "#cf222e",
      part((c) => c < 0),
      width,
      1,
    ),
    bar(
      "0 < s̄ < 1",
      "#8c959f",
      part((c) => c > 0 && c < 1),
      width,
      1,
    ),
    bar(
      "s̄ ≥ 1: clamped to z = 1",
      "#1a7f37",
      part((c) => c > 1),
      width,
      1,
    ),
    bar("z = 0 (samples)", "#cf222e", { x: [0], y: [zeros] }, 0.04, 2),
    bar(
      "0 < z < 1",
      "#8c959f",
      { x: zCounts.map((_, k) => (k + 0.5) * zWidth), y: zCounts.map((c) => c / SAMPLES) },
      zWidth,
      2,
    ),
    bar("z = 1 (samples)", "#1a7f37", { x: [1], y: [ones] }, 0.04, 2),
    {
      type: "scatter",
      mode: "markers",
      name: "P(z = 0), P(z = 1): closed form",
      x: [0, 1],
      y: [closed.probZero, closed.probOne],
      marker: { symbol: "diamond", size: 11, color: "#1f2328" },
      xaxis: "x2",
      yaxis: "y2",
      meta: "closed-form-atoms",
    },
    {
      type: "scatter",
      mode: "lines",
      name: "ẑ (Eq. 13, test time)",
      x: [closed.testTimeGate, closed.testTimeGate],
      y: [0, top * 1.05],
      line: { color: "#0b5cad", dash: "dash", width: 2 },
      xaxis: "x2",
      yaxis: "y2",
      meta: "test-time-gate",
    },
  ];
  const layout = {
    height: 560,
    margin: { l: 50, r: 10, t: 30, b: 10 },
    bargap: 0,
    barmode: "overlay",
    showlegend: true,
    legend: { orientation: "h", y: -0.12, font: { size: 11 } },
    xaxis: { domain: [0, 1], anchor: "y", range: [Math.min(gamma, -0.05) - 0.02, Math.max(zeta, 1.05) + 0.02] },
    yaxis: { domain: [0.58, 1], anchor: "x", title: { text: "share" } },
    xaxis2: { domain: [0, 1], anchor: "y2", range: [-0.06, 1.06] },
    yaxis2: { domain: [0, 0.42], anchor: "x2", title: { text: "share" } },
    annotations: [
      {
        text: "stretched s̄ = s(ζ − γ) + γ",
        x: 0,
        y: 1.04,
        xref: "paper",
        yref: "paper",
        showarrow: false,
        xanchor: "left",
      },
      {
        text: "gate z = min(1, max(0, s̄))",
        x: 0,
        y: 0.46,
        xref: "paper",
        yref: "paper",
        showarrow: false,
        xanchor: "left",
      },
    ],
  };
  return { data, layout };
}

/** A table cell showing `value` with `digits` decimals, the exact value in `data-value`. */
function numberCell(value: number, digits: number, quantity?: string): HTMLTableCellElement {
  const cell = element("td", null, formatNumber(value, digits));
  cell.dataset.value = String(value);
  if (quantity !== undefined) cell.dataset.quantity = quantity;
  return cell;
}

/** A gate's cell: "0" or "1" in bold on an atom, else 4 decimals. */
function atomCell(z: number): HTMLTableCellElement {
  if (z !== 0 && z !== 1) return numberCell(z, 4);
  const cell = element("td", "l0-live-atom", String(z));
  cell.dataset.value = String(z);
  return cell;
}

/** The closed forms next to the sample shares (± one binomial standard error). */
function readouts(closed: ClosedForms | null, stages: Stages | null): HTMLTableSectionElement {
  const share = (test: (v: number) => boolean) =>
    stages === null ? Number.NaN : stages.z.filter(test).length / SAMPLES;
  const sampled = (p: number, quantity: string) => {
    const cell = numberCell(p, 4, quantity);
    if (Number.isFinite(p)) cell.append(` ± ${formatNumber(Math.sqrt((p * (1 - p)) / SAMPLES), 4)}`);
    return cell;
  };
  const rows: [string, number, string, HTMLTableCellElement][] = [
    [
      "P(z = 0)",
      closed?.probZero ?? Number.NaN,
      "probZero",
      sampled(
        share((v) => v === 0),
        "sampleZero",
      ),
    ],
    [
      "P(z = 1)",
      closed?.probOne ?? Number.NaN,
      "probOne",
      sampled(
        share((v) => v === 1),
        "sampleOne",
      ),
    ],
    [
      "P(0 < z < 1)",
      closed?.probFractional ?? Number.NaN,
      "probFractional",
      sampled(
        share((v) => v > 0 && v < 1),
        "sampleFractional",
      ),
    ],
    ["ẑ, Eq. 13 (test time)", closed?.testTimeGate ?? Number.NaN, "testTimeGate", element("td", null, "no noise")],
  ];
  return element(
    "tbody",
    null,
    ...rows.map(([label, value, quantity, sample]) =>
      element("tr", null, element("th", null, label), numberCell(value, 4, quantity), sample),
    ),
  );
}

/** The first samples, stage by stage; a gate on an atom shows as exactly 0 or 1. */
function sampleRows(stages: Stages | null): HTMLTableSectionElement {
  if (stages === null) return element("tbody", null);
  return element(
    "tbody",
    null,
    ...Array.from({ length: ROWS }, (_, i) =>
      element(
        "tr",
        null,
        ...[stages.u, stages.L, stages.s, stages.sBar].map((stage) => numberCell(stage[i], 4)),
        atomCell(stages.z[i]),
      ),
    ),
  );
}

/** Builds the widget in `root` and draws the first setting. */
export async function mountGatePipeline(root: HTMLElement): Promise<void> {
  const Plotly = plotly();
  let seed = FIRST_SEED;
  let renders = 0;
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      void update();
    });
  };
  const sliders: Record<keyof Omit<Settings, "seed">, Slider> = {
    logAlpha: slider("logAlpha", "log α", { min: -6, max: 6, step: 0.05, value: 0 }, schedule),
    beta: slider("beta", "β", { min: 0.05, max: 2, step: "any", value: DEFAULT_PARAMS.beta }, schedule),
    gamma: slider("gamma", "γ", { min: -0.5, max: -0.01, step: 0.01, value: DEFAULT_PARAMS.gamma }, schedule),
    zeta: slider("zeta", "ζ", { min: 1.01, max: 1.5, step: 0.01, value: DEFAULT_PARAMS.zeta }, schedule),
  };
  const fresh = element("button", null, "New samples");
  fresh.type = "button";
  fresh.addEventListener("click", () => {
    seed++;
    schedule();
  });
  const errors = errorBox();
  const closedTable = element(
    "table",
    "l0-live-readouts",
    element(
      "thead",
      null,
      element(
        "tr",
        null,
        element("th", null, ""),
        element("th", null, "closed form"),
        element("th", null, `share of ${SAMPLES.toLocaleString("en")} samples`),
      ),
    ),
    readouts(null, null),
  );
  const stagesTable = element(
    "table",
    "l0-live-samples",
    element(
      "thead",
      null,
      element("tr", null, ...["u", "L = logit u", "s", "s̄", "z"].map((h) => element("th", null, h))),
    ),
    sampleRows(null),
  );
  const plot = element("div", "l0-live-plot");
  const seedNote = element("span", "l0-live-note");
  root.append(
    element("div", "l0-live-sliders", ...Object.values(sliders).map((s) => s.row)),
    element("p", "l0-live-buttons", fresh, " ", seedNote),
    errors.element,
    closedTable,
    element("p", "l0-live-caption", `The first ${ROWS} samples, step by step:`),
    element("div", "l0-live-scroll", stagesTable),
    plot,
  );

  async function update(): Promise<void> {
    const settings: Settings = {
      logAlpha: sliders.logAlpha.value(),
      beta: sliders.beta.value(),
      gamma: sliders.gamma.value(),
      zeta: sliders.zeta.value(),
      seed,
    };
    try {
      const params = hardConcreteParams({ beta: settings.beta, gamma: settings.gamma, zeta: settings.zeta });
      const closed: ClosedForms = {
        probZero: probZero(settings.logAlpha, params),
        probOne: probOne(settings.logAlpha, params),
        probFractional: probFractional(settings.logAlpha, params),
        testTimeGate: testTimeGate(settings.logAlpha, params),
      };
      const stages = drawStages(settings.logAlpha, params, seed);
      const { data, layout } = figure(settings, stages, closed);
      errors.clear();
      closedTable.tBodies[0].replaceWith(readouts(closed, stages));
      stagesTable.tBodies[0].replaceWith(sampleRows(stages));
      plot.hidden = false;
      await Plotly.react(plot, data, layout, FIGURE_CONFIG);
    } catch (error) {
      errors.show(error);
      closedTable.tBodies[0].replaceWith(readouts(null, null));
      stagesTable.tBodies[0].replaceWith(sampleRows(null));
      plot.hidden = true;
    }
    seedNote.textContent = `noise u from seed ${seed}`;
    renders++;
    root.dataset.renders = String(renders);
  }
  await update();
}
