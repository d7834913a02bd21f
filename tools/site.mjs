// Lecture pages: turns the executed notebooks into a static site that works
// offline (no CDN: plotly.js and a small MathJax 2 subset are shipped with it).
//
//   await buildSite({ python, notebooks: "build/notebooks", out: "build/site" })
//
// out/index.html           the chapters with their learning goals, and the notation table
// out/references.html      the works the course cites (assets/references.html)
// out/<notebook>.html      one page per notebook, previous/next navigation
// out/assets/              style.css, plotly.min.js, mathjax/ (TeX input, CommonHTML
//                          output, SVG output with TeX fonts for LaTeX in plotly labels)
// out/figures/<notebook>-<n>.svg|.png   each figure as a static image, for slides
//
// tools/export_html.py converts all notebooks in one Python process (nbconvert's
// HTMLExporter); this module writes the pages around its fragments and renders
// the static figures with Chromium (playwright-core, Plotly.toImage).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { withChromium } from "./chromium.mjs";
import { chromium, root } from "./setup.mjs";

export const COURSE_TITLE = "L0 regularisation with Hard Concrete gates";
const MATHJAX = join(root, "node_modules", "mathjax");
const PLOTLY = join(root, "node_modules", "plotly.js-dist-min", "plotly.min.js");

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

const MATHJAX_CONFIG = `MathJax.Hub.Config({
  messageStyle: "none",
  tex2jax: {
    inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
    displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
    processEscapes: true,
    processEnvironments: true,
    ignoreClass: "tex2jax_ignore|l0-figure"
  },
  TeX: { equationNumbers: { autoNumber: "AMS" } },
  CommonHTML: { linebreaks: { automatic: true } },
  menuSettings: { zoom: "Click" }
});`;

/** The pages' stylesheet, shipped in assets/. */
const STYLE = readFileSync(join(root, "assets", "lecture-pages.css"), "utf8");

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

function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function plainTitle(text) {
  return text.replace(/\$+/g, "").replace(/\\[a-zA-Z]+/g, (m) => m.slice(1));
}

function pageHtml({ title, body }) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/style.css">
<script src="assets/plotly.min.js"></script>
<script type="text/x-mathjax-config">
${MATHJAX_CONFIG}
</script>
<script src="assets/mathjax/MathJax.js?config=TeX-AMS_CHTML"></script>
</head>
<body>
${body}
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
    return `<li><a href="${p.stem}.html">${p.title.html}</a>${goals}</li>`;
  });
  const body = `<main>
<h1>${escapeHtml(COURSE_TITLE)}</h1>
<p>Lecture pages of the course: one chapter per notebook, executed with the tslab kernel. The figures are interactive (zoom, hover); each has a static SVG and PNG copy for slides.</p>
<ol class="chapters">
${items.join("\n")}
</ol>
${NOTATION}
<p>The works cited, with sections and equations: <a href="references.html">References</a>.</p>
</main>`;
  return pageHtml({ title: COURSE_TITLE, body });
}

function copyAssets(out, css) {
  const assets = join(out, "assets");
  mkdirSync(assets, { recursive: true });
  writeFileSync(join(assets, "style.css"), `${STYLE}\n/* syntax highlighting (pygments) */\n${css}\n`);
  cpSync(PLOTLY, join(assets, "plotly.min.js"));
  for (const part of MATHJAX_PARTS) cpSync(join(MATHJAX, part), join(assets, "mathjax", part), { recursive: true });
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
 * Renders each figure as SVG and PNG with Plotly.toImage in headless Chromium,
 * on the site's own index page (which loads plotly.js and MathJax).
 */
async function exportFigures(out, pages, chromiumPath) {
  const figures = pages.flatMap((p) => p.figures);
  const dir = join(out, "figures");
  mkdirSync(dir, { recursive: true });
  if (figures.length === 0) return;
  await withChromium(chromiumPath, async (context) => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(pathToFileURL(join(out, "index.html")).href);
    await page.waitForFunction("window.Plotly && window.MathJax && MathJax.isReady");
    for (const { name, figure } of figures) {
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
  });
}

/**
 * Builds the lecture pages from the executed notebooks in `notebooks` (sorted by
 * file name) into `out`. `python` must have nbconvert; `chromiumPath` defaults to
 * setup.mjs's `chromium()` (installed if missing). Returns the page file names.
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
      if (name.endsWith(".html") || name === "assets" || name === "figures") {
        rmSync(join(out, name), { recursive: true, force: true });
      }
    }
  }
  mkdirSync(out, { recursive: true });
  copyAssets(out, css);
  pages.forEach((page, i) => {
    const prev = pages[i - 1];
    const next = pages[i + 1];
    const body = `${navHtml(page, prev, next, "top")}\n<main>\n${page.body}\n</main>\n${navHtml(page, prev, next, "bottom")}`;
    writeFileSync(
      join(out, `${page.stem}.html`),
      pageHtml({ title: `${plainTitle(page.title.text)} · ${COURSE_TITLE}`, body }),
    );
  });
  writeFileSync(join(out, "index.html"), indexHtml(pages));
  writeReferences(out);
  await exportFigures(out, pages, chromiumPath);
  return ["index.html", "references.html", ...pages.map((p) => `${p.stem}.html`)];
}
