/**
 * Float64 logistic helpers for the plain-number versions, written so that no
 * finite input gives NaN or overflows (library-internal; not exported by index).
 */

/** σ(x) = 1/(1 + e^(−x)), evaluated on the side where the exponential cannot overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** log σ(x) = −softplus(−x). */
export function logSigmoid(x: number): number {
  return -softplus(-x);
}

/** logit(x) = log x − log(1 − x) without clamping: ±Infinity at 1 and 0. */
export function logitUnclamped(x: number): number {
  return Math.log(x) - Math.log1p(-x);
}
