/**
 * Generic statistics that the notebooks use to check claims about samples. None
 * is a formula of the method; they only decide whether samples agree with a
 * claimed distribution, with tolerances named by what they stand for.
 */
import { checkAllFinite, fail } from "../validate";

/**
 * The Kolmogorov–Smirnov distance D = sup_x |F_n(x) − F(x)| between the empirical
 * CDF F_n of `samples` and the claimed CDF `cdf` (Kolmogorov 1933): after
 * sorting, the largest of (i + 1)/n − F(x_(i)) and F(x_(i)) − i/n.
 */
export function ksDistance(samples: ArrayLike<number>, cdf: (x: number) => number): number {
  if (!samples || samples.length === 0) fail("ksDistance", "samples", samples, "a non-empty array of numbers");
  checkAllFinite("ksDistance", "samples", samples);
  if (typeof cdf !== "function") fail("ksDistance", "cdf", cdf, "a function");
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  let distance = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    if (!(f >= 0 && f <= 1)) fail("ksDistance", `cdf(${sorted[i]})`, f, "a probability in [0, 1]");
    distance = Math.max(distance, (i + 1) / n - f, f - i / n);
  }
  return distance;
}

/**
 * The critical value of the KS distance for n samples at significance `level`,
 * from the asymptotic tail P(√n D > c) ≈ 2 e^(−2c²) (Kolmogorov's distribution,
 * accurate for n in the thousands): c = √(ln(2/level)/2), returned as c/√n.
 * At level 0.001, c = 1.9495.
 */
export function ksCriticalValue(n: number, level = 0.001): number {
  if (!Number.isInteger(n) || n < 1) fail("ksCriticalValue", "n", n, "an integer ≥ 1");
  if (typeof level !== "number" || !(level > 0 && level < 1))
    fail("ksCriticalValue", "level", level, "a number in (0, 1)");
  return Math.sqrt((Math.LN2 - Math.log(level)) / 2) / Math.sqrt(n);
}

/** The mean of `values` and its standard error √(s²/n), s² the unbiased sample variance. */
export function meanAndStandardError(values: ArrayLike<number>): { mean: number; standardError: number } {
  const n = values.length;
  if (!(n >= 2)) fail("meanAndStandardError", "values", values, "an array of at least 2 numbers");
  checkAllFinite("meanAndStandardError", "values", values);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2;
  return { mean, standardError: Math.sqrt(squares / (n - 1) / n) };
}

/** The standard error √(p(1 − p)/n) of a frequency of n independent trials with success probability p. */
export function binomialStandardError(p: number, n: number): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) fail("binomialStandardError", "p", p, "a probability in [0, 1]");
  if (!Number.isInteger(n) || n < 1) fail("binomialStandardError", "n", n, "an integer ≥ 1");
  return Math.sqrt((p * (1 - p)) / n);
}
