/**
 * Bit-for-bit comparison for the tests of the WebAssembly kernels (not library code):
 * a kernel must give its tfjs chain's bits, −0 and +0 apart, any NaN equal to any NaN.
 */

/** The first entry where two float32 arrays differ (NaN equals NaN, −0 differs from +0), or −1. */
export function firstDifferent(a: Float32Array, b: Float32Array): number {
  return a.findIndex((x, i) => !Object.is(x, b[i]) && !(Number.isNaN(x) && Number.isNaN(b[i])));
}
