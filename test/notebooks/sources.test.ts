// Notebook sources are committed without outputs; the check that enforces it
// must catch a notebook that has them.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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
