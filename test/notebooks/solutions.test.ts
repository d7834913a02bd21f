// Exercises: a cell tagged "solution" runs (the grading cell after it sees what
// it defined) but the runner leaves its output out of the executed copy.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const root = resolve(__dirname, "..", "..", "..");
const python = process.env.L0_PYTHON || "/usr/bin/python3";

test("a solution cell runs, and its output is not in the executed copy", () => {
  const out = mkdtempSync(join(tmpdir(), "l0-solution-"));
  const fixture = join("test", "fixtures", "solution.ipynb");
  const result = spawnSync(python, [join(root, "tools", "run_notebooks.py"), "--out", out, fixture], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  const cells: { outputs?: { text?: string[] | string }[] }[] = JSON.parse(
    readFileSync(join(out, "solution.ipynb"), "utf8"),
  ).cells;
  const text = (i: number) => (cells[i].outputs ?? []).map((o) => [o.text ?? ""].flat().join("")).join("");
  assert.equal(text(1), "question: what is 6 × 7?\n");
  assert.deepEqual(cells[2].outputs, [], "the solution's output must be left out");
  assert.equal(text(3), "graded: right\n", "the grading cell must see what the solution defined");
});
