/**
 * Figure builders for the course notebooks: the few kinds of plotly figure the
 * chapters draw (curves, bars, a histogram against a density, point masses, and
 * the same figure stepped through a parameter with a slider), so that a chapter
 * says what to draw in a line or two and `showFigure` displays it:
 *
 *   const x = grid(-6, 6, 241);
 *   showFigure(plot([line("σ(log α)", x, sigmoid)], { title: "Keep probability", x: "log α", y: "probability" }));
 *
 * Builders take plain numbers (never tensors) and round what they store to 6
 * significant digits, which keeps the executed notebooks small and changes no
 * figure visibly.
 */
import { fail } from "../validate";
import type { Figure } from "./figure";

/** A plotly trace, as plotly.js takes it (`{ type: "scatter", x, y, ... }`). */
export type Trace = Record<string, unknown>;

/** How a line is drawn. */
export interface LineStyle {
  color?: string;
  dash?: "solid" | "dash" | "dot" | "dashdot";
  width?: number;
  /** "lines" (default), "markers" or "lines+markers". */
  mode?: "lines" | "markers" | "lines+markers";
  /** Fill the area under the line down to y = 0. */
  fill?: boolean;
  /** Draw against the right-hand axis (see `PlotOptions.y2`). */
  rightAxis?: boolean;
  /** Leave the trace out of the legend. */
  hideLegend?: boolean;
}

/** A number rounded to 6 significant digits; NaN and ±Infinity become null (a gap in a line). */
function round6(value: number): number | null {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : null;
}

function numbers(where: string, name: string, values: ArrayLike<number>): number[] {
  if (!values || typeof values.length !== "number") fail(where, name, values, "an array of numbers");
  return Array.from(values, (v) => {
    if (typeof v !== "number") fail(where, name, values, "an array of numbers");
    return v;
  });
}

/** `count` evenly spaced numbers from `start` to `end`, both included. */
export function grid(start: number, end: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 2) fail("grid", "count", count, "an integer ≥ 2");
  if (!Number.isFinite(start) || !Number.isFinite(end)) fail("grid", "start", [start, end], "finite numbers");
  return Array.from({ length: count }, (_, i) => start + ((end - start) * i) / (count - 1));
}

/** A line through the points (x[i], y[i]); `y` may be a function of x, evaluated at every x. */
export function line(
  name: string,
  x: ArrayLike<number>,
  y: ArrayLike<number> | ((x: number) => number),
  style: LineStyle = {},
): Trace {
  const xs = numbers("line", "x", x);
  const ys = typeof y === "function" ? xs.map(y) : numbers("line", "y", y);
  if (ys.length !== xs.length) fail("line", "y", `${ys.length} values`, `${xs.length} values, one per x`);
  return {
    type: "scatter",
    mode: style.mode ?? "lines",
    name,
    x: xs.map(round6),
    y: ys.map(round6),
    line: { color: style.color, dash: style.dash ?? "solid", width: style.width ?? 2 },
    ...(style.mode && style.mode !== "lines" ? { marker: { color: style.color, size: 7 } } : {}),
    ...(style.fill ? { fill: "tozeroy" } : {}),
    ...(style.rightAxis ? { yaxis: "y2" } : {}),
    ...(style.hideLegend ? { showlegend: false } : {}),
  };
}

/** Bars of heights `y` at the categories or positions `x`. */
export function bars(
  name: string,
  x: ArrayLike<number | string>,
  y: ArrayLike<number>,
  style: { color?: string; width?: number } = {},
): Trace {
  if (x === null || typeof x !== "object" || typeof x.length !== "number") {
    fail("bars", "x", x, "an array of numbers or strings");
  }
  for (let i = 0; i < x.length; i++) {
    if (typeof x[i] !== "number" && typeof x[i] !== "string") fail("bars", `x[${i}]`, x[i], "a number or a string");
  }
  const ys = numbers("bars", "y", y);
  if (ys.length !== x.length) fail("bars", "y", `${ys.length} values`, `${x.length} values, one per x`);
  return {
    type: "bar",
    name,
    x: Array.from(x, (v) => (typeof v === "number" ? round6(v) : v)),
    y: ys.map(round6),
    ...(style.width === undefined ? {} : { width: style.width }),
    marker: { color: style.color },
  };
}

/** Counts of samples in equal bins, and the density estimate they give. */
export interface Histogram {
  /** Width of every bin. */
  width: number;
  /** Centre of each bin. */
  centres: number[];
  /** Number of samples in each bin [start + k·width, start + (k + 1)·width). */
  counts: number[];
  /** counts / (n · width): a density estimate, comparable with a probability density. */
  density: number[];
  /** The sample size the density divides by: the number of values (those outside [start, end) included), or `total`. */
  n: number;
}

/** The most bins a histogram may have (more would not be drawn, and a huge count would exhaust memory). */
const MAX_BINS = 1_000_000;

/**
 * Counts `values` in bins of `width` from `start` to `end` (the last bin ends at
 * `end`; (end − start)/width must be a whole number, at most 10⁶). Samples outside
 * [start, end) count in n but in no bin. `total` (default: the number of
 * values) is the sample size the density divides by: give the size of the whole
 * sample when `values` hold only the part of it that has a density (the
 * fractional gates of a mixed variable), so that the bars' area is that part's
 * probability.
 */
export function histogram(
  values: ArrayLike<number>,
  bins: { start: number; end: number; width: number },
  total?: number,
): Histogram {
  const list = numbers("histogram", "values", values);
  const { start, end, width } = (bins ?? {}) as typeof bins;
  const count = Math.round((end - start) / width);
  if (
    !(Number.isFinite(start) && Number.isFinite(end) && Number.isFinite(width) && width > 0) ||
    !(count >= 1 && count <= MAX_BINS) ||
    Math.abs(count * width - (end - start)) > 1e-9 * Math.abs(end - start)
  ) {
    fail(
      "histogram",
      "bins",
      [start, end, width],
      `start < end (both finite) with (end − start)/width a whole number of bins, at most ${MAX_BINS}`,
    );
  }
  const n = total === undefined ? list.length : total;
  if (!Number.isInteger(n) || n < Math.max(list.length, 1)) {
    fail("histogram", "total", n, `an integer ≥ the number of values (${list.length}) and ≥ 1`);
  }
  const counts = new Array<number>(count).fill(0);
  for (const value of list) {
    // Tested against [start, end) first: (value − start)/width may round to a bin index
    // for a value just outside (a subnormal below start gives −0, bin 0).
    if (value >= start && value < end) counts[Math.min(count - 1, Math.floor((value - start) / width))]++;
  }
  return {
    width,
    centres: counts.map((_, k) => start + (k + 0.5) * width),
    counts,
    density: counts.map((c) => c / (n * width)),
    n,
  };
}

/** A histogram drawn as touching bars whose height is the density estimate. */
export function histogramBars(name: string, h: Histogram, style: { color?: string } = {}): Trace {
  return bars(name, h.centres, h.density, { color: style.color ?? "rgba(31,119,180,0.45)", width: h.width });
}

/**
 * Point masses (atoms) as vertical spikes at `x` of height `mass`, each labelled
 * with its mass, against the right-hand axis (set `PlotOptions.y2`): a density
 * cannot show a probability sitting on a single point.
 */
export function atoms(name: string, points: { x: number; mass: number }[], style: { color?: string } = {}): Trace {
  if (!Array.isArray(points)) fail("atoms", "points", points, "an array of { x, mass }");
  points.forEach((p, i) => {
    if (typeof p?.x !== "number" || !Number.isFinite(p.x)) fail("atoms", `points[${i}].x`, p?.x, "a finite number");
    if (typeof p.mass !== "number" || !(p.mass >= 0 && p.mass <= 1)) {
      fail("atoms", `points[${i}].mass`, p.mass, "a probability in [0, 1]");
    }
  });
  const color = style.color ?? "crimson";
  return {
    type: "scatter",
    mode: "lines+markers+text",
    name,
    yaxis: "y2",
    x: points.flatMap((p) => [p.x, p.x, null]),
    y: points.flatMap((p) => [0, round6(p.mass), null]),
    text: points.flatMap((p) => ["", p.mass.toFixed(3), ""]),
    textposition: "top center",
    marker: { size: points.flatMap(() => [0, 10, 0]), color },
    line: { color, width: 4 },
  };
}

/**
 * A `rows` × `columns` image from `values` in row-major order (entry r·columns + c
 * is row r, column c), drawn as a heatmap on the colour range [zmin, zmax]; set
 * `PlotOptions.image` so that row 0 is at the top and pixels are square.
 */
export function image(
  name: string,
  values: ArrayLike<number>,
  rows: number,
  columns: number,
  style: { colorscale?: string; zmin: number; zmax: number },
): Trace {
  const zs = numbers("image", "values", values);
  if (!Number.isInteger(rows) || rows < 1) fail("image", "rows", rows, "an integer ≥ 1");
  if (!Number.isInteger(columns) || columns < 1) fail("image", "columns", columns, "an integer ≥ 1");
  if (zs.length !== rows * columns) {
    fail("image", "values", `${zs.length} values`, `rows · columns = ${rows} · ${columns} values`);
  }
  const { zmin, zmax } = style ?? {};
  if (!(Number.isFinite(zmin) && Number.isFinite(zmax) && zmin < zmax)) {
    fail("image", "style", [zmin, zmax], "{ zmin, zmax } with finite zmin < zmax (the colour range)");
  }
  return {
    type: "heatmap",
    name,
    z: Array.from({ length: rows }, (_, r) => zs.slice(r * columns, (r + 1) * columns).map(round6)),
    colorscale: style.colorscale ?? "Viridis",
    zmin: style.zmin,
    zmax: style.zmax,
    colorbar: { title: { text: name } },
  };
}

/** Titles, ranges and scales of a figure. */
export interface PlotOptions {
  /** The figure's title (short: plotly does not wrap it). */
  title: string;
  /** Title of the x axis, with its unit. */
  x: string;
  /** Title of the y axis, with its unit. */
  y: string;
  /** Title of the right-hand axis, for traces drawn with `rightAxis` or `atoms`. */
  y2?: string;
  xRange?: [number, number];
  yRange?: [number, number];
  y2Range?: [number, number];
  logX?: boolean;
  logY?: boolean;
  /**
   * Values at which to label the y axis, each written out in full (a log axis otherwise
   * labels 20, 30 and 40 between its powers of ten as 2, 3 and 4).
   */
  yTicks?: readonly number[];
  /** Height in pixels (default 420; 480 with a slider). */
  height?: number;
  /** Axes for an `image`: row 0 at the top, square pixels. */
  image?: boolean;
  /** Any other plotly layout settings, applied last. */
  layout?: Record<string, unknown>;
}

function axis(
  title: string,
  range?: [number, number],
  log?: boolean,
  ticks?: readonly number[],
): Record<string, unknown> {
  const labels = ticks ? { tickvals: [...ticks], ticktext: ticks.map((v) => String(v)) } : {};
  return { title: { text: title }, ...(range ? { range } : {}), ...(log ? { type: "log" } : {}), ...labels };
}

function layoutOf(options: PlotOptions): Record<string, unknown> {
  if (!options || typeof options.title !== "string") fail("plot", "options.title", options?.title, "a string");
  const ticks = options.yTicks;
  if (ticks !== undefined && !(Array.isArray(ticks) && ticks.every((v) => Number.isFinite(v)))) {
    fail("plot", "options.yTicks", ticks, "an array of finite numbers");
  }
  const layout: Record<string, unknown> = {
    title: { text: options.title },
    xaxis: axis(options.x, options.xRange, options.logX),
    yaxis: axis(options.y, options.yRange, options.logY, options.yTicks),
    height: options.height ?? 420,
  };
  if (options.image) {
    layout.yaxis = { ...(layout.yaxis as Record<string, unknown>), autorange: "reversed", scaleanchor: "x" };
  }
  if (options.y2 !== undefined) {
    layout.yaxis2 = { ...axis(options.y2, options.y2Range), overlaying: "y", side: "right", showgrid: false };
    layout.legend = { x: 1.08, y: 1 };
  }
  return { ...layout, ...options.layout };
}

/** A figure of `traces` with the titles, ranges and scales of `options`. */
export function plot(traces: Trace[], options: PlotOptions): Figure {
  if (!Array.isArray(traces)) fail("plot", "traces", traces, "an array of traces");
  return { data: traces, layout: layoutOf(options) };
}

/** One position of a slider: its label, the traces shown there and, optionally, the title. */
export interface Step {
  label: string;
  traces: Trace[];
  title?: string;
}

/** Options of {@link sliderPlot}: those of `plot`, plus the slider's. */
export interface SliderOptions extends PlotOptions {
  /** Shown before the current step's label on a slider, e.g. "log α = ". */
  prefix: string;
  /** Index of the step shown first (default 0). */
  active?: number;
  /** A slider under the plot (default) or a row of buttons above it. */
  control?: "slider" | "buttons";
}

/**
 * The same figure at several values of a parameter: every step holds the same
 * number of traces, the figure starts at step `active`, and a slider (or a row
 * of buttons) switches between plotly animation frames. The axes keep the
 * ranges given in `options` (set them, or the view jumps between steps).
 */
export function sliderPlot(steps: Step[], options: SliderOptions): Figure {
  if (!Array.isArray(steps) || steps.length === 0) fail("sliderPlot", "steps", steps, "a non-empty array of steps");
  const traceCount = steps[0].traces.length;
  steps.forEach((step, i) => {
    if (step.traces.length !== traceCount) {
      fail("sliderPlot", `steps[${i}].traces`, `${step.traces.length} traces`, `${traceCount} traces, as in step 0`);
    }
  });
  if (new Set(steps.map((s) => s.label)).size !== steps.length) {
    fail("sliderPlot", "steps", steps.map((s) => s.label).join(", "), "steps with distinct labels");
  }
  const active = options.active ?? 0;
  if (!Number.isInteger(active) || active < 0 || active >= steps.length) {
    fail("sliderPlot", "active", active, `an index in 0 … ${steps.length - 1}`);
  }
  const titled = (step: Step) => ({ title: { text: step.title ?? options.title } });
  const frames = steps.map((step) => ({ name: step.label, data: step.traces, layout: titled(step) }));
  const go = (step: Step) => ({
    label: step.label,
    method: "animate",
    args: [[step.label], { mode: "immediate", frame: { duration: 0, redraw: true }, transition: { duration: 0 } }],
  });
  const control =
    options.control === "buttons"
      ? {
          updatemenus: [
            {
              type: "buttons",
              direction: "right",
              x: 0,
              y: 1.12,
              xanchor: "left",
              yanchor: "bottom",
              active,
              buttons: steps.map(go),
            },
          ],
          margin: { t: 110 },
        }
      : {
          sliders: [{ active, currentvalue: { prefix: options.prefix }, pad: { t: 55 }, steps: steps.map(go) }],
          margin: { b: 130 },
        };
  const layout = {
    ...layoutOf({ ...options, height: options.height ?? 480 }),
    ...titled(steps[active]),
    ...control,
    ...options.layout,
  };
  return { data: steps[active].traces, frames, layout };
}
