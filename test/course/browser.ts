/**
 * Browser check of the lecture pages and slide decks: serves a built site from
 * 127.0.0.1 and loads every page and every deck (slides/*.html) in one headless
 * Chromium (playwright-core), two tabs at a time. Returns the problems found (an empty list means the
 * site passes):
 * - console errors and uncaught page errors;
 * - requests to any host but the local server, failed requests, HTTP errors;
 * - figure output divs (`.l0-figure`) that plotly did not draw;
 * - maths left untypeset (raw `$...$`, `$$`, `\(`, `\[`, `\begin{` in the visible
 *   text once MathJax has finished) and TeX errors;
 * - same-site links (navigation, figure copies, slides, handouts) that do not
 *   answer 200 (links to other sites are allowed: only fetching is a problem);
 * - pages wider than a phone (390 px) or a tablet (768 px) screen, and figures
 *   whose title overlaps their legend at phone width;
 * - in a deck, stepped through with `Reveal.next()` (transitions off): a slide never reached, a
 *   figure on the current slide not drawn or of zero width, untypeset maths on it,
 *   a slide wider than the screen; and the deck wider than a phone screen.
 * - exercise solutions (`details.l0-solution`) that are open, or show their code,
 *   when the page loads, or that do not show it once their summary is clicked;
 * - live widgets (`section.l0-live`, tools/site.mjs) that have not started within
 *   30 s of loading the page, or that failed to (with the message they show).
 * Screenshots go to `screenshotDir`: each page at 1280 px, each page at
 * 390 px scrolled to its first figure (`<page>-390.png`), and the first slide and
 * first figure slide of each deck (`slides-<deck>-<n>.png`).
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";

const root = resolve(__dirname, "..", "..", "..");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff": "font/woff",
  ".json": "application/json",
  ".pdf": "application/pdf",
};

function serve(dir: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
    const file = normalize(join(dir, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(normalize(dir + sep))) {
      response.writeHead(403).end();
      return;
    }
    try {
      if (!statSync(file).isFile()) throw new Error("not a file");
      // Cacheable, so that plotly.js and MathJax are fetched and compiled once for all pages.
      response.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": "max-age=600",
      });
      response.end(readFileSync(file));
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The visible text outside code, with the elements MathJax produced removed; raw TeX left in it is a problem. */
const VISIBLE_TEXT_OF = `((root) => {
  const copy = root.cloneNode(true);
  copy.querySelectorAll("script, style, pre, code, .input_area, .l0-figure, .MathJax_Preview, mjx-container, .mjx-chtml, .MJX_Assistive_MathML, aside.notes").forEach((e) => e.remove());
  return copy.innerText;
})`;
const VISIBLE_TEXT = `${VISIBLE_TEXT_OF}(document.body)`;

const RAW_TEX: [RegExp, string][] = [
  [/\$\$/, "'$$'"],
  [/\\\(|\\\[/, "'\\(' or '\\['"],
  [/\\begin\{/, "'\\begin{'"],
  [/\$[^$\s][^$\n]*\$/, "'$...$'"],
];

/** Figures: how many output divs there are and which ones plotly did not draw. */
const FIGURES = `Array.from(document.querySelectorAll("div.l0-figure")).map((e) => ({
  id: e.id,
  drawn: e.classList.contains("js-plotly-plot") && e.querySelector(".main-svg") !== null,
}))`;

/**
 * Steps through the deck with `Reveal.next()` (slides, subslides, fragments) and
 * returns, for each slide reached: its indices, the figures on it that plotly did
 * not draw at the slide's width (it resizes them when their slide is shown, after
 * a delay of 100 ms), its visible text, and whether it is wider than the slide.
 */
const STEP_THROUGH_DECK = `(async () => {
  const textOf = ${VISIBLE_TEXT_OF};
  const slides = [];
  const seen = new Set();
  for (let step = 0; step < 100000; step++) {
    const { h, v } = Reveal.getIndices();
    const key = h + "." + v;
    if (!seen.has(key)) {
      seen.add(key);
      const slide = Reveal.getCurrentSlide();
      const figures = Array.from(slide.querySelectorAll("div.l0-figure"));
      if (figures.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
      const notDrawn = figures.filter((e) => {
        const svg = e.querySelector(".main-svg");
        const width = e.getBoundingClientRect().width;
        return !svg || width < 50 || Math.abs(svg.getBoundingClientRect().width - width) > 2;
      });
      slides.push({
        h, v, key, figures: figures.length, notDrawn: notDrawn.map((e) => e.id),
        text: textOf(slide), wide: slide.scrollWidth > slide.clientWidth + 1,
      });
    }
    if (Reveal.isLastSlide() && !Reveal.availableFragments().next) break;
    Reveal.next();
  }
  return slides;
})()`;

/** Figures whose title box overlaps their legend box. */
const TITLE_OVER_LEGEND = `Array.from(document.querySelectorAll("div.l0-figure.js-plotly-plot")).filter((e) => {
  const title = e.querySelector(".gtitle");
  const legend = e.querySelector(".legend");
  if (!title || !legend) return false;
  const a = title.getBoundingClientRect();
  const b = legend.getBoundingClientRect();
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}).map((e) => e.id)`;

/** The width of the page's content (wider than the window: the page scrolls sideways). */
const PAGE_WIDTH = "document.documentElement.scrollWidth";

/** Waits until MathJax has loaded and typeset the page (its queue is empty). */
const MATHJAX_DONE = `new Promise((resolve) => {
  const check = () => {
    if (!window.MathJax || !MathJax.Hub || !MathJax.Hub.Register) return setTimeout(check, 50);
    // The hook must not return the queue's callback: MathJax would wait for it and never reach "End".
    MathJax.Hub.Register.StartupHook("End", () => {
      MathJax.Hub.Queue(() => resolve(true));
    });
  };
  check();
})`;

const TEX_ERRORS = `document.querySelectorAll(".mjx-noError, .MathJax_Error, merror, .mjx-merror").length`;

/** The pages that are not chapters (and so have no slide deck). */
const FRONT_MATTER = ["index.html", "references.html"];

/** Per solution: open when loaded, code visible when loaded, and code visible after a click on its summary. */
const SOLUTIONS = `(() => {
  // checkVisibility, not getClientRects: Chromium lays out a closed <details>'s content (content-visibility: hidden).
  const shown = (d) => Array.from(d.querySelectorAll(".input_area")).some((e) => e.checkVisibility());
  return Array.from(document.querySelectorAll("details.l0-solution")).map((d) => {
    const before = { open: d.open, shown: shown(d) };
    d.querySelector("summary").click();
    const after = shown(d);
    d.open = false;
    return { ...before, after };
  });
})()`;

/** True once every live widget of the page has started or failed. */
const LIVE_SETTLED = `Array.from(document.querySelectorAll("section.l0-live")).every((e) => e.dataset.state !== "loading")`;
/** The live widgets that did not start, with the message each shows. */
const LIVE_NOT_STARTED = `Array.from(document.querySelectorAll("section.l0-live")).filter((e) => e.dataset.state !== "ready")
  .map((e) => e.id + " (" + e.dataset.state + "): " + e.querySelector(".l0-live-status").textContent)`;

const LINKS = `Array.from(document.querySelectorAll("a[href]")).map((a) => a.getAttribute("href"))`;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Reports, through `at`, console errors, page errors, failed requests and requests to another host than `origin`. */
function watch(page: Page, origin: string, at: (message: string) => void): void {
  page.on("console", (m) => {
    if (m.type() === "error") at(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => at(`page error: ${e.message}`));
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith("data:") && !url.startsWith("blob:")) {
      at(`request to another host: ${url}`);
    }
  });
  page.on("requestfailed", (r) => at(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on("response", (r) => {
    if (r.status() >= 400) at(`HTTP ${r.status()} for ${r.url()}`);
  });
}

/** Loads `url` and waits until MathJax has typeset it. */
async function load(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: "load", timeout: 30_000 });
  await withTimeout(page.evaluate(MATHJAX_DONE), 30_000, "MathJax did not finish typesetting within 30 s");
}

function checkTypeset(text: string, at: (message: string) => void): void {
  for (const [pattern, what] of RAW_TEX) {
    const match = text.match(pattern);
    if (match) at(`untypeset TeX (${what}) in the visible text: ${JSON.stringify(match[0].slice(0, 80))}`);
  }
}

const PHONE = { width: 390, height: 844 };
const TABLET = { width: 768, height: 1024 };
const DESKTOP = { width: 1280, height: 900 };

/**
 * A page is opened as a phone opens it (MathJax breaks lines and plotly sizes
 * figures for the width the page loads at), then widened to a tablet's and a
 * desktop's width.
 */
async function checkPage(
  page: Page,
  url: string,
  name: string,
  screenshotDir: string,
  at: (message: string) => void,
  checkLink: (href: string) => Promise<number>,
): Promise<void> {
  const stem = name.replace(/\.html$/, "");
  await page.setViewportSize(PHONE);
  await load(page, url);
  await page.waitForFunction(LIVE_SETTLED, undefined, { timeout: 30_000 }).catch(() => undefined);
  for (const widget of await page.evaluate<string[]>(LIVE_NOT_STARTED)) at(`live widget ${widget}`);
  const figures = await page.evaluate<{ id: string; drawn: boolean }[]>(FIGURES);
  for (const f of figures) if (!f.drawn) at(`figure ${f.id} was not drawn by plotly`);
  for (const id of await page.evaluate<string[]>(TITLE_OVER_LEGEND)) {
    at(`figure ${id}: title overlaps the legend at ${PHONE.width} px`);
  }
  for (const size of [PHONE, TABLET]) {
    if (size !== PHONE) await page.setViewportSize(size);
    const width = await page.evaluate<number>(PAGE_WIDTH);
    if (width > size.width) at(`${width} px wide at a ${size.width} px wide screen (it scrolls sideways)`);
    if (size === PHONE) {
      if (figures.length > 0) await page.locator("div.l0-figure").first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshotDir, `${stem}-390.png`) });
    }
  }
  await page.setViewportSize(DESKTOP);
  checkTypeset(await page.evaluate<string>(VISIBLE_TEXT), at);
  const texErrors = await page.evaluate<number>(TEX_ERRORS);
  if (texErrors > 0) at(`${texErrors} formula(s) with TeX errors`);
  const solutions = await page.evaluate<{ open: boolean; shown: boolean; after: boolean }[]>(SOLUTIONS);
  solutions.forEach((solution, i) => {
    if (solution.open || solution.shown) at(`solution ${i + 1} is not closed when the page loads`);
    if (!solution.after) at(`solution ${i + 1} does not show its code when opened`);
  });
  for (const href of await page.evaluate<string[]>(LINKS)) {
    if (href.startsWith("#")) continue;
    const target = new URL(href, url);
    if (target.origin !== new URL(url).origin) continue; // a reference to another site is fine as long as nothing is fetched
    const status = await checkLink(target.pathname);
    if (status !== 200) at(`link ${href} answers ${status}`);
  }
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: join(screenshotDir, `${stem}.png`) });
}

async function checkDeck(page: Page, url: string, name: string, screenshotDir: string, at: (message: string) => void) {
  await page.setViewportSize(DESKTOP);
  await load(page, url);
  await page.waitForFunction("window.Reveal && Reveal.isReady()", undefined, { timeout: 30_000 });
  // Stepped through without reveal's slide animations: what is checked is each slide as shown,
  // and the animations cost about 7 s of CPU over the course's decks.
  await page.evaluate("Reveal.configure({ transition: 'none', backgroundTransition: 'none' })");
  const total = await page.evaluate<number>("Reveal.getTotalSlides()");
  const slides =
    await page.evaluate<
      { h: number; v: number; key: string; figures: number; notDrawn: string[]; text: string; wide: boolean }[]
    >(STEP_THROUGH_DECK);
  for (const slide of slides) {
    const atSlide = (message: string) => at(`slide ${slide.key}: ${message}`);
    for (const id of slide.notDrawn) atSlide(`figure ${id} not drawn at the slide's width`);
    checkTypeset(slide.text, atSlide);
    if (slide.wide) atSlide("wider than the slide");
  }
  const stem = name.replace(/\.html$/, "");
  for (const slide of [slides[0], slides.find((s) => s.figures > 0)]) {
    if (!slide) continue;
    await page.evaluate(`Reveal.slide(${slide.h}, ${slide.v})`);
    await page.waitForTimeout(slide.figures > 0 ? 250 : 0);
    await page.screenshot({ path: join(screenshotDir, `slides-${stem}-${slide.key}.png`) });
  }
  const visited = new Set(slides.map((slide) => slide.key));
  if (visited.size !== total) at(`${visited.size} of ${total} slides reached by stepping through the deck`);
  // On a phone the deck opens in reveal's scroll view, laid out for the screen's width.
  await page.setViewportSize(PHONE);
  await load(page, url);
  await page.waitForFunction("window.Reveal && Reveal.isReady()", undefined, { timeout: 30_000 });
  const width = await page.evaluate<number>(PAGE_WIDTH);
  if (width > PHONE.width) at(`${width} px wide at a ${PHONE.width} px wide screen (it scrolls sideways)`);
  if (!(await page.evaluate<boolean>("Reveal.isScrollView()"))) at("not in reveal's scroll view on a phone");
  for (const f of await page.evaluate<{ id: string; drawn: boolean }[]>(FIGURES)) {
    if (!f.drawn) at(`figure ${f.id} was not drawn by plotly at 390 px`);
  }
  await page.screenshot({ path: join(screenshotDir, `slides-${stem}-390.png`) });
}

export async function checkSiteInBrowser(
  siteDir: string,
  chromiumPath: string,
  screenshotDir: string,
): Promise<string[]> {
  const problems: string[] = [];
  const htmlIn = (dir: string) =>
    readdirSync(dir)
      .filter((n) => n.endsWith(".html"))
      .sort();
  const pages = htmlIn(siteDir);
  if (pages.length === 0) return [`${siteDir}: no .html pages`];
  const decks = htmlIn(join(siteDir, "slides"));
  const chapters = pages.filter((name) => !FRONT_MATTER.includes(name));
  if (decks.length !== chapters.length) problems.push(`${decks.length} slide decks for ${chapters.length} chapters`);
  const server = await serve(siteDir);
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  mkdirSync(screenshotDir, { recursive: true });
  const { inTabs, withChromium } = await import(pathToFileURL(join(root, "tools", "chromium.mjs")).href);
  try {
    await withChromium(chromiumPath, async (context: BrowserContext) => {
      const checkedLinks = new Map<string, number>();
      const checkLink = async (path: string) => {
        if (!checkedLinks.has(path)) checkedLinks.set(path, (await context.request.get(`${origin}${path}`)).status());
        return checkedLinks.get(path) as number;
      };
      const items = [
        ...pages.map((name) => ({ name, label: name, deck: false })),
        ...decks.map((name) => ({ name, label: `slides/${name}`, deck: true })),
      ];
      await inTabs(items, async ({ name, label, deck }: (typeof items)[number]) => {
        const page = await context.newPage();
        const at = (message: string) => problems.push(`${label}: ${message}`);
        watch(page, origin, at);
        try {
          if (deck) await checkDeck(page, `${origin}/${label}`, name, screenshotDir, at);
          else await checkPage(page, `${origin}/${label}`, name, screenshotDir, at, checkLink);
        } catch (error) {
          at(`could not be checked: ${(error as Error).message.split("\n")[0]}`);
        } finally {
          await page.close();
        }
      });
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  return problems;
}
