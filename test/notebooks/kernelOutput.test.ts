// tslab 1.0.22 on zeromq 6 loses every output after about 500 messages sent in a
// row from one cell, and dies when the lost send is its own status message (see
// makeKernelSendsSynchronous in src/display/jupyter.ts). With
// `l0-hard-concrete/notebook` imported, a cell that prints 1,500 lines and one
// that updates a display 1,500 times must deliver everything. (Without the import the same notebook keeps
// about 506 of the lines: checked by hand when the fix was written.)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const root = resolve(__dirname, "..", "..", "..");
const python = process.env.L0_PYTHON || "/usr/bin/python3";

test("a cell may send thousands of outputs: none is lost and the kernel survives", () => {
  const out = mkdtempSync(join(tmpdir(), "l0-outputs-"));
  const notebook = join(root, "test", "fixtures", "outputs", "many-outputs.ipynb");
  const result = spawnSync(python, [join(root, "tools", "run_notebooks.py"), "--out", out, notebook], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  const cells: { outputs?: { text?: string[]; data?: Record<string, string[]> }[] }[] = JSON.parse(
    readFileSync(join(out, "many-outputs.ipynb"), "utf8"),
  ).cells;
  const lines = (cells[2].outputs ?? []).flatMap((o) => (o.text ?? []).join("").split("\n").filter(Boolean));
  assert.equal(lines.length, 1500);
  assert.equal(lines[1499], "line 1500");
  const progress = cells[3].outputs ?? [];
  assert.equal(progress.length, 1);
  assert.equal(progress[0].data?.["text/plain"].join(""), "updates: done 1500/1500 (100%) i=1500");
});
