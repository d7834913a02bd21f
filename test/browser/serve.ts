// What the browser tests share: a site folder served to a Playwright context under
// one origin, with every other request refused, and a page's errors collected.
import { readFileSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import type { BrowserContext, Page } from "playwright-core";

/** The origin the tests serve their site folder at (never resolved: every request is routed). */
export const ORIGIN = "http://l0.test";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".woff": "font/woff",
  ".wasm": "application/wasm",
  ".bin": "application/octet-stream",
};

/** Serves `site` at ORIGIN to every page of `context`; any other request is refused and recorded in `problems`. */
export async function serveSite(context: BrowserContext, site: string, problems: string[]): Promise<void> {
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    const file = normalize(join(site, decodeURIComponent(url.pathname)));
    if (url.origin !== ORIGIN || !file.startsWith(normalize(site + sep))) {
      problems.push(`request outside the site folder: ${url.href}`);
      return route.abort();
    }
    try {
      if (!statSync(file).isFile()) throw new Error("not a file");
      return route.fulfill({ status: 200, contentType: TYPES[extname(file)], body: readFileSync(file) });
    } catch {
      problems.push(`not found: ${url.pathname}`);
      return route.fulfill({ status: 404 });
    }
  });
}

/** Records the console errors and uncaught page errors of `page` in `problems`, prefixed with `name`. */
export function watch(page: Page, name: string, problems: string[]): void {
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`${name}: console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`${name}: page error: ${e.message}`));
}
