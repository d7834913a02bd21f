// The course itself, as `npm run course` builds it: every notebook in notebooks/
// executed through Jupyter with the tslab kernel (each notebook checks its own
// claims in code, so a wrong claim fails here) into build/notebooks/, then the
// lecture pages, slide decks and handouts built into build/site/: pages and decks
// loaded in headless Chromium (every slide stepped through), each handout read
// back with poppler; the live widgets in their pages, started in Chromium.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { checkSiteInBrowser } from "./browser";
import { checkHandout } from "./handouts";

const root = resolve(__dirname, "..", "..", "..");
const python = process.env.L0_PYTHON || "/usr/bin/python3";
const chromiumPath = process.env.L0_CHROMIUM || "/usr/bin/chromium";
const notebooks = readdirSync(join(root, "notebooks"))
  .filter((name) => name.endsWith(".ipynb"))
  .sort();
const executed = join(root, "build", "notebooks");
const PLOTLY = "application/vnd.plotly.v1+json";
type Output = { output_type: string; data?: Record<string, unknown> };

/** The runner's lines about notebook `name`: its "ok" line, or its FAIL line with the stderr below it. */
function reportFor(output: string, name: string): string {
  const start = output.search(new RegExp(`^(ok  |FAIL) \\S*${name.replace(/[.]/g, "\\.")}`, "m"));
  if (start === -1) return `no line about ${name} in the runner's output:\n${output}`;
  const next = output.slice(start + 1).search(/^(FAIL|ok) /m);
  return next === -1 ? output.slice(start) : output.slice(start, start + 1 + next);
}

describe("the course notebooks", () => {
  // Executed as `npm run course` executes them: on two lanes, the longest notebook first.
  let run = { status: -1, output: "" };
  before(async () => {
    const course = await import(pathToFileURL(join(root, "tools", "course.mjs")).href);
    run = await course.executeNotebooks(python, course.notebookOrder(), executed, { capture: true });
  });

  test("there is at least the first chapter", () => {
    assert.ok(notebooks.includes("01-why-l0-has-no-gradient.ipynb"), `notebooks: ${notebooks.join(", ")}`);
  });

  for (const name of notebooks) {
    test(`${name} runs through Jupyter with every check passing`, () => {
      assert.match(reportFor(run.output, name), /^ok /, reportFor(run.output, name));
      const nb = JSON.parse(readFileSync(join(executed, name), "utf8"));
      const cells: { cell_type: string; source: string | string[]; outputs?: Output[] }[] = nb.cells;
      const source = cells.map((cell) => [cell.source].flat().join("")).join("\n");
      assert.match(source, /from "l0-hard-concrete"/, `${name} does not import the library by its package name`);
      const figures = cells.flatMap((cell) => cell.outputs ?? []).filter((o) => o.data?.[PLOTLY] !== undefined);
      assert.ok(figures.length > 0, `${name} shows no plotly figure`);
      for (const figure of figures) {
        assert.equal(typeof figure.data?.[PLOTLY], "object", "the plotly output must be a JSON object");
        const plotly = figure.data?.[PLOTLY] as { data?: unknown } | undefined;
        assert.ok(Array.isArray(plotly?.data), "a figure without traces");
      }
    });
  }

  test("the runner reports success", () => {
    assert.equal(run.status, 0, run.output);
  });

  test("the lecture pages, slides and handouts cover every chapter and pass their checks", async () => {
    const { removeStaleExecuted } = await import(pathToFileURL(join(root, "tools", "course.mjs")).href);
    const { buildSite, LIVE_WIDGETS } = await import(pathToFileURL(join(root, "tools", "site.mjs")).href);
    removeStaleExecuted();
    const site = join(root, "build", "site");
    const pages: string[] = await buildSite({ python, notebooks: executed, out: site, chromiumPath });
    assert.deepEqual(pages, [
      "index.html",
      "references.html",
      ...notebooks.map((name) => name.replace(/\.ipynb$/, ".html")),
    ]);
    // The live widgets are in their pages (tools/site.mjs fails when a chapter lacks the section named).
    for (const [name, { page }] of Object.entries(LIVE_WIDGETS as Record<string, { page: string }>)) {
      assert.ok(pages.includes(`${page}.html`), `the page ${page}.html of the live widget ${name} exists`);
      assert.match(
        readFileSync(join(site, `${page}.html`), "utf8"),
        new RegExp(`<section class="l0-live[^"]*" id="l0-live-${name}"`),
      );
    }
    const first = readFileSync(join(site, pages[2]), "utf8");
    assert.match(
      first,
      /<details class="l0-solution"><summary>Solution<\/summary>/,
      "chapter 01's solutions are folded",
    );
    const shots = join(root, "build", "screenshots", "course");
    const problems = await checkSiteInBrowser(site, chromiumPath, shots);
    for (const name of notebooks) {
      const nb = JSON.parse(readFileSync(join(executed, name), "utf8"));
      const heading = [nb.cells[0].source].flat().join("").split("\n")[0];
      const title = heading
        .replace(/^#+\s*/, "")
        .split("$")[0]
        .trim();
      const figures = nb.cells
        .flatMap((cell: { outputs?: Output[] }) => cell.outputs ?? [])
        .filter((o: Output) => o.data?.[PLOTLY] !== undefined).length;
      const pdf = join(site, "handouts", name.replace(/\.ipynb$/, ".pdf"));
      problems.push(...checkHandout(pdf, { title, figures, screenshotDir: shots }).problems);
    }
    assert.deepEqual(problems, []);
  });
});
