import assert from "node:assert/strict";
import { test } from "node:test";
import { Random } from "l0-hard-concrete";

test("Random.shuffle returns a permutation of its input, the same for the same seed", () => {
  const a = new Random(3).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
  const b = new Random(3).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
  const c = new Random(4).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test("Random.shuffle draws each of the 6 orders of 3 items equally often (binomial band, α = 0.001)", () => {
  const random = new Random(11);
  const n = 60_000;
  const counts = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    const key = random.shuffle([0, 1, 2]).join("");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assert.equal(counts.size, 6);
  // Each count ~ Binomial(n, 1/6). Family-wise α = 0.001 over the 6 counts (Bonferroni): |z| < 3.765.
  const sd = Math.sqrt((n * (1 / 6) * 5) / 6);
  for (const [order, count] of counts) assert.ok(Math.abs(count - n / 6) < 3.765 * sd, `${order}: ${count}`);
});
