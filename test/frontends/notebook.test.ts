/**
 * The course in a real notebook front end: Debian's classic Jupyter Notebook
 * (`jupyter-notebook`, 6.4) is started on 127.0.0.1 with a token on a copy of
 * chapter 06 (under build/, so that the kernel finds node_modules and the source
 * is never written to), headless Chromium opens it, runs all cells through the
 * notebook's own user interface (`Jupyter.notebook.execute_all_cells()`), and
 * every code cell must get an `ok` execute reply, no error output, and every
 * plotly figure must be drawn (the classic notebook renders the figures'
 * `text/html`, which brings plotly.js itself). No request may leave 127.0.0.1.
 * A screenshot of the first figure goes to build/screenshots/notebook/.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import type { BrowserContext } from "playwright-core";
import { freePort, requireProgram, type Server, startServer, stopServer, waitUntilUp } from "./servers";

const root = resolve(__dirname, "..", "..", "..");
const chromiumPath = process.env.L0_CHROMIUM || "/usr/bin/chromium";
const CHAPTER = "06-clamping-hard-concrete.ipynb";

/** Records each code cell's execute reply (status) by patching the classic notebook's CodeCell. */
const RECORD_REPLIES = `(() => {
  const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code");
  const proto = Object.getPrototypeOf(cells[0]);
  const handle = proto._handle_execute_reply;
  window.l0Replies = [];
  proto._handle_execute_reply = function (msg) {
    window.l0Replies.push({ index: Jupyter.notebook.find_cell_index(this), status: msg.content.status });
    return handle.apply(this, arguments);
  };
  return cells.length;
})()`;

/** Per code cell: its index, error outputs and stderr text. */
const CELL_OUTPUTS = `Jupyter.notebook.get_cells().flatMap((cell, index) => cell.cell_type !== "code" ? [] : [{
  index,
  errors: cell.output_area.outputs.filter((o) => o.output_type === "error").map((o) => o.ename + ": " + o.evalue),
  stderr: cell.output_area.outputs.filter((o) => o.output_type === "stream" && o.name === "stderr").map((o) => o.text).join(""),
}])`;

const FIGURES = `Array.from(document.querySelectorAll("div.l0-figure")).map((e) => ({
  id: e.id,
  drawn: e.classList.contains("js-plotly-plot") && e.querySelector(".main-svg") !== null,
}))`;

test(`chapter ${CHAPTER.slice(0, 2)} runs in Debian's classic Jupyter Notebook, figures drawn, offline`, async () => {
  requireProgram("jupyter-notebook", "jupyter-notebook");
  const work = mkdtempSync(join(root, "build", "notebook-frontend-"));
  copyFileSync(join(root, "notebooks", CHAPTER), join(work, CHAPTER));
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const origin = `http://127.0.0.1:${port}`;
  const server: Server = startServer(
    "jupyter-notebook",
    [
      "--no-browser",
      "--allow-root",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${work}`,
    ],
    { cwd: work, env: { ...process.env, JUPYTER_RUNTIME_DIR: join(work, ".runtime") } },
  );
  const shots = join(root, "build", "screenshots", "notebook");
  mkdirSync(shots, { recursive: true });
  const problems: string[] = [];
  let left: string[] = [];
  try {
    await waitUntilUp(server, `${origin}/api?token=${token}`, "jupyter-notebook", 60);
    const { withChromium } = await import(pathToFileURL(join(root, "tools", "chromium.mjs")).href);
    await withChromium(
      chromiumPath,
      async (context: BrowserContext) => {
        const page = await context.newPage();
        page.on("request", (r) => {
          const url = new URL(r.url());
          if (
            !["127.0.0.1", "localhost"].includes(url.hostname) &&
            !["data:", "blob:", "about:"].includes(url.protocol)
          ) {
            problems.push(`request outside localhost: ${r.url()}`);
          }
        });
        page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
        await page.goto(`${origin}/notebooks/${CHAPTER}?token=${token}`, { waitUntil: "load", timeout: 60_000 });
        await page.waitForFunction(
          "window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.info_reply && Jupyter.notebook.kernel.info_reply.protocol_version",
          undefined,
          { timeout: 60_000 },
        );
        const codeCells = await page.evaluate<number>(RECORD_REPLIES);
        await page.evaluate("Jupyter.notebook.execute_all_cells()");
        await page.waitForFunction(`window.l0Replies.length >= ${codeCells}`, undefined, { timeout: 180_000 });
        const replies = await page.evaluate<{ index: number; status: string }[]>("window.l0Replies");
        for (const r of replies) if (r.status !== "ok") problems.push(`cell ${r.index + 1}: execute reply ${r.status}`);
        for (const cell of await page.evaluate<{ index: number; errors: string[]; stderr: string }[]>(CELL_OUTPUTS)) {
          for (const e of cell.errors) problems.push(`cell ${cell.index + 1}: ${e}`);
          if (/Error|Exception|Unhandled/.test(cell.stderr))
            problems.push(`cell ${cell.index + 1} stderr: ${cell.stderr}`);
        }
        // plotly draws after the script in the output has run
        await page.waitForFunction(`${FIGURES}.every((f) => f.drawn)`, undefined, { timeout: 30_000 }).catch(() => {});
        const figures = await page.evaluate<{ id: string; drawn: boolean }[]>(FIGURES);
        if (figures.length === 0) problems.push("no plotly figure in the page");
        for (const f of figures) if (!f.drawn) problems.push(`figure ${f.id} not drawn`);
        if (figures.length > 0) await page.locator("div.l0-figure").first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(shots, `${CHAPTER.replace(/\.ipynb$/, "")}.png`) });
      },
      { viewport: { width: 1280, height: 900 } },
    );
  } finally {
    left = await stopServer(server);
    rmSync(work, { recursive: true, force: true });
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(left, [], "jupyter-notebook left processes running after SIGTERM");
});
