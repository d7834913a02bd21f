/**
 * Progress of a long cell (training): in a notebook one output that updates in
 * place (Jupyter's `update_display_data`); in a terminal a bar redrawn in place
 * on one line; elsewhere (a log file, CI) one plain line per update.
 *
 *   const p = progress({ total: 1000, label: "training" });
 *   for (let step = 1; step <= 1000; step++) { ...; p.update(step, { loss, error }); }
 *   p.done();
 *
 * The output holds no clock time, so the executed notebook (which keeps the last
 * state only) is the same on every run.
 */
import { fail } from "../validate";
import { displayBundle, inNotebook, type MimeBundle } from "./jupyter";

/** Options of {@link progress}. */
export interface ProgressOptions {
  /** Number of steps the work takes (> 0). */
  total: number;
  /** Name shown before the counts, e.g. "training". */
  label?: string;
  /** In a notebook, minimum milliseconds between two updates sent to the front end (default 100); `done` always sends. */
  minIntervalMs?: number;
}

/** Metric name → value, shown after the step count (e.g. `{ loss: 0.31, error: 0.08 }`). */
export type Metrics = Record<string, number>;

/** Handle returned by {@link progress}. */
export interface Progress {
  /** Reports that `step` of `total` steps are done, with the current metrics. */
  update(step: number, metrics?: Metrics): void;
  /** Marks the work finished; shows the last step and metrics (or the ones given). */
  done(metrics?: Metrics): void;
}

let progressCount = 0;

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Number(value.toPrecision(4)).toString();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A 24-character text bar, e.g. `[#########---------------]`. */
function terminalBar(step: number, total: number): string {
  const filled = Math.round((24 * Math.min(Math.max(step, 0), total)) / total);
  return `[${"#".repeat(filled)}${"-".repeat(24 - filled)}]`;
}

/** The MIME bundle (text/plain and text/html) of one progress state. */
export function progressBundle(
  label: string,
  step: number,
  total: number,
  metrics: Metrics,
  finished: boolean,
): MimeBundle {
  const percent = Math.round((100 * Math.min(Math.max(step, 0), total)) / total);
  const values = Object.entries(metrics).map(([name, value]) => `${name}=${formatValue(value)}`);
  const state = finished ? "done" : "step";
  const plain = `${label}: ${state} ${step}/${total} (${percent}%)${values.length ? ` ${values.join(" ")}` : ""}`;
  const cells = Object.entries(metrics)
    .map(([name, value]) => `<span style="margin-left:1em">${escapeHtml(name)} = <b>${formatValue(value)}</b></span>`)
    .join("");
  const html =
    `<div class="l0-progress" style="font-family:monospace;">${escapeHtml(label)}: ` +
    `<progress value="${Math.min(Math.max(step, 0), total)}" max="${total}" style="width:12em;vertical-align:middle;"></progress> ` +
    `${state} ${step}/${total} (${percent}%)${cells}</div>`;
  return { "text/plain": plain, "text/html": html };
}

/**
 * Starts a progress display of `total` steps. Display ids are numbered in the
 * order progress displays start in the session (`l0-progress-1`, ...).
 */
export function progress(options: ProgressOptions): Progress {
  if (options === null || typeof options !== "object")
    fail("progress", "options", options, "{ total, label?, minIntervalMs? }");
  const { total, label = "progress", minIntervalMs = 100 } = options;
  if (!Number.isInteger(total) || total <= 0) fail("progress", "total", total, "an integer > 0");
  if (typeof label !== "string") fail("progress", "label", label, "a string");
  if (typeof minIntervalMs !== "number" || !(minIntervalMs >= 0)) {
    fail("progress", "minIntervalMs", minIntervalMs, "a number ≥ 0");
  }
  progressCount += 1;
  const displayId = `l0-progress-${progressCount}`;
  const notebook = inNotebook();
  const terminal = !notebook && typeof process !== "undefined" && process.stdout?.isTTY === true;
  let shown = false;
  let lastSent = 0;
  let lastStep = 0;
  let lastMetrics: Metrics = {};

  const send = (finished: boolean) => {
    const bundle = progressBundle(label, lastStep, total, lastMetrics, finished);
    if (!notebook && terminal) {
      process.stdout.write(`\r\x1b[K${terminalBar(lastStep, total)} ${bundle["text/plain"]}${finished ? "\n" : ""}`);
      return;
    }
    if (!notebook) {
      console.log(bundle["text/plain"]);
      return;
    }
    displayBundle(bundle, displayId, shown);
    shown = true;
    lastSent = Date.now();
  };

  return {
    update(step: number, metrics: Metrics = {}) {
      if (typeof step !== "number" || !Number.isFinite(step)) fail("progress.update", "step", step, "a finite number");
      lastStep = step;
      lastMetrics = { ...metrics };
      if (!notebook || !shown || Date.now() - lastSent >= minIntervalMs) send(false);
    },
    done(metrics?: Metrics) {
      if (metrics) lastMetrics = { ...metrics };
      send(true);
    },
  };
}
