// Notebook sources are committed without outputs; the check that enforces it
// must catch a notebook that has them.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

const root = resolve(__dirname, "..", "..", "..");

async function check(dir: string): Promise<string[]> {
  const { checkNotebookSources } = await import(pathToFileURL(join(root, "tools", "check_notebooks.mjs")).href);
  return checkNotebookSources(dir);
}

test("the notebooks in notebooks/ carry no outputs", async () => {
  assert.deepEqual(await check(join(root, "notebooks")), []);
});

test("a notebook with outputs is reported with its cell", async () => {
  const dir = mkdtempSync(join(tmpdir(), "l0-sources-"));
  const nb = JSON.parse(readFileSync(join(root, "test", "fixtures", "ok.ipynb"), "utf8"));
  nb.cells[1].outputs = [{ output_type: "stream", name: "stdout", text: ["answer = 42\n"] }];
  nb.cells[1].execution_count = 1;
  writeFileSync(join(dir, "with-outputs.ipynb"), JSON.stringify(nb));
  assert.deepEqual(await check(dir), [
    "with-outputs.ipynb: cell 2 has outputs",
    "with-outputs.ipynb: cell 2 has an execution count",
  ]);
});

/** Longest code cell a chapter may have (issue 12: a cell is read at a glance; figures come from the library's builders). */
const MAX_CODE_LINES = 25;

/** The code cells of `dir`'s notebooks with more than MAX_CODE_LINES lines, as "notebook: cell n has k lines". */
function longCells(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".ipynb"))
    .sort()
    .flatMap((name) => {
      const cells: { cell_type: string; source: string | string[] }[] = JSON.parse(
        readFileSync(join(dir, name), "utf8"),
      ).cells;
      return cells.flatMap((cell, i) => {
        const lines = [cell.source].flat().join("").replace(/\n$/, "").split("\n").length;
        return cell.cell_type === "code" && lines > MAX_CODE_LINES ? [`${name}: cell ${i + 1} has ${lines} lines`] : [];
      });
    });
}

test(`no code cell in notebooks/ is longer than ${MAX_CODE_LINES} lines`, () => {
  assert.deepEqual(longCells(join(root, "notebooks")), []);
});

test("a notebook with a long code cell is reported with its cell and length", () => {
  const dir = mkdtempSync(join(tmpdir(), "l0-long-"));
  const nb = JSON.parse(readFileSync(join(root, "test", "fixtures", "ok.ipynb"), "utf8"));
  nb.cells[1].source = Array.from({ length: MAX_CODE_LINES + 1 }, (_, i) => `console.log(${i});\n`);
  writeFileSync(join(dir, "long.ipynb"), JSON.stringify(nb));
  assert.deepEqual(longCells(dir), [`long.ipynb: cell 2 has ${MAX_CODE_LINES + 1} lines`]);
});
