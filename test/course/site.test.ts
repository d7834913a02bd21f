/**
 * The figure and progress displays through a real tslab kernel, and the lecture
 * pages built from them in a real browser. The fixture notebook
 * test/fixtures/figures/figures.ipynb (maths, two figures, one progress cell) is
 * executed twice with tools/run_notebooks.py; the executed copies must hold the
 * three MIME types per figure (the plotly part a JSON object), be byte-identical,
 * and keep the final progress state. A site is built from one copy and checked
 * with checkSiteInBrowser.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { checkSiteInBrowser } from "./browser";

const root = resolve(__dirname, "..", "..", "..");
const python = process.env.L0_PYTHON || "/usr/bin/python3";
const chromiumPath = process.env.L0_CHROMIUM || "/usr/bin/chromium";
const fixture = join(root, "test", "fixtures", "figures", "figures.ipynb");
const PLOTLY_MIME = "application/vnd.plotly.v1+json";

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
}
interface Cell {
  cell_type: string;
  outputs?: Output[];
}

const work = mkdtempSync(join(tmpdir(), "l0-site-test-"));
const runs = [join(work, "run1"), join(work, "run2")];

function execute(out: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(python, [join(root, "tools", "run_notebooks.py"), "--out", out, fixture], { cwd: root });
    let log = "";
    child.stdout.on("data", (chunk) => {
      log += chunk;
    });
    child.stderr.on("data", (chunk) => {
      log += chunk;
    });
    child.on("error", fail);
    child.on("close", (status) => (status === 0 ? done() : fail(new Error(`run_notebooks.py failed:\n${log}`))));
  });
}

const executed = (run: string) => join(run, "figures.ipynb");
const cellsOf = (run: string): Cell[] => JSON.parse(readFileSync(executed(run), "utf8")).cells;
const joined = (value: unknown) => (Array.isArray(value) ? value.join("") : String(value));

before(async () => {
  await Promise.all(runs.map(execute));
});

after(() => rmSync(work, { recursive: true, force: true }));

test("each figure is one output with plotly JSON (an object), text/html and text/plain", () => {
  const figures = cellsOf(runs[0])
    .flatMap((c) => c.outputs ?? [])
    .filter((o) => o.data && PLOTLY_MIME in o.data);
  assert.equal(figures.length, 2);
  const titles = ["Keep probability", "Bars"];
  figures.forEach((output, i) => {
    assert.equal(output.output_type, "display_data");
    const data = output.data!;
    assert.deepEqual(Object.keys(data).sort(), [PLOTLY_MIME, "text/html", "text/plain"]);
    const figure = data[PLOTLY_MIME] as { data: unknown[]; layout: { title: { text: string } } };
    assert.equal(typeof figure, "object");
    assert.ok(Array.isArray(figure.data) && figure.data.length === 1);
    assert.equal(figure.layout.title.text, titles[i]);
    const html = joined(data["text/html"]);
    assert.match(html, /<div id="l0fig-[0-9a-f]{12}-\d+" class="l0-figure"/);
    assert.match(html, /Plotly\.newPlot/);
    assert.doesNotMatch(html, /https?:\/\//, "the figure's HTML must not load anything from the web");
    assert.match(joined(data["text/plain"]), new RegExp(`^Figure: ${titles[i]} \\(1 trace: (scatter|bar)\\)$`));
  });
});

test("executing the notebook twice gives byte-identical copies", () => {
  assert.equal(readFileSync(executed(runs[0]), "utf8"), readFileSync(executed(runs[1]), "utf8"));
});

test("the progress cell keeps one output showing the final state", () => {
  const cell = cellsOf(runs[0])[4];
  const outputs = cell.outputs ?? [];
  assert.equal(outputs.length, 1, "updates must replace the output, not add new ones");
  const data = outputs[0].data!;
  assert.equal(joined(data["text/plain"]), "training: done 8/8 (100%) loss=0.125 error=0.25");
  assert.match(joined(data["text/html"]), /<progress value="8" max="8"/);
});

test("the lecture pages built from the executed notebook pass the browser check", async () => {
  const { buildSite } = await import(pathToFileURL(join(root, "tools", "site.mjs")).href);
  const site = join(work, "site");
  const pages: string[] = await buildSite({ python, notebooks: runs[0], out: site, chromiumPath });
  assert.deepEqual(pages, ["index.html", "references.html", "figures.html"]);
  for (const name of ["figures-1", "figures-2"]) {
    assert.match(readFileSync(join(site, "figures", `${name}.svg`), "utf8"), /^<svg[^>]*xmlns/);
    assert.deepEqual([...readFileSync(join(site, "figures", `${name}.png`)).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  }
  const index = readFileSync(join(site, "index.html"), "utf8");
  assert.match(index, /href="figures\.html">Figures fixture: \$\\log\\alpha\$ and gates</);
  assert.match(index, /<li>Show a plotly figure with <code>showFigure<\/code><\/li>/);
  assert.match(index, /<section class="notation" id="notation">/);
  assert.match(
    readFileSync(join(site, "references.html"), "utf8"),
    /arXiv:<a href="https:\/\/arxiv\.org\/abs\/1712\.01312">/,
  );
  assert.ok(existsSync(join(site, "assets", "original-lecture-notes.txt")));
  for (const page of readdirSync(site).filter((n) => n.endsWith(".html"))) {
    const html = readFileSync(join(site, page), "utf8");
    assert.doesNotMatch(
      html,
      /(src="|<link[^>]*href=")(https?:)?\/\//,
      `${page} must not load anything from another host`,
    );
    assert.equal(html.match(/src="assets\/plotly\.min\.js"/g)?.length, 1, `${page} loads plotly.js once`);
  }
  assert.ok(existsSync(join(site, "assets", "mathjax", "MathJax.js")));
  const problems = await checkSiteInBrowser(site, chromiumPath, join(root, "build", "screenshots", "fixture"));
  assert.deepEqual(problems, []);
});
