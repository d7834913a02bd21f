/**
 * One-line claim checks for the course notebooks. A check states a claim, the
 * value computed, what the claim says it should be, the tolerance and, in a few
 * words, why that tolerance; it prints one line when the claim holds and throws
 * when it does not, so that a wrong claim stops the notebook (and `npm test`).
 * The line shows the value, the expected value, the distance |Δ| between them
 * and the tolerance:
 *
 *   check("P(z ≠ 0) at log α = 0", probNonZero(0), 0.832, 5e-4, "the value is quoted to 3 decimals");
 *   checkBelow("KS distance of 10⁵ samples", distance, ksCriticalValue(1e5), "level 0.001");
 *
 * Values may be numbers or arrays of numbers (compared entry by entry; the line
 * reports the worst entry). NaN never passes.
 */
import { describe, fail } from "../validate";

/** The error a failed claim throws; its message names the claim, the value, the expectation and the tolerance. */
export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckFailure";
  }
}

type Values = number | ArrayLike<number>;

/** Formats a number for a check line: integers exactly, others to 6 significant digits. */
export function formatCheckNumber(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e6) return String(Number(value.toPrecision(6)));
  return value.toExponential(2).replace(/\.?0+e/, "e");
}

function checkText(where: string, name: string, text: string): void {
  if (typeof text !== "string" || text.trim() === "") fail(where, name, text, "a non-empty string");
}

/** The values as a list; a number is a list of one. */
function listOf(where: string, name: string, values: Values): number[] {
  if (typeof values === "number") return [values];
  if (values === null || typeof values !== "object" || typeof values.length !== "number" || values.length === 0) {
    fail(where, name, values, "a number or a non-empty array of numbers");
  }
  const list = Array.from(values);
  if (list.some((v) => typeof v !== "number")) fail(where, name, values, "a number or an array of numbers");
  return list;
}

/** "x" for one value, "x[3]" for entry 3 of several. */
function entry(count: number, index: number): string {
  return count === 1 ? "" : `[${index}]`;
}

/**
 * Checks |value − expected| ≤ tolerance, entry by entry when `value` is an array
 * (`expected` is then an array of the same length, or one number for all). Prints
 * `✓ claim: value ≈ expected (|Δ| distance ≤ tolerance: reason)` and throws a
 * {@link CheckFailure} naming the claim, value, expected and tolerance otherwise.
 */
export function check(claim: string, value: Values, expected: Values, tolerance: number, reason: string): void {
  const where = "check";
  checkText(where, "claim", claim);
  checkText(where, "reason", reason);
  const values = listOf(where, "value", value);
  const targets = listOf(where, "expected", expected);
  if (targets.length !== 1 && targets.length !== values.length) {
    fail(where, "expected", expected, `one number or ${values.length} numbers (one per value)`);
  }
  if (typeof tolerance !== "number" || !(tolerance >= 0) || !Number.isFinite(tolerance)) {
    fail(where, "tolerance", tolerance, "a finite number ≥ 0");
  }
  let worst = 0;
  let worstGap = -1;
  for (let i = 0; i < values.length; i++) {
    const target = targets.length === 1 ? targets[0] : targets[i];
    const gap = Math.abs(values[i] - target);
    if (!(gap <= tolerance)) {
      throw new CheckFailure(
        `check failed: ${claim}: value${entry(values.length, i)} = ${describe(values[i])}, expected ${describe(target)} ± ${describe(tolerance)} (off by ${describe(gap)}; tolerance: ${reason})`,
      );
    }
    if (gap > worstGap) [worst, worstGap] = [i, gap];
  }
  const n = values.length;
  const target = targets.length === 1 ? targets[0] : targets[worst];
  const which = n === 1 ? "" : `${n} values, worst [${worst}] `;
  const gap = `|Δ| ${formatCheckNumber(worstGap)} ≤ ${formatCheckNumber(tolerance)}`;
  console.log(
    `✓ ${claim}: ${which}${formatCheckNumber(values[worst])} ≈ ${formatCheckNumber(target)} (${gap}: ${reason})`,
  );
}

function checkBound(where: string, claim: string, value: Values, bound: number, reason: string, below: boolean): void {
  checkText(where, "claim", claim);
  checkText(where, "reason", reason);
  const values = listOf(where, "value", value);
  if (typeof bound !== "number" || Number.isNaN(bound)) fail(where, "bound", bound, "a number");
  const sign = below ? "<" : ">";
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const holds = below ? values[i] < bound : values[i] > bound;
    if (!holds) {
      throw new CheckFailure(
        `check failed: ${claim}: value${entry(values.length, i)} = ${describe(values[i])}, expected ${sign} ${describe(bound)} (${reason})`,
      );
    }
    if (below ? values[i] > values[worst] : values[i] < values[worst]) worst = i;
  }
  const shown = values.length === 1 ? "" : `${values.length} values, worst [${worst}] `;
  console.log(
    `✓ ${claim}: ${shown}${formatCheckNumber(values[worst])} ${sign} ${formatCheckNumber(bound)} (${reason})`,
  );
}

/** Checks value < bound (every entry of an array); prints one line, or throws a {@link CheckFailure}. */
export function checkBelow(claim: string, value: Values, bound: number, reason: string): void {
  checkBound("checkBelow", claim, value, bound, reason, true);
}

/** Checks value > bound (every entry of an array); prints one line, or throws a {@link CheckFailure}. */
export function checkAbove(claim: string, value: Values, bound: number, reason: string): void {
  checkBound("checkAbove", claim, value, bound, reason, false);
}
