/**
 * A small, fast, seeded pseudo-random generator written in plain JavaScript, so
 * that the same seed gives the same noise on every tfjs backend.
 *
 * Generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom
 * number generators", ACM TOMS 2021), 128 bits of state, period 2¹²⁸ − 1.
 * Seeding: the four state words are drawn from a SplitMix-style sequence
 * (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014): a Weyl sequence with increment 0x9e3779b9 passed through the
 * 32-bit MurmurHash3 finaliser (Appleby), so nearby seeds give unrelated states.
 */
import { fail } from "./validate";

/** 2⁻²³: the spacing of the uniform grid (23 bits, exactly representable in float32). */
const GRID = 2 ** -23;

/** The 32-bit MurmurHash3 finaliser (fmix32), a bijection on 32-bit words. */
function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A seeded xoshiro128** generator. `new Random(seed)` with the same integer seed
 * always produces the same sequence. Sampling functions accept a `Seed`: a number
 * (a fresh generator is made from it) or a `Random` (whose state advances, so
 * successive calls give fresh noise).
 */
export class Random {
  /** `seed` must be a safe integer (|seed| ≤ 2⁵³ − 1); its low and high 32-bit halves are both used. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) fail("Random", "seed", seed, "a safe integer");
    const low = seed >>> 0;
    const high = Math.floor(seed / 2 ** 32) >>> 0;
    let weyl = mix32(low ^ mix32(high ^ 0x6a09e667));
    const next = () => {
      weyl = (weyl + 0x9e3779b9) >>> 0;
      return mix32(weyl) | 0;
    };
    const words = Int32Array.of(next(), next(), next(), next());
    if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
    states.set(this, words);
  }

  /** An independent copy in the same state: it produces the same sequence from here on (to replay noise). */
  clone(): Random {
    const copy = Object.create(Random.prototype) as Random;
    states.set(copy, stateWords(this).slice());
    return copy;
  }

  /** The next 32-bit output of xoshiro128**, as an unsigned integer in [0, 2³²). */
  nextUint32(): number {
    const s = stateWords(this);
    const s1 = s[1];
    const product = Math.imul(s1, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9);
    const t = s1 << 9;
    s[2] ^= s[0];
    s[3] ^= s1;
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 11) | (s[3] >>> 21);
    return result >>> 0;
  }

  /**
   * Fills `out` with uniform noise u = ε + (1 − 2ε)·r, where r = (k + ½)·2⁻²³ and
   * k is the top 23 bits of the next output: r lies on a grid strictly inside
   * (0, 1) whose end points 2⁻²⁴ and 1 − 2⁻²⁴ are exact in float32, so u ∈ [ε, 1 − ε]
   * (up to float32 rounding of ε) and u is never 0 or 1, even with ε = 0.
   * ε = 1e-6 is the authors' choice (Louizos et al. 2018, code).
   */
  fillUniform(out: Float32Array | Float64Array, epsilon = 1e-6): Float32Array | Float64Array {
    const { scale, offset } = uniformGrid("Random.fillUniform", epsilon);
    const words = stateWords(this);
    let [s0, s1, s2, s3] = words;
    for (let i = 0; i < out.length; i++) {
      const product = Math.imul(s1, 5);
      const result = Math.imul((product << 7) | (product >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      out[i] = offset + scale * (result >>> 9);
    }
    words.set([s0, s1, s2, s3]);
    return out;
  }

  /**
   * Shuffles `values` in place with the Fisher–Yates algorithm (Knuth, TAOCP vol. 2,
   * Algorithm P), drawing j uniformly from 0 … i as ⌊(nextUint32 / 2³²)(i + 1)⌋, and
   * returns it.
   */
  shuffle<T extends { length: number; [index: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = Math.floor((this.nextUint32() / 2 ** 32) * (i + 1));
      const value = values[i];
      values[i] = values[j];
      values[j] = value;
    }
    return values;
  }
}

/**
 * The affine map of `fillUniform` from k (the top 23 bits of an output) to
 * u = offset + scale·k in float64, scale = (1 − 2ε)·2⁻²³ and offset = ε + scale/2, after
 * checking ε ∈ [0, 0.5) (`where` names the caller in the error).
 */
export function uniformGrid(where: string, epsilon: number): { scale: number; offset: number } {
  if (typeof epsilon !== "number" || !(epsilon >= 0 && epsilon < 0.5)) {
    fail(where, "epsilon", epsilon, "a number in [0, 0.5)");
  }
  const scale = (1 - 2 * epsilon) * GRID;
  return { scale, offset: epsilon + 0.5 * scale };
}

/**
 * Each generator's xoshiro128** state, four 32-bit words s0 … s3, kept beside the
 * object rather than on it, so that the library's WebAssembly noise kernel
 * (src/kernels/noise.ts) can continue a generator's stream and advance it.
 */
const states = new WeakMap<Random, Int32Array>();

/** A generator's state words, live: writing them moves the generator (library-internal, see `states`). */
export function stateWords(random: Random): Int32Array {
  return states.get(random)!;
}

/** A seed for a sampling function: an integer (a fresh generator) or a generator to advance. */
export type Seed = number | Random;

/** The generator for `seed`: `seed` itself when it is a `Random`, else `new Random(seed)`. */
export function randomFrom(seed: Seed): Random {
  return seed instanceof Random ? seed : new Random(seed);
}

/**
 * A seed for one named stream, derived from a base seed: the base seed's two
 * 32-bit halves and the characters of `stream` are folded in with the MurmurHash3
 * finaliser (as in `Random`'s seeding), giving an integer in [1, 2³¹ − 1]. Never 0,
 * which tfjs's seeded initialisers would treat as "unseeded"; different streams of
 * one base seed (a layer's kernel, its log α, its gate noise) are unrelated.
 */
export function deriveSeed(seed: number, stream: string): number {
  if (!Number.isSafeInteger(seed)) fail("deriveSeed", "seed", seed, "a safe integer");
  if (typeof stream !== "string") fail("deriveSeed", "stream", stream, "a string");
  let h = mix32((seed >>> 0) ^ mix32((Math.floor(seed / 2 ** 32) >>> 0) ^ 0x6a09e667));
  for (let i = 0; i < stream.length; i++) h = mix32(h ^ Math.imul(stream.charCodeAt(i) + 1, 0x9e3779b9));
  return (h % 0x7fffffff) + 1;
}

/** A fresh base seed from Math.random, for layers created without one (like tfjs's unseeded initialisers). */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
