/**
 * Statistical helpers for the tests (not library code): the one-sample
 * Kolmogorov–Smirnov statistic and a normal-approximation binomial band, with
 * critical values named by the significance level they stand for.
 */

/** KS critical value of √n·D at significance α = 0.001 (asymptotic Kolmogorov distribution). */
export const KS_CRITICAL_ALPHA_0_001 = 1.949;

/** Two-sided standard normal quantile z_{1 − α/2} for α = 0.001. */
export const Z_ALPHA_0_001 = 3.2905;

/**
 * The KS statistic D = sup |F_n(x) − F(x)| of `samples` against the CDF `cdf`.
 * `rounding` (default 0) is the half-width of the interval each sample may have
 * been rounded from (float32 samples: a few ulps); the statistic then uses
 * F(x + rounding) for the upper and F(x − rounding) for the lower deviation, so
 * that float32 saturation (e.g. σ(40) rounding to exactly 1) is not mistaken for
 * an atom of the distribution.
 */
export function ksStatistic(samples: ArrayLike<number>, cdf: (x: number) => number, rounding = 0): number {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const h = rounding * Math.max(1, Math.abs(sorted[i]));
    d = Math.max(d, (i + 1) / n - cdf(sorted[i] + h), cdf(sorted[i] - h) - i / n);
  }
  return d;
}

/** Float32 rounding allowance for `ksStatistic`: 4 ulps of a number of magnitude ≤ 1 (relative above 1). */
export const FLOAT32_ROUNDING = 4 * 2 ** -24;

/** Whether a KS statistic D for n samples passes at α = 0.001: D ≤ 1.949/√n. */
export function ksPasses(d: number, n: number): boolean {
  return d <= KS_CRITICAL_ALPHA_0_001 / Math.sqrt(n);
}

/** The band np ± z_{1−α/2} √(np(1 − p)) (plus 1 for discreteness) at α = 0.001 for a Binomial(n, p) count. */
export function binomialBand(n: number, p: number): [number, number] {
  const half = Z_ALPHA_0_001 * Math.sqrt(n * p * (1 - p)) + 1;
  return [n * p - half, n * p + half];
}
