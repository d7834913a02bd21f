/**
 * The live widgets of the lecture pages (assets/live/, placed by tools/site.mjs)
 * in headless Chromium. A small site is written with the lecture pages' own head,
 * assets and widget sections (`pageHtml`, `copyAssets`, `liveHtml` of
 * tools/site.mjs) and served from its folder at http://l0.test; a request for
 * anything outside the folder is refused, and it, a console error or an uncaught
 * error in a page counts as a problem.
 * - Gate pipeline: after each move of the sliders, the displayed P(z = 0), P(z = 1),
 *   P(0 < z < 1) and ẑ equal the library's closed forms for the sliders' values
 *   (computed here, in Node) to the 4 decimals shown; the plotted closed-form atoms
 *   and ẑ equal them to 1e-12; the shares of the 20,000 samples at z = 0, z = 1 and
 *   in between lie within 4 binomial standard errors of the closed forms; and the
 *   first samples follow u → L → s → s̄ → z stage by stage (float32 rounding).
 * - A slider whose range lets it reach a value the library refuses (γ ≥ 0, β ≤ 0,
 *   ζ ≤ 1): the library's error is shown, no number is, and "NaN" appears nowhere.
 * - Training demo: "Start" removes units (test-time gates) within 20 s; "Stop" stops;
 *   "Start" again resumes from the epoch reached.
 * - A page whose library bundle is missing, or broken, shows a visible message.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { hardConcreteParams, probFractional, probOne, probZero, testTimeGate } from "l0-hard-concrete";
import type { BrowserContext, Page } from "playwright-core";
import { ORIGIN, serveSite, watch } from "./serve";

const root = resolve(__dirname, "..", "..", "..");
const chromiumPath = process.env.L0_CHROMIUM || "/usr/bin/chromium";
const BUNDLE = "/assets/live/l0-hard-concrete.mjs";
const SAMPLES = 20_000;
const site = mkdtempSync(join(tmpdir(), "l0-live-site-"));
after(() => rmSync(site, { recursive: true, force: true }));

before(async () => {
  const { copyAssets, liveHtml, pageHtml } = await import(pathToFileURL(join(root, "tools", "site.mjs")).href);
  await copyAssets(site, "");
  for (const [file, widget] of [
    ["gate.html", "gate-pipeline"],
    ["demo.html", "training-demo"],
  ]) {
    writeFileSync(join(site, file), pageHtml({ title: widget, body: `<main>\n${liveHtml(widget)}\n</main>` }));
  }
});

/** Opens `file` and waits until its widget has started or failed; returns its `data-state`. */
async function open(page: Page, file: string): Promise<string> {
  await page.goto(`${ORIGIN}/${file}`);
  await page.waitForFunction(`document.querySelector(".l0-live").dataset.state !== "loading"`, undefined, {
    timeout: 30_000,
  });
  return page.evaluate<string>(`document.querySelector(".l0-live").dataset.state`);
}

const PIPELINE = `document.getElementById("l0-live-gate-pipeline")`;

/** Sets the sliders (and, first, their `min`/`max` when given), then waits until the widget has redrawn. */
async function move(page: Page, values: Record<string, number>, attributes: Record<string, string> = {}) {
  const renders = await page.evaluate<number>(`Number(${PIPELINE}.dataset.renders)`);
  await page.evaluate(`(() => {
    const root = ${PIPELINE};
    const slider = (name) => root.querySelector('input[data-parameter="' + name + '"]');
    for (const [key, value] of Object.entries(${JSON.stringify(attributes)})) {
      const [name, attribute] = key.split(".");
      slider(name).setAttribute(attribute, value);
    }
    for (const [name, value] of Object.entries(${JSON.stringify(values)})) {
      slider(name).value = String(value);
      slider(name).dispatchEvent(new Event("input", { bubbles: true }));
    }
  })()`);
  await page.waitForFunction(`Number(${PIPELINE}.dataset.renders) > ${renders}`, undefined, { timeout: 10_000 });
}

interface Shown {
  settings: { logAlpha: number; beta: number; gamma: number; zeta: number };
  text: Record<"probZero" | "probOne" | "probFractional" | "testTimeGate", string>;
  shares: { zero: number; one: number; fractional: number };
  plotted: { atoms: number[]; testTimeGate: number[] } | null;
  rows: number[][];
  error: string | null;
  visibleText: string;
  seedNote: string;
}

/** What the pipeline widget shows: slider values, readouts, plotted closed forms, the first samples. */
function shown(page: Page): Promise<Shown> {
  return page.evaluate<Shown>(`(() => {
    const root = ${PIPELINE};
    const slider = (name) => root.querySelector('input[data-parameter="' + name + '"]').valueAsNumber;
    const cell = (quantity) => root.querySelector('[data-quantity="' + quantity + '"]');
    const plot = root.querySelector(".l0-live-plot");
    const trace = (meta) => plot.data.find((t) => t.meta === meta);
    const error = root.querySelector(".l0-live-error");
    return {
      settings: { logAlpha: slider("logAlpha"), beta: slider("beta"), gamma: slider("gamma"), zeta: slider("zeta") },
      text: Object.fromEntries(["probZero", "probOne", "probFractional", "testTimeGate"].map((q) => [q, cell(q).textContent])),
      shares: {
        zero: Number(cell("sampleZero").dataset.value),
        one: Number(cell("sampleOne").dataset.value),
        fractional: Number(cell("sampleFractional").dataset.value),
      },
      plotted: plot.hidden ? null : { atoms: trace("closed-form-atoms").y, testTimeGate: trace("test-time-gate").x },
      rows: Array.from(root.querySelectorAll(".l0-live-samples tbody tr"), (tr) => Array.from(tr.cells, (td) => Number(td.dataset.value))),
      error: error.hidden ? null : error.textContent,
      visibleText: root.innerText,
      seedNote: root.querySelector(".l0-live-note").textContent,
    };
  })()`);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Checks one redrawn setting against the library's closed forms and the sampler's steps. */
function checkSetting(view: Shown): void {
  const { logAlpha, beta, gamma, zeta } = view.settings;
  const where = `log α = ${logAlpha}, β = ${beta}, γ = ${gamma}, ζ = ${zeta}`;
  assert.equal(view.error, null, where);
  const params = hardConcreteParams({ beta, gamma, zeta });
  const closed = {
    probZero: probZero(logAlpha, params),
    probOne: probOne(logAlpha, params),
    probFractional: probFractional(logAlpha, params),
    testTimeGate: testTimeGate(logAlpha, params),
  };
  for (const [quantity, value] of Object.entries(closed)) {
    assert.equal(view.text[quantity as keyof Shown["text"]], value.toFixed(4), `${where}: displayed ${quantity}`);
  }
  assert.ok(view.plotted !== null, `${where}: the figure is shown`);
  const plotted = [...view.plotted.atoms, ...view.plotted.testTimeGate];
  const wanted = [closed.probZero, closed.probOne, closed.testTimeGate, closed.testTimeGate];
  plotted.forEach((v, i) => {
    assert.ok(Math.abs(v - wanted[i]) <= 1e-12, `${where}: plotted value ${i} is ${v}, closed form ${wanted[i]}`);
  });
  // The samples' shares: 4 binomial standard errors of n = 20,000 draws.
  for (const [share, p] of [
    [view.shares.zero, closed.probZero],
    [view.shares.one, closed.probOne],
    [view.shares.fractional, closed.probFractional],
  ]) {
    const tolerance = 4 * Math.sqrt((p * (1 - p)) / SAMPLES);
    assert.ok(Math.abs(share - p) <= tolerance, `${where}: sample share ${share}, closed form ${p} (±${tolerance})`);
  }
  // Stage by stage, in float64 from the float32 values the page shows.
  assert.equal(view.rows.length, 5);
  for (const [u, L, s, sBar, z] of view.rows) {
    assert.ok(Math.abs(L - (Math.log(u) - Math.log(1 - u))) <= 1e-5 * Math.max(1, Math.abs(L)), `${where}: L of u`);
    assert.ok(Math.abs(s - sigmoid((L + logAlpha) / beta)) <= 1e-5, `${where}: s of L`);
    assert.ok(Math.abs(sBar - (s * (zeta - gamma) + gamma)) <= 1e-6, `${where}: s̄ of s`);
    assert.equal(z, Math.min(1, Math.max(0, sBar)), `${where}: z of s̄`);
  }
  assert.doesNotMatch(view.visibleText, /NaN/);
}

test("the live widgets compute in the page, show the library's errors, and say so when the bundle cannot load", async () => {
  const { withChromium } = await import(pathToFileURL(join(root, "tools", "chromium.mjs")).href);
  const problems: string[] = [];
  await withChromium(chromiumPath, async (context: BrowserContext) => {
    await serveSite(context, site, problems);

    const gate = await context.newPage();
    watch(gate, "gate.html", problems);
    assert.equal(await open(gate, "gate.html"), "ready");
    const first = await shown(gate);
    const { beta, ...rest } = first.settings;
    assert.deepEqual(rest, { logAlpha: 0, gamma: -0.1, zeta: 1.1 }, "the paper's defaults");
    assert.ok(Math.abs(beta - 2 / 3) < 1e-14, `β starts at 2/3 (a range input keeps 15 digits): ${beta}`);
    checkSetting(first);
    assert.equal(first.text.probZero, "0.1682", "chapter 06: σ(−1.5986) = 0.168");
    const settings: Record<string, number>[] = [
      { logAlpha: -2 },
      { logAlpha: 1.5, beta: 0.25, gamma: -0.3, zeta: 1.2 },
      { logAlpha: 4, beta: 1.5, gamma: -0.05, zeta: 1.45 },
      { logAlpha: -6, beta: 0.1, gamma: -0.5, zeta: 1.01 },
    ];
    const seen = [first.text.probZero];
    for (const setting of settings) {
      await move(gate, setting);
      const view = await shown(gate);
      checkSetting(view);
      seen.push(view.text.probZero);
    }
    assert.equal(new Set(seen).size, seen.length, `moving the sliders changes P(z = 0): ${seen.join(", ")}`);

    // New samples: other noise, the same closed forms.
    const before = await shown(gate);
    const renders = await gate.evaluate<number>(`Number(${PIPELINE}.dataset.renders)`);
    await gate.click("#l0-live-gate-pipeline button");
    await gate.waitForFunction(`Number(${PIPELINE}.dataset.renders) > ${renders}`);
    const fresh = await shown(gate);
    assert.notEqual(fresh.rows[0][0], before.rows[0][0], "new noise u");
    assert.notEqual(fresh.seedNote, before.seedNote);
    checkSetting(fresh);

    // A slider range that reaches values the library refuses: its error is shown, never NaN.
    for (const [name, range, bad, message] of [
      ["gamma", { max: "1" }, 0.2, /gamma must be a finite number < 0 .*got 0\.2/],
      ["beta", { min: "-1" }, 0, /beta must be a finite number > 0, got 0/],
      ["zeta", { min: "0" }, 0.9, /zeta must be a finite number > 1 .*got 0\.9/],
    ] as const) {
      const [attribute, value] = Object.entries(range)[0];
      await move(gate, { [name]: bad }, { [`${name}.${attribute}`]: value });
      const refused = await shown(gate);
      assert.match(refused.error ?? "", message, `${name} = ${bad}`);
      assert.ok(
        Object.values(refused.text).every((t) => t === "—"),
        `${name} = ${bad}: no number is shown`,
      );
      assert.equal(refused.plotted, null, `${name} = ${bad}: the figure is hidden`);
      assert.doesNotMatch(refused.visibleText, /NaN/);
      const valid = { gamma: -0.1, beta: 2 / 3, zeta: 1.1 }[name];
      await move(gate, { [name]: valid });
      checkSetting(await shown(gate));
    }

    // The training demo removes units within 20 s, and stops when asked.
    const demo = await context.newPage();
    watch(demo, "demo.html", problems);
    assert.equal(await open(demo, "demo.html"), "ready");
    const status = `document.querySelector("#l0-live-training-demo .l0-live-status-line")`;
    assert.equal(await demo.evaluate<string>(`${status}.dataset.unitsLeft`), "28");
    await demo.click("#l0-live-training-demo button");
    await demo.waitForFunction(`Number(${status}.dataset.unitsLeft) < 28`, undefined, { timeout: 20_000 });
    await demo.click("#l0-live-training-demo button");
    const button = `document.querySelector("#l0-live-training-demo button")`;
    await demo.waitForFunction(`${button}.textContent === "Start training"`, undefined, { timeout: 10_000 });
    const stoppedAt = await demo.evaluate<string>(`${status}.dataset.epoch`);
    await demo.waitForTimeout(500);
    assert.equal(await demo.evaluate<string>(`${status}.dataset.epoch`), stoppedAt, "training has stopped");
    await demo.click("#l0-live-training-demo button");
    await demo.waitForFunction(`Number(${status}.dataset.epoch) > ${stoppedAt}`, undefined, { timeout: 10_000 });
    await demo.click("#l0-live-training-demo button");
    await demo.waitForFunction(`${button}.textContent === "Start training"`, undefined, { timeout: 10_000 });
    const text = await demo.evaluate<string>(`document.getElementById("l0-live-training-demo").innerText`);
    assert.match(text, /loss \d+\.\d{4} · error with test-time gates \d+\.\d{4} · units left \d+ of 28/);
    assert.doesNotMatch(text, /NaN/);
    assert.deepEqual(problems, []);

    // Bundle missing, bundle broken: the widget says so, visibly.
    for (const [what, answer] of [
      ["missing", { status: 404 }],
      ["broken", { status: 200, contentType: "text/javascript; charset=utf-8", body: "export const = ;" }],
    ] as const) {
      const page = await context.newPage();
      await page.route(`**${BUNDLE}`, (route) => route.fulfill(answer));
      assert.equal(await open(page, "gate.html"), "failed", `bundle ${what}`);
      const message = await page.evaluate<{ text: string; visible: boolean; plots: number }>(`(() => {
        const status = document.querySelector(".l0-live-status");
        return { text: status.textContent, visible: status.checkVisibility(), plots: document.querySelectorAll(".l0-live-plot").length };
      })()`);
      assert.ok(message.visible, `bundle ${what}: the message is visible`);
      assert.match(message.text, /This live widget could not start: .+ served over HTTP/, `bundle ${what}`);
      assert.equal(message.plots, 0, `bundle ${what}: no empty figure`);
      await page.close();
    }
  });
});
