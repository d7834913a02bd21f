/**
 * Shows a plotly figure in a notebook as one output with three MIME types:
 * - `application/vnd.plotly.v1+json`: the figure object, drawn natively by VS
 *   Code and by JupyterLab/Notebook with the plotly extension;
 * - `text/html`: a div and a script calling `Plotly.newPlot`, for front ends that
 *   render HTML (the classic Jupyter Notebook, nbconvert's exports, the lecture
 *   pages). The first figure shown in a kernel session also carries plotly.js
 *   itself, inline, as Python plotly's offline notebook mode does
 *   (`init_notebook_mode(connected=False)`), so that it draws with no network;
 *   the lecture pages load plotly.js from the site and drop that copy;
 * - `text/plain`: a one-line summary for everything else.
 * Element ids are derived from the figure and its position in the session, so a
 * notebook executed twice gives identical outputs.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { displayBundle, inNotebook, type MimeBundle } from "./jupyter";

/** A plotly figure: traces, layout and config, as in plotly.js's `newPlot`. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
  frames?: Record<string, unknown>[];
}

/** The MIME type plotly's renderers register for figure JSON. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

let figureCount = 0;
let plotlyJsSent = false;

/**
 * The class of the `<script>` element that carries plotly.js inside a figure's
 * `text/html` (tools/export_html.py removes it from the lecture pages).
 */
const PLOTLY_JS_CLASS = "l0-plotly-js";

/** The trace types of plotly's cartesian bundle, the one the notebooks and the lecture pages load. */
const TRACE_TYPES: readonly string[] = [
  "bar",
  "box",
  "contour",
  "heatmap",
  "histogram",
  "histogram2d",
  "histogram2dcontour",
  "image",
  "pie",
  "scatter",
  "scatterternary",
  "violin",
];

/**
 * plotly.js as an inline script that defines `window.Plotly` unless the page
 * already has it: plotly's cartesian bundle (npm `plotly.js-cartesian-dist-min`,
 * 1.4 MB, the trace types of `TRACE_TYPES`), not the full 4.8 MB bundle, whose
 * 3-D, map and other traces no figure of the course uses and which every page
 * would parse and run (about 1.2 s more CPU per page load in headless Chromium
 * here). `PlotlyConfig.MathJaxConfig
 * = "local"` keeps plotly from changing the page's MathJax settings (plotly.js's
 * documented option, which Python plotly sets in the same place).
 */
function plotlyJsScript(): string {
  const source = readFileSync(require.resolve("plotly.js-cartesian-dist-min"), "utf8").replace(
    /<\/(script)/gi,
    "<\\/$1",
  );
  return (
    `<script type="text/javascript" class="${PLOTLY_JS_CLASS}">` +
    `window.PlotlyConfig = { MathJaxConfig: "local" };\nif (!window.Plotly) {\n${source}\n}</script>\n`
  );
}

function titleOf(figure: Figure): string {
  const title = figure.layout?.title;
  if (typeof title === "string") return title;
  if (title && typeof title === "object" && typeof (title as { text?: unknown }).text === "string") {
    return (title as { text: string }).text;
  }
  return "untitled";
}

/**
 * Browser code run after a figure is drawn: when its title overlaps its legend
 * (on a narrow screen a legend placed above the plot wraps onto several lines
 * and grows into the title, since plotly reserves the top margin for each of
 * them separately), the title moves to the top of the figure and the top margin
 * becomes the legend's height plus the title's, so the legend keeps its
 * place above the plot, below the title.
 */
const SEPARATE_TITLE_FROM_LEGEND =
  "function (gd) { var title = gd.querySelector('.gtitle'), legend = gd.querySelector('.legend'); " +
  "if (!title || !legend) return; " +
  "var t = title.getBoundingClientRect(), l = legend.getBoundingClientRect(); " +
  "if (t.bottom <= l.top || l.bottom <= t.top || t.right <= l.left || l.right <= t.left) return; " +
  "return window.Plotly.relayout(gd, { 'title.yref': 'container', 'title.y': 1, 'title.yanchor': 'top', " +
  "'title.pad.t': 6, 'margin.t': l.height + t.height + 30 }); }";

/** Serialises for inclusion inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * Builds the MIME bundle of `figure` without sending it; with `includePlotlyJs`
 * its `text/html` starts with plotly.js itself.
 */
export function figureBundle(figure: Figure, { includePlotlyJs = false } = {}): MimeBundle {
  if (!figure || !Array.isArray(figure.data)) {
    throw new TypeError(`figureBundle: figure.data must be an array of traces, got ${typeof figure?.data}`);
  }
  figure.data.forEach((trace, i) => {
    const type = trace?.type ?? "scatter";
    if (typeof type !== "string" || !TRACE_TYPES.includes(type)) {
      throw new TypeError(
        `figureBundle: figure.data[${i}].type must be one of plotly's cartesian bundle (${TRACE_TYPES.join(", ")}), got ${JSON.stringify(type)}`,
      );
    }
  });
  const json = JSON.stringify(figure);
  figureCount += 1;
  const id = `l0fig-${createHash("sha256").update(json).digest("hex").slice(0, 12)}-${figureCount}`;
  const height = typeof figure.layout?.height === "number" ? figure.layout.height : 450;
  const plotly = { ...figure, config: { responsive: true, displaylogo: false, ...figure.config } };
  const html =
    (includePlotlyJs ? plotlyJsScript() : "") +
    `<div id="${id}" class="l0-figure" style="width:100%;height:${height}px;">` +
    "<em>Interactive figure: shown where the notebook's scripts may run (in Jupyter: run the cell, or trust the notebook).</em></div>\n" +
    `<script type="text/javascript">(function () { var fig = ${scriptJson(plotly)}; ` +
    `var el = document.getElementById(${JSON.stringify(id)}); ` +
    "if (window.Plotly && el) { el.innerHTML = ''; " +
    `window.Plotly.newPlot(el, fig).then(${SEPARATE_TITLE_FROM_LEGEND}); } })();</script>`;
  const traces = figure.data.map((t) => String(t.type ?? "scatter"));
  const text = `Figure: ${titleOf(figure)} (${traces.length} trace${traces.length === 1 ? "" : "s"}: ${[...new Set(traces)].join(", ")})`;
  return { [PLOTLY_MIME]: JSON.parse(JSON.stringify(plotly)), "text/html": html, "text/plain": text };
}

/**
 * Displays `figure` in the notebook as one output (plotly JSON, HTML, plain
 * text); the first one of a kernel session brings plotly.js with it. Outside a
 * notebook it prints the one-line summary.
 */
export function showFigure(figure: Figure): void {
  const includePlotlyJs = !plotlyJsSent && inNotebook();
  displayBundle(figureBundle(figure, { includePlotlyJs }));
  if (includePlotlyJs) plotlyJsSent = true;
}
