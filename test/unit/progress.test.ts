import assert from "node:assert/strict";
import { test } from "node:test";
import { progressBundle } from "l0-hard-concrete/internal/display/progress";
import { progress } from "l0-hard-concrete/notebook";

test("progressBundle shows the step, the percentage and the metrics, in text and HTML", () => {
  const bundle = progressBundle("training", 3, 12, { loss: 0.123456, error: 0.5 }, false);
  assert.equal(bundle["text/plain"], "training: step 3/12 (25%) loss=0.1235 error=0.5");
  assert.match(String(bundle["text/html"]), /<progress value="3" max="12"/);
  assert.equal(progressBundle("x", 12, 12, {}, true)["text/plain"], "x: done 12/12 (100%)");
});

test("outside a notebook and a terminal, progress prints one plain line per update", () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    const p = progress({ total: 2, label: "demo" });
    p.update(1, { loss: 1 });
    p.done({ loss: 0.5 });
  } finally {
    console.log = log;
  }
  assert.deepEqual(lines, ["demo: step 1/2 (50%) loss=1", "demo: done 1/2 (50%) loss=0.5"]);
});

test("a bad total is refused by name", () => {
  assert.throws(() => progress({ total: 0 }), /progress: total must be an integer > 0, got 0/);
});
