/**
 * The hard concrete gate z = min(1, max(0, σ((logit(u) + log α)/β)(ζ − γ) + γ)),
 * u ~ U(0, 1) (Louizos et al. 2018, Sec. 2.2): a reparameterised sample,
 * so gradients flow to log α (and, through the mask, to the weights it gates).
 */
import * as tf from "@tensorflow/tfjs";
import { randomFrom, type Seed } from "../random";
import { checkFinite, checkInInterval, fail } from "../validate";
import { binaryConcreteFromNoise } from "./binaryConcrete";
import { checkEpsilon, checkTensor, checkTensorFinite } from "./checks";
import { checkParams, DEFAULT_PARAMS, type HardConcreteParams } from "./params";
import { clampToUnit, stretch } from "./stretch";

/**
 * The hard concrete gate from given uniform noise, as the chain of named steps
 * z = clampToUnit(stretch(binaryConcreteFromNoise(log α, u, β))) (Louizos et al. 2018,
 * Sec. 2.2). Differentiable in log α by ordinary autodiff:
 * ∂z/∂log α = (ζ − γ) s (1 − s)/β where 0 < z < 1, and 0 where the clamp holds.
 * `logAlpha` broadcasts against `u`.
 */
export function hardConcreteFromNoise(
  logAlpha: tf.Tensor | number,
  u: tf.Tensor,
  params?: HardConcreteParams,
): tf.Tensor;
export function hardConcreteFromNoise(logAlpha: number, u: number, params?: HardConcreteParams): number;
export function hardConcreteFromNoise(
  logAlpha: tf.Tensor | number,
  u: tf.Tensor | number,
  params: HardConcreteParams = DEFAULT_PARAMS,
): tf.Tensor | number {
  checkParams("hardConcreteFromNoise", params);
  if (typeof u === "number") {
    if (logAlpha instanceof tf.Tensor) fail("hardConcreteFromNoise", "u", u, "a tensor when logAlpha is");
    checkFinite("hardConcreteFromNoise", "logAlpha", logAlpha);
    checkInInterval("hardConcreteFromNoise", "u", u, 0, 1);
    return clampToUnit(stretch(binaryConcreteFromNoise(logAlpha, u, params.beta), params));
  }
  checkTensorFinite("hardConcreteFromNoise", "u", u);
  return tf.tidy(() => clampToUnit(stretch(binaryConcreteFromNoise(logAlpha, u, params.beta), params)));
}

/**
 * 2¹⁰⁰: z (1 − z) · 2¹⁰⁰ is 0 at z ∈ {0, 1} and ≥ 1 for 2⁻¹⁰⁰ ≤ z ≤ 1 − 2⁻²⁴ (every float32
 * below 1). A positive z = s (ζ − γ) + γ below 2⁻¹⁰⁰ would need |γ| < 2⁻⁷⁶ (float32 spacing
 * near |γ| is about |γ|·2⁻²⁴), so the mask is exactly 1 wherever 0 < z < 1 in practice.
 */
const INSIDE_SCALE = 2 ** 100;

/**
 * Draws one hard concrete gate per entry of `logAlpha` (Louizos et al. 2018,
 * Sec. 2.2): u ~ U(ε, 1 − ε) from `seed` (generated in JavaScript, so the
 * same on every backend), then z = min(1, max(0, σ((logit(u) + log α)/β)(ζ − γ) + γ)):
 * the same values as `hardConcreteFromNoise(logAlpha, uniformNoise(shape, seed, ε),
 * params)` up to float32 rounding.
 *
 * Fused for speed: the forward pass uses fewer kernels (logit(u) = log(u/(1 − u)))
 * and a `tf.customGrad` backward pass computes the closed form
 * ∂z/∂log α = (z − γ)(ζ − z)/((ζ − γ) β) where 0 < z < 1 (= (ζ − γ) s (1 − s)/β), and 0
 * at the clamps, from the saved z alone. Every entry of `logAlpha` must be finite
 * (checked through Σ log α, then entry by entry when that sum is not finite).
 */
export function sampleHardConcrete(
  logAlpha: tf.Tensor,
  params: HardConcreteParams,
  seed: Seed,
  epsilon = 1e-6,
): tf.Tensor {
  const where = "sampleHardConcrete";
  checkTensor(where, "logAlpha", logAlpha);
  checkParams(where, params);
  checkEpsilon(where, epsilon);
  const { beta, gamma, zeta } = params;
  const width = zeta - gamma;
  const noise = randomFrom(seed).fillUniform(new Float32Array(logAlpha.size), epsilon) as Float32Array;
  const sample = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = inputs[0] as tf.Tensor;
    const save = inputs[1] as tf.GradSaveFunc;
    const [z, check] = tf.tidy(() => {
      const u = tf.tensor(noise, x.shape, "float32");
      const logistic = tf.add(tf.log(tf.div(u, tf.sub(1, u))), x);
      const s = tf.sigmoid(tf.mul(logistic, 1 / beta));
      return [tf.clipByValue(tf.add(tf.mul(s, width), gamma), 0, 1), tf.sum(x)];
    });
    const finite = Number.isFinite(check.dataSync()[0]);
    check.dispose();
    if (!finite) {
      z.dispose();
      checkTensorFinite(where, "logAlpha", x);
    }
    save([z]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor =>
      tf.tidy(() => {
        const gate = saved[0];
        const inside = tf.minimum(tf.mul(tf.mul(gate, tf.sub(1, gate)), INSIDE_SCALE), 1);
        const derivative = tf.mul(tf.mul(tf.sub(gate, gamma), tf.sub(zeta, gate)), 1 / (width * beta));
        return tf.mul(dy, tf.mul(derivative, inside));
      });
    return { value: z, gradFunc };
  });
  return sample(logAlpha);
}
