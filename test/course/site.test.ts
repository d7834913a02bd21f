/**
 * The figure and progress displays through a real tslab kernel, and the lecture
 * pages, slides and handouts built from them. The fixture notebook
 * test/fixtures/figures/figures.ipynb (maths, two figures, one progress cell,
 * slideshow metadata, cells tagged setup/solution/check, speaker notes, a long
 * code cell) is executed twice with tools/run_notebooks.py; the executed copies
 * must hold the three MIME types per figure (the plotly part a JSON object, the
 * first figure's HTML carrying plotly.js), be byte-identical, and keep the final
 * progress state. A site is built from one copy; its deck must follow the
 * metadata and leave out what the tags say, its handout is read back with
 * poppler, its SVG figures must come out byte-identical from a second export, and
 * it must pass checkSiteInBrowser.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { checkSiteInBrowser } from "./browser";
import { checkHandout } from "./handouts";

const root = resolve(__dirname, "..", "..", "..");
const python = process.env.L0_PYTHON || "/usr/bin/python3";
const chromiumPath = process.env.L0_CHROMIUM || "/usr/bin/chromium";
const fixture = join(root, "test", "fixtures", "figures", "figures.ipynb");
const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const PLOTLY_JS_SCRIPT = /<script type="text\/javascript" class="l0-plotly-js">[\s\S]*?<\/script>\n/;

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
    // The first figure of the kernel session brings plotly.js inline, once; the others rely on it.
    const inline = html.match(PLOTLY_JS_SCRIPT);
    assert.equal(inline !== null, i === 0, `figure ${i + 1}: plotly.js inline only in the first figure`);
    if (inline) assert.match(inline[0], /window\.Plotly = Plotly/);
    const own = html.replace(PLOTLY_JS_SCRIPT, "");
    assert.match(own, /^<div id="l0fig-[0-9a-f]{12}-\d+" class="l0-figure"/);
    assert.match(own, /Plotly\.newPlot/);
    assert.doesNotMatch(own, /https?:\/\//, "the figure's HTML must not load anything from the web");
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

test("the pages, slides and handouts built from the executed notebook pass their checks", async () => {
  const { buildSite, exportFigures } = await import(pathToFileURL(join(root, "tools", "site.mjs")).href);
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
  assert.match(index, /href="slides\/figures\.html">Slides<\/a> · <a href="handouts\/figures\.pdf">/);
  assert.match(index, /<section class="notation" id="notation">/);
  assert.match(
    readFileSync(join(site, "references.html"), "utf8"),
    /arXiv:<a href="https:\/\/arxiv\.org\/abs\/1712\.01312">/,
  );
  assert.ok(existsSync(join(site, "assets", "original-lecture-notes.txt")));
  for (const page of [...readdirSync(site).filter((n) => n.endsWith(".html")), "slides/figures.html"]) {
    const html = readFileSync(join(site, page), "utf8");
    assert.doesNotMatch(
      html,
      /(src="|<link[^>]*href=")(https?:)?\/\//,
      `${page} must not load anything from another host`,
    );
    assert.equal(html.match(/src="(\.\.\/)?assets\/plotly\.min\.js"/g)?.length, 1, `${page} loads plotly.js once`);
    assert.doesNotMatch(html, /l0-plotly-js/, `${page} must not carry the notebook's inline copy of plotly.js`);
  }
  assert.ok(existsSync(join(site, "assets", "mathjax", "MathJax.js")));

  // The page folds the solution, without its output.
  const body = readFileSync(join(site, "figures.html"), "utf8");
  assert.match(
    body,
    /<details class="l0-solution"><summary>Solution<\/summary>[\s\S]*SOLUTION-MARKER[\s\S]*<\/details>/,
  );
  assert.doesNotMatch(body, /SOLUTION-MARKER 0\.5/, "a solution's output is not shown");

  // The deck: slide, fragment, subslide, slide, slide (with notes), as the metadata says.
  const deck = readFileSync(join(site, "slides", "figures.html"), "utf8");
  const sections = deck.slice(deck.indexOf('<div class="slides">'), deck.indexOf('<nav class="deck-home">'));
  const shape = sections.replace(/<section>|<\/section>|<div class="fragment">/g, (tag) => `\u0000${tag}\u0000`);
  const structure = shape
    .split("\u0000")
    .filter((part) => part.startsWith("<section>") || part === "</section>" || part === '<div class="fragment">')
    .map((tag) => ({ "<section>": "[", "</section>": "]", '<div class="fragment">': "f" })[tag])
    .join("");
  assert.equal(structure, "[[f][]][[]][[]]");
  for (const marker of ["SETUP-MARKER", "SOLUTION-MARKER", "CHECK-MARKER", "LONG-CODE-MARKER"]) {
    assert.ok(!sections.includes(marker), `${marker}: the deck must leave that cell out`);
  }
  assert.match(sections, /<aside class="notes">[\s\S]*NOTES-MARKER[\s\S]*<\/aside>/);
  assert.ok(sections.includes("Keep probability") && sections.includes("training:"), "figures and short code stay");

  // The handout: A4, the title, the figures as images, no solution, maths typeset, page 1 as a PNG.
  const shots = join(root, "build", "screenshots", "fixture");
  mkdirSync(shots, { recursive: true });
  const { problems: handout, text } = checkHandout(join(site, "handouts", "figures.pdf"), {
    title: "Figures fixture",
    figures: 2,
    screenshotDir: shots,
  });
  assert.deepEqual(handout, []);
  assert.ok(!text.includes("SOLUTION-MARKER"), "the handout leaves solutions out");
  assert.match(text, /σ\(0\)/, "the handout holds the typeset maths");

  // Deterministic figures: a second export, in another Chromium, gives the same SVG bytes.
  const again = join(work, "again");
  const figures = JSON.parse(readFileSync(executed(runs[0]), "utf8"))
    .cells.flatMap((c: Cell) => c.outputs ?? [])
    .filter((o: Output) => o.data && PLOTLY_MIME in o.data)
    .map((o: Output, i: number) => ({ name: `figures-${i + 1}`, figure: o.data![PLOTLY_MIME] }));
  cpSync(join(site, "index.html"), join(again, "index.html"));
  cpSync(join(site, "assets"), join(again, "assets"), { recursive: true });
  const { withChromium } = await import(pathToFileURL(join(root, "tools", "chromium.mjs")).href);
  await withChromium(chromiumPath, (context: unknown) => exportFigures(context, again, figures));
  for (const { name } of figures) {
    const first = readFileSync(join(site, "figures", `${name}.svg`), "utf8");
    assert.match(first, /clip[0-9a-f]{6}/, "plotly's random ids are in the SVG");
    assert.equal(readFileSync(join(again, "figures", `${name}.svg`), "utf8"), first, `${name}.svg differs`);
  }

  const problems = await checkSiteInBrowser(site, chromiumPath, shots);
  assert.deepEqual(problems, []);
});
