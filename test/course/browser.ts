/**
 * Browser check of the lecture pages: serves a built site from 127.0.0.1 and
 * loads every page in headless Chromium (playwright-core). Returns the problems
 * found (an empty list means the site passes):
 * - console errors and uncaught page errors;
 * - requests to any host but the local server, failed requests, HTTP errors;
 * - figure output divs (`.l0-figure`) that plotly did not draw;
 * - maths left untypeset (raw `$...$`, `$$`, `\(`, `\[`, `\begin{` in the visible
 *   text once MathJax has finished) and TeX errors;
 * - same-site links (navigation, figure copies) that do not answer 200 (links to
 *   other sites are allowed: only fetching from them is a problem);
 * - exercise solutions (`details.l0-solution`) that are open, or show their code,
 *   when the page loads, or that do not show it once their summary is clicked.
 * A full-page screenshot of each page goes to `screenshotDir/<page>.png`.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext } from "playwright-core";

const root = resolve(__dirname, "..", "..", "..");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff": "font/woff",
  ".json": "application/json",
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
      response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      response.end(readFileSync(file));
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The visible text outside code, with the elements MathJax produced removed; raw TeX left in it is a problem. */
const VISIBLE_TEXT = `(() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll("script, style, pre, code, .input_area, .l0-figure, .MathJax_Preview, mjx-container, .mjx-chtml, .MJX_Assistive_MathML").forEach((e) => e.remove());
  return body.innerText;
})()`;

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

const LINKS = `Array.from(document.querySelectorAll("a[href]")).map((a) => a.getAttribute("href"))`;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function checkSiteInBrowser(
  siteDir: string,
  chromiumPath: string,
  screenshotDir: string,
): Promise<string[]> {
  const problems: string[] = [];
  const pages = readdirSync(siteDir)
    .filter((n) => n.endsWith(".html"))
    .sort();
  if (pages.length === 0) return [`${siteDir}: no .html pages`];
  const server = await serve(siteDir);
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  mkdirSync(screenshotDir, { recursive: true });
  const { withChromium } = await import(pathToFileURL(join(root, "tools", "chromium.mjs")).href);
  try {
    await withChromium(
      chromiumPath,
      async (context: BrowserContext) => {
        const checkedLinks = new Map<string, number>();
        for (const name of pages) {
          const page = await context.newPage();
          const at = (message: string) => problems.push(`${name}: ${message}`);
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
          try {
            await page.goto(`${origin}/${name}`, { waitUntil: "load", timeout: 30_000 });
            await withTimeout(page.evaluate(MATHJAX_DONE), 30_000, "MathJax did not finish typesetting within 30 s");
            const figures = await page.evaluate<{ id: string; drawn: boolean }[]>(FIGURES);
            for (const f of figures) if (!f.drawn) at(`figure ${f.id} was not drawn by plotly`);
            const text = await page.evaluate<string>(VISIBLE_TEXT);
            for (const [pattern, what] of RAW_TEX) {
              const match = text.match(pattern);
              if (match) at(`untypeset TeX (${what}) in the visible text: ${JSON.stringify(match[0].slice(0, 80))}`);
            }
            const solutions = await page.evaluate<{ open: boolean; shown: boolean; after: boolean }[]>(SOLUTIONS);
            solutions.forEach((s, i) => {
              if (s.open || s.shown) at(`solution ${i + 1} is not closed when the page loads`);
              if (!s.after) at(`solution ${i + 1} does not show its code when opened`);
            });
            const texErrors = await page.evaluate<number>(TEX_ERRORS);
            if (texErrors > 0) at(`${texErrors} formula(s) with TeX errors`);
            for (const href of await page.evaluate<string[]>(LINKS)) {
              if (href.startsWith("#")) continue;
              const url = new URL(href, `${origin}/${name}`);
              if (url.origin !== origin) continue; // a reference to another site is fine as long as nothing is fetched
              const key = url.pathname;
              if (!checkedLinks.has(key)) {
                const response = await page.request.get(`${origin}${key}`);
                checkedLinks.set(key, response.status());
              }
              if (checkedLinks.get(key) !== 200) at(`link ${href} answers ${checkedLinks.get(key)}`);
            }
            await page.screenshot({ path: join(screenshotDir, name.replace(/\.html$/, ".png")), fullPage: true });
          } catch (error) {
            at(`could not be checked: ${(error as Error).message.split("\n")[0]}`);
          } finally {
            await page.close();
          }
        }
      },
      { viewport: { width: 1280, height: 900 } },
    );
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  return problems;
}
