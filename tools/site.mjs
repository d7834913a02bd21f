// Lecture pages: turns the executed notebooks into a static site that works
// offline (no CDN: plotly.js and a small MathJax 2 subset are shipped with it).
//
//   await buildSite({ python, notebooks: "build/notebooks", out: "build/site" })
//
// out/index.html           the chapters with their learning goals, slides and handouts, and the notation table
// out/references.html      the works the course cites (assets/references.html)
// out/<notebook>.html      one page per notebook, previous/next navigation
// out/slides/<notebook>.html   the chapter as a reveal.js slide deck
// out/handouts/<notebook>.pdf  the chapter's page printed to A4 (figures as images, no solutions)
// out/assets/              style.css, slides.css, plotly.min.js, reveal/ (reveal.js, its
//                          white theme, speaker notes), mathjax/ (TeX input, CommonHTML
//                          output, SVG output with TeX fonts for LaTeX in plotly labels)
// out/figures/<notebook>-<n>.svg|.png   each figure as a static image
// out/assets/live/         the live widgets (live.mjs, from assets/live/) and the library's
//                          browser bundle with its wasm files, which live.mjs imports
//
// Live widgets (LIVE_WIDGETS) compute in the page with the library: the gate
// pipeline at the end of a named section of chapter 06, the training demo on the
// index page. Each is a <section class="l0-live"> with a loader that imports
// assets/live/live.mjs; if that fails (no HTTP server, files missing), the section
// says so instead of staying blank. Slides leave them out; handouts print a note.
//
// tools/export_html.py converts all notebooks in one Python process (nbconvert's
// HTMLExporter); this module writes the pages and decks around its fragments, and
// in one headless Chromium (playwright-core) renders the static figures
// (Plotly.toImage) and prints the handouts, two tabs at a time. That Chromium may
// read files only: a request for anything else is aborted.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { bundleLiveWidgets } from "./build.mjs";
import { inTabs, withChromium } from "./chromium.mjs";
import { chromium, root } from "./setup.mjs";

export const COURSE_TITLE = "L0 regularisation with Hard Concrete gates";
const MATHJAX = join(root, "node_modules", "mathjax");
const PLOTLY = join(root, "node_modules", "plotly.js-cartesian-dist-min", "plotly-cartesian.min.js");
const REVEAL = join(root, "node_modules", "reveal.js", "dist");
/** The reveal.js files the decks load (its white theme embeds its fonts). */
const REVEAL_PARTS = ["reveal.css", "reveal.js", "theme/white.css", "plugin/notes.js"];

/** The parts of MathJax 2 the pages load (config TeX-AMS_CHTML, plus SVG output for plotly's LaTeX labels). */
const MATHJAX_PARTS = [
  "MathJax.js",
  "config/TeX-AMS_CHTML.js",
  "jax/input/TeX",
  "jax/element/mml",
  "jax/output/CommonHTML",
  "jax/output/PreviewHTML",
  "jax/output/SVG/config.js",
  "jax/output/SVG/jax.js",
  "jax/output/SVG/autoload",
  "jax/output/SVG/fonts/TeX",
  "fonts/HTML-CSS/TeX/woff",
  "extensions/TeX",
  "extensions/a11y/accessibility-menu.js",
  "localization/en",
  ...["tex2jax", "MathEvents", "MathMenu", "MathZoom", "toMathML", "fast-preview", "AssistiveMML", "HelpDialog"].map(
    (name) => `extensions/${name}.js`,
  ),
];

/**
 * MathJax 2's configuration for pages and decks. Its fast preview (a rough rendering shown until the real
 * one is ready) is off: it typesets every formula twice, about 0.5 s more CPU per page load in headless
 * Chromium here, and the pages typeset in about a second anyway.
 */
const mathjaxConfig = ({ linebreaks }) => `MathJax.Hub.Config({
  messageStyle: "none",
  tex2jax: {
    inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
    displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
    processEscapes: true,
    processEnvironments: true,
    ignoreClass: "tex2jax_ignore|l0-figure"
  },
  TeX: { equationNumbers: { autoNumber: "AMS" } },
  CommonHTML: { linebreaks: { automatic: ${linebreaks} } },
  menuSettings: { zoom: "Click" },
  "fast-preview": { disabled: true }
});`;

/** The stylesheets of the pages and of the decks, shipped in assets/. */
const STYLE = readFileSync(join(root, "assets", "lecture-pages.css"), "utf8");
const SLIDES_STYLE = readFileSync(join(root, "assets", "lecture-slides.css"), "utf8");

/**
 * The course's front matter, shipped in assets/ as HTML fragments (maths in $...$):
 * the notation table, shown on the index page, and the references page, linked
 * from every page's navigation, with the original lecture notes that it cites.
 */
const NOTATION = readFileSync(join(root, "assets", "notation.html"), "utf8");
const REFERENCES = readFileSync(join(root, "assets", "references.html"), "utf8");
const ORIGINAL_NOTES = "original-lecture-notes.txt";

function writeReferences(out) {
  const page = { title: { html: "References" } };
  const body = `${navHtml(page, null, null, "top")}\n<main>\n${REFERENCES}\n</main>`;
  writeFileSync(join(out, "references.html"), pageHtml({ title: `References · ${COURSE_TITLE}`, body }));
  cpSync(join(root, "assets", ORIGINAL_NOTES), join(out, "assets", ORIGINAL_NOTES));
}

/**
 * The live widgets (assets/live/): their heading, the sentence that introduces
 * them, the note a handout prints in their place, and where they go: on the
 * index page, or at the end of the section of a chapter's page whose <h2> starts
 * with `section` (the build fails when that chapter exists without that section).
 */
export const LIVE_WIDGETS = {
  "gate-pipeline": {
    page: "06-clamping-hard-concrete",
    section: "5. The whole distribution",
    title: "Live: the gate, step by step",
    intro:
      "Move a slider: the library, running in this page, draws 20,000 gates from uniform noise u through L = logit u, s = σ((L + log α)/β), s̄ = s(ζ − γ) + γ and z = min(1, max(0, s̄)), and computes P(z = 0), P(z = 1) and the test-time gate ẑ of Eq. 13 in closed form, next to the shares of the samples.",
    handout:
      "In the lecture page a live widget stands here: sliders for log α, β, γ and ζ, 20,000 gates drawn in the browser at every move, their histograms, and P(z = 0), P(z = 1) and ẑ (Eq. 13) in closed form.",
  },
  "training-demo": {
    page: "index",
    title: "Live: an L0 network trained in this page",
    intro:
      "A network with L0 gates on its 12 inputs and 16 hidden units learns y = 1.5 x₀ − 2 x₁ + x₂ from 256 examples, in your browser: tfjs's model.fit with the library's l0Dense layers, which carry the penalty λ·E[L0]/N, and l0Callbacks. Watch the gates close the 9 useless inputs and some hidden units.",
    handout: "In the lecture pages a live demo stands here: a small L0 network trained in the browser.",
  },
};

/** The site's folder of the live widgets, from a page at the site's root. */
const LIVE_DIR = "assets/live";

/**
 * A live widget's section and its loader. The loader imports live.mjs and mounts
 * the widget; a failure replaces the "Loading…" line by a visible message.
 */
export function liveHtml(name, level = 3) {
  const widget = LIVE_WIDGETS[name];
  const id = `l0-live-${name}`;
  return `<section class="l0-live tex2jax_ignore" id="${id}" data-widget="${name}" data-state="loading">
<h${level}>${escapeHtml(widget.title)}</h${level}>
<p>${escapeHtml(widget.intro)}</p>
<p class="l0-live-status">Loading the library…</p>
<noscript><p class="l0-live-status">This live widget needs JavaScript.</p></noscript>
</section>
<p class="l0-live-handout">${escapeHtml(widget.handout)}</p>
<script type="module">
const root = document.getElementById(${JSON.stringify(id)});
import("./${LIVE_DIR}/live.mjs").then((live) => live.mount(root)).catch((error) => {
  root.dataset.state = "failed";
  const status = root.querySelector(".l0-live-status");
  status.setAttribute("role", "alert");
  status.textContent = "This live widget could not start: " + error.message + ". It needs the page served over HTTP (for example python3 -m http.server in the site's folder) with the site's ${LIVE_DIR}/ folder complete.";
});
</script>`;
}

/** `body` (a chapter's page) with the live widgets that belong to page `stem` inserted. */
function withLiveWidgets(stem, body) {
  for (const [name, { page, section }] of Object.entries(LIVE_WIDGETS)) {
    if (page !== stem) continue;
    const heading = body.search(new RegExp(`<h2[^>]*>${section.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    if (heading < 0) throw new Error(`site: ${stem} has no section starting "${section}" for the live widget ${name}`);
    const next = body.slice(heading + 1).search(/<h[12][ >]/);
    // Before the cell that opens the next section; inside the section's own cell if the next heading is in it too.
    const cell = next < 0 ? -1 : body.lastIndexOf('<div class="cell ', heading + 1 + next);
    const at = next < 0 ? body.length : cell > heading ? cell : heading + 1 + next;
    body = `${body.slice(0, at)}${liveHtml(name)}\n${body.slice(at)}`;
  }
  return body;
}

function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function plainTitle(text) {
  return text.replace(/\$+/g, "").replace(/\\[a-zA-Z]+/g, (m) => m.slice(1));
}

/** The <head> of pages and decks: `base` leads from the file to the site's root. */
function headHtml({ title, base = "", styles = ["style.css"], linebreaks = true }) {
  return `<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
${styles.map((s) => `<link rel="stylesheet" href="${base}assets/${s}">`).join("\n")}
<script src="${base}assets/plotly.min.js"></script>
<script type="text/x-mathjax-config">
${mathjaxConfig({ linebreaks })}
</script>
<script src="${base}assets/mathjax/MathJax.js?config=TeX-AMS_CHTML"></script>`;
}

export function pageHtml({ title, body }) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
${headHtml({ title })}
</head>
<body>
${body}
</body>
</html>
`;
}

/**
 * A chapter's reveal.js deck. Figures are drawn when the page loads, before
 * reveal lays the slides out, so each is resized when its slide is shown.
 * MathJax's automatic line breaks are off: they measure the width of slides that
 * are not displayed yet.
 */
function deckHtml(page) {
  const title = `${plainTitle(page.title.text)} · slides · ${COURSE_TITLE}`;
  const styles = ["reveal/reveal.css", "reveal/theme/white.css", "slides.css"];
  return `<!DOCTYPE html>
<html lang="en">
<head>
${headHtml({ title, base: "../", styles, linebreaks: false })}
</head>
<body>
<div class="reveal"><div class="slides">
${page.slides}
</div></div>
<nav class="deck-home"><a href="../index.html">${escapeHtml(COURSE_TITLE)}</a> · <a href="../${page.stem}.html">page</a></nav>
<script src="../assets/reveal/reveal.js"></script>
<script src="../assets/reveal/plugin/notes.js"></script>
<script>
// On a phone the slides are read as one scrolling page (reveal's scroll view), laid out for its width rather
// than scaled down from a projector's.
const narrow = window.matchMedia("(max-width: 700px)").matches;
Reveal.initialize({
  hash: true, slideNumber: "c/t", center: false, margin: 0.04, plugins: [RevealNotes],
  width: narrow ? 440 : 1200, height: narrow ? 780 : 800, view: narrow ? "scroll" : null,
});
function resizeFigures() {
  for (const figure of Reveal.getCurrentSlide().querySelectorAll(".l0-figure.js-plotly-plot")) Plotly.Plots.resize(figure);
}
Reveal.on("ready", resizeFigures);
Reveal.on("slidechanged", resizeFigures);
</script>
</body>
</html>
`;
}

function navHtml(page, prev, next, where) {
  const link = (p, rel, text) => (p ? `<a rel="${rel}" href="${p.stem}.html">${text}</a>` : "");
  return `<div class="nav-bar ${where}"><nav class="chapter-nav">
<div class="nav-prev">${link(prev, "prev", prev ? `← ${prev.title.html}` : "")}</div>
<div class="nav-center"><a class="nav-home" href="index.html">${escapeHtml(COURSE_TITLE)}</a><span class="nav-chapter">${page.title.html}</span><a class="nav-references" href="references.html">References</a></div>
<div class="nav-next">${link(next, "next", next ? `${next.title.html} →` : "")}</div>
</nav></div>`;
}

function indexHtml(pages) {
  const items = pages.map((p) => {
    const goals = p.goals.length
      ? `<p class="goals-label">Learning goals</p><ul class="goals">${p.goals.map((g) => `<li>${g}</li>`).join("")}</ul>`
      : "";
    const material = `<p class="material"><a href="slides/${p.stem}.html">Slides</a> · <a href="handouts/${p.stem}.pdf">Handout (PDF)</a></p>`;
    return `<li><a href="${p.stem}.html">${p.title.html}</a>${material}${goals}</li>`;
  });
  const body = `<main>
<h1>${escapeHtml(COURSE_TITLE)}</h1>
<p>Lecture pages of the course: one chapter per notebook, executed with the tslab kernel. The figures are interactive (zoom, hover); each has a static SVG and PNG copy. Every chapter also comes as a slide deck (reveal.js: arrow keys, <kbd>S</kbd> for speaker notes) and as a printable A4 handout.</p>
<ol class="chapters">
${items.join("\n")}
</ol>
${liveHtml("training-demo", 2)}
${NOTATION}
<p>The works cited, with sections and equations: <a href="references.html">References</a>.</p>
</main>`;
  return pageHtml({ title: COURSE_TITLE, body });
}

export async function copyAssets(out, css) {
  const assets = join(out, "assets");
  mkdirSync(assets, { recursive: true });
  writeFileSync(join(assets, "style.css"), `${STYLE}\n/* syntax highlighting (pygments) */\n${css}\n`);
  writeFileSync(join(assets, "slides.css"), `${SLIDES_STYLE}\n/* syntax highlighting (pygments) */\n${css}\n`);
  cpSync(PLOTLY, join(assets, "plotly.min.js"));
  for (const part of REVEAL_PARTS) cpSync(join(REVEAL, part), join(assets, "reveal", part));
  for (const part of MATHJAX_PARTS) cpSync(join(MATHJAX, part), join(assets, "mathjax", part), { recursive: true });
  await bundleLiveWidgets(join(out, LIVE_DIR));
}

function exportFragments(python, files) {
  const result = spawnSync(python, [join(root, "tools", "export_html.py"), ...files], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`site: export_html.py failed (status ${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

/**
 * A seeded Math.random for the page, so that the ids plotly draws from it
 * (`Lib.randstr`: clip paths, gradients) and with them the exported SVG are the
 * same in every run (Park & Miller's minimal standard generator).
 */
const SEED_RANDOM = `(() => {
  let state = 12345;
  Math.random = () => {
    state = (state * 16807) % 2147483647;
    return (state - 1) / 2147483646;
  };
})()`;

/** Resolves when MathJax has typeset the page (its queue is empty after start-up). */
const MATHJAX_TYPESET = `new Promise((resolve) =>
  MathJax.Hub.Register.StartupHook("End", () => {
    MathJax.Hub.Queue(() => resolve(true));
  }),
)`;

/** Opens a site file in `page` and waits until MathJax has typeset it. */
async function openSiteFile(page, file) {
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction("window.MathJax && MathJax.Hub && MathJax.Hub.Register");
  await page.evaluate(MATHJAX_TYPESET);
}

/**
 * Renders each figure as SVG and PNG with Plotly.toImage on the site's index
 * page (which loads plotly.js and MathJax), with Math.random seeded anew for
 * every figure.
 */
export async function exportFigures(context, out, figures) {
  const dir = join(out, "figures");
  mkdirSync(dir, { recursive: true });
  const halves = [figures.filter((_, i) => i % 2 === 0), figures.filter((_, i) => i % 2 === 1)];
  await inTabs(
    halves.filter((half) => half.length > 0),
    async (half) => {
      const page = await context.newPage();
      await openSiteFile(page, join(out, "index.html"));
      await page.waitForFunction("window.Plotly");
      for (const { name, figure } of half) {
        await page.evaluate(SEED_RANDOM);
        const { svg, png } = await page.evaluate(async (fig) => {
          const width = fig.layout?.width ?? 900;
          const height = fig.layout?.height ?? 500;
          const svg = await window.Plotly.toImage(fig, { format: "svg", width, height });
          const png = await window.Plotly.toImage(fig, { format: "png", width, height, scale: 2 });
          return { svg, png };
        }, figure);
        writeFileSync(join(dir, `${name}.svg`), decodeURIComponent(svg.slice(svg.indexOf(",") + 1)));
        writeFileSync(join(dir, `${name}.png`), Buffer.from(png.slice(png.indexOf(",") + 1), "base64"));
      }
      await page.close();
    },
  );
}

/** In a lecture page: each interactive figure replaced by its exported PNG; resolves when all are decoded. */
const STATIC_FIGURES = `Promise.all(Array.from(document.querySelectorAll(".l0-figure-links[data-figure]"), (links) => {
  const figure = links.parentElement.querySelector(".l0-figure");
  const img = document.createElement("img");
  img.className = "l0-figure-static";
  img.alt = "figure " + links.dataset.figure;
  img.src = "figures/" + links.dataset.figure + ".png";
  figure.replaceWith(img);
  return img.decode();
}))`;

/**
 * Prints each lecture page to handouts/<page>.pdf (A4; the page's print style
 * leaves out navigation and solutions), figures as their PNG exports.
 */
async function printHandouts(context, out, pages) {
  const dir = join(out, "handouts");
  mkdirSync(dir, { recursive: true });
  await inTabs(pages, async ({ stem, title }) => {
    const page = await context.newPage();
    // The figures are printed as images, so the pages need not load and run plotly.js.
    await page.route("**/assets/plotly.min.js", (route) => route.abort());
    await openSiteFile(page, join(out, `${stem}.html`));
    await page.evaluate(STATIC_FIGURES);
    await page.pdf({
      path: join(dir, `${stem}.pdf`),
      format: "A4",
      printBackground: true,
      margin: { top: "16mm", bottom: "16mm", left: "14mm", right: "14mm" },
      displayHeaderFooter: true,
      headerTemplate: "<span></span>",
      footerTemplate: `<div style="font: 8px sans-serif; color: #59636e; width: 100%; text-align: center;">${escapeHtml(
        plainTitle(title.text),
      )} · <span class="pageNumber"></span> / <span class="totalPages"></span></div>`,
    });
    await page.close();
  });
}

/** Runs `use(context)` in headless Chromium that may load files and data URLs only. */
function withOfflineChromium(chromiumPath, use) {
  return withChromium(chromiumPath, async (context) => {
    await context.route("**/*", (route) => {
      const url = route.request().url();
      return url.startsWith("file:") || url.startsWith("data:") ? route.continue() : route.abort();
    });
    return use(context);
  });
}

/** What buildSite writes into `out`: removed before a build, so that nothing stale is left. */
const BUILT = new Set(["assets", "figures", "slides", "handouts"]);

/**
 * Builds the lecture pages, slide decks and handouts from the executed notebooks
 * in `notebooks` (sorted by file name) into `out`. `python` must have nbconvert;
 * `chromiumPath` defaults to setup.mjs's `chromium()` (installed if missing).
 * Returns the page file names.
 */
export async function buildSite({ python, notebooks, out, chromiumPath = chromium() }) {
  out = resolve(out);
  const files = readdirSync(notebooks)
    .filter((n) => n.endsWith(".ipynb"))
    .sort()
    .map((n) => join(resolve(notebooks), n));
  const { pages, css } = exportFragments(python, files);
  if (existsSync(out)) {
    for (const name of readdirSync(out)) {
      if (name.endsWith(".html") || BUILT.has(name)) rmSync(join(out, name), { recursive: true, force: true });
    }
  }
  mkdirSync(join(out, "slides"), { recursive: true });
  await copyAssets(out, css);
  pages.forEach((page, i) => {
    const prev = pages[i - 1];
    const next = pages[i + 1];
    const body = `${navHtml(page, prev, next, "top")}\n<main>\n${withLiveWidgets(page.stem, page.body)}\n</main>\n${navHtml(page, prev, next, "bottom")}`;
    writeFileSync(
      join(out, `${page.stem}.html`),
      pageHtml({ title: `${plainTitle(page.title.text)} · ${COURSE_TITLE}`, body }),
    );
    writeFileSync(join(out, "slides", `${page.stem}.html`), deckHtml(page));
  });
  writeFileSync(join(out, "index.html"), indexHtml(pages));
  writeReferences(out);
  await withOfflineChromium(chromiumPath, async (context) => {
    await exportFigures(
      context,
      out,
      pages.flatMap((p) => p.figures),
    );
    await printHandouts(context, out, pages);
  });
  return ["index.html", "references.html", ...pages.map((p) => `${p.stem}.html`)];
}
