/**
 * The hard concrete gates' WebAssembly kernels (gates.wat, compiled with wabt by
 * the build), each one kernel in place of a chain of tfjs kernels, with the chain's
 * bits (tests compare every bit):
 *
 * - `gateFromUniform`: a gate per entry from uniform noise u and log α
 *   (Louizos et al. 2018, Sec. 2.2), z = min(1, max(0, σ((log(u/(1 − u)) + log α)/β)(ζ − γ) + γ)),
 *   in place of nine kernels; on the wasm backend Log alone took about 12 ms for
 *   10⁶ entries (its C library's logf, one entry at a time). It runs 1,024 entries at
 *   a time in two passes, the logarithm's, then the sigmoid's (see gates.wat).
 * - `openProbabilityGradient`: (p − p²)·g for p = P(z ≠ 0), the backward pass of
 *   the expected L0 norm, in place of three kernels (its forward pass stays a tfjs
 *   chain: fused, it was slower than XNNPACK's sigmoid and tfjs's sum).
 * - `gatedRowsGradient`: the backward pass of a dense kernel with gated rows,
 *   diag(z)·W, in place of about a dozen kernels and two passes over its gradient.
 * - `layerPenalty` and `layerPenaltyGradient`: a layer's penalty (P(z ≠ 0), the
 *   per-gate costs and their sum) and its three gradients, in place of some
 *   fifteen kernels forward and ten backward.
 *
 * They run on the wasm backend, computing each step as tfjs-backend-wasm does (its
 * C library's logf, XNNPACK's sigmoid and clamp); other backends run the chains.
 */
import * as tf from "@tensorflow/tfjs";
import type { LayerPenaltyTerms } from "../gates/fused";
import type { HardConcreteParams } from "../gates/params";
import { GATES_WASM_BASE64 } from "./gatesWasm";
import { type ModuleExports, offsetOf, registerWasmKernel, sizeOf, type WasmBackend } from "./wasmModule";

const SAMPLE = "L0HardConcreteSample";
const OPEN_GRADIENT = "L0OpenProbabilityGradient";
const GATED_ROWS_GRADIENT = "L0GatedRowsGradient";
const LAYER_PENALTY = "L0LayerPenalty";
const LAYER_PENALTY_GRADIENT = "L0LayerPenaltyGradient";

/** gates.wat's exports (byte offsets of float32 tensors, counts, float32 constants). */
interface GatesModule {
  /** Writes logf's 256-byte table at a byte offset. */
  table(at: number): void;
  /** z for n float32 entries of u and log α at byte offsets, into out, given the table's offset and 1/β, ζ − γ, γ. */
  sample(
    u: number,
    logAlpha: number,
    out: number,
    n: number,
    table: number,
    inverseBeta: number,
    zetaMinusGamma: number,
    gamma: number,
  ): void;
  /** out = (p − p·p)·g for n entries at byte offset p, g one float32. */
  openProbabilityGradient(p: number, g: number, out: number, n: number): void;
  /** dLogAlpha (n) and dW (n×m) from dy and w (n×m) and z (n), given γ, ζ and k = 1/((ζ − γ)β). */
  gatedRowsGradient(
    dy: number,
    w: number,
    z: number,
    dLogAlpha: number,
    dW: number,
    n: number,
    m: number,
    gamma: number,
    zeta: number,
    k: number,
  ): void;
  /** p, c (G each) and the total of a layer's penalty (see gates.wat), given the layout and float32 constants. */
  layerPenalty(
    logAlpha: number,
    w: number,
    b: number,
    p: number,
    c: number,
    total: number,
    G: number,
    K: number,
    rows: number,
    biasCount: number,
    biasGated: number,
    zero: number,
    halfDecay: number,
    perGate: number,
  ): void;
  /** ∂log α, ∂W and ∂b of a layer's penalty for its gradient dy (one float32), given the layout and 2·halfDecay. */
  layerPenaltyGradient(
    dy: number,
    p: number,
    c: number,
    w: number,
    b: number,
    dLogAlpha: number,
    dW: number,
    db: number,
    G: number,
    K: number,
    rows: number,
    biasCount: number,
    biasGated: number,
    twiceHalfDecay: number,
  ): void;
}

/** Where each backend's copy of logf's table lives in its memory (allocated once, kept for the backend's life). */
const tables = new WeakMap<object, number>();

function writeTable(exports: ModuleExports, backend: WasmBackend): void {
  const at = backend.wasm._malloc(256);
  (exports as unknown as GatesModule).table(at);
  tables.set(backend, at);
}

/** True when the gates' kernels run on the current backend (they share one module). */
export const gateKernelsActive = registerWasmKernel(
  SAMPLE,
  GATES_WASM_BASE64,
  (exports, wasm, { u, logAlpha }, attrs) => {
    const { beta, gamma, zeta } = attrs as unknown as HardConcreteParams;
    // The output first: allocating may grow the memory, which moves nothing (offsets stay valid).
    const out = wasm.makeOutput(logAlpha.shape, "float32");
    (exports as unknown as GatesModule).sample(
      offsetOf(wasm, u),
      offsetOf(wasm, logAlpha),
      offsetOf(wasm, out),
      sizeOf(logAlpha.shape),
      tables.get(wasm)!,
      1 / beta, // passed as float32, rounded as the chain rounds its scalars
      zeta - gamma,
      gamma,
    );
    return out;
  },
  writeTable,
);

registerWasmKernel(
  OPEN_GRADIENT,
  GATES_WASM_BASE64,
  (exports, wasm, { p, g }) => {
    const out = wasm.makeOutput(p.shape, "float32");
    (exports as unknown as GatesModule).openProbabilityGradient(
      offsetOf(wasm, p),
      offsetOf(wasm, g),
      offsetOf(wasm, out),
      sizeOf(p.shape),
    );
    return out;
  },
  writeTable,
);

registerWasmKernel(
  GATED_ROWS_GRADIENT,
  GATES_WASM_BASE64,
  (exports, wasm, { dy, w, z }, attrs) => {
    const { beta, gamma, zeta } = attrs as unknown as HardConcreteParams;
    const [n, m] = w.shape;
    // The outputs first: allocating may grow the memory, which moves nothing (offsets stay valid).
    const [dLogAlpha, dW] = [wasm.makeOutput([n], "float32"), wasm.makeOutput([n, m], "float32")];
    (exports as unknown as GatesModule).gatedRowsGradient(
      ...([dy, w, z, dLogAlpha, dW].map((t) => offsetOf(wasm, t)) as [number, number, number, number, number]),
      n,
      m,
      gamma, // passed as float32, rounded as the chain rounds its scalars
      zeta,
      1 / ((zeta - gamma) * beta),
    );
    return [dLogAlpha, dW];
  },
  writeTable,
);

/**
 * 2¹⁰⁰: z (1 − z) · 2¹⁰⁰ is 0 at z ∈ {0, 1} and ≥ 1 for 2⁻¹⁰⁰ ≤ z ≤ 1 − 2⁻²⁴ (every float32
 * below 1). A positive z = s (ζ − γ) + γ below 2⁻¹⁰⁰ would need |γ| < 2⁻⁷⁶ (float32 spacing
 * near |γ| is about |γ|·2⁻²⁴), so the mask is exactly 1 wherever 0 < z < 1 in practice.
 */
const INSIDE_SCALE = 2 ** 100;

/**
 * ∂z/∂log α of a hard concrete sample from z alone (Louizos et al. 2018, Sec. 2.2):
 * (z − γ)(ζ − z)/((ζ − γ) β) where 0 < z < 1, and 0 at the clamps, as tfjs kernels.
 */
export function hardConcreteDerivative(z: tf.Tensor, params: HardConcreteParams): tf.Tensor {
  const { beta, gamma, zeta } = params;
  return tf.tidy(() => {
    const inside = tf.minimum(tf.mul(tf.mul(z, tf.sub(1, z)), INSIDE_SCALE), 1);
    const derivative = tf.mul(tf.mul(tf.sub(z, gamma), tf.sub(zeta, z)), 1 / ((zeta - gamma) * beta));
    return tf.mul(derivative, inside);
  });
}

/**
 * The backward pass of diag(z)·W for a gradient G = dy (n×m) as tfjs kernels (the
 * formulation the kernel must equal): [∂log α = (Σⱼ Gᵢⱼ Wᵢⱼ)·∂zᵢ/∂log αᵢ, ∂W = diag(z)·G].
 */
export function gatedRowsGradientChain(
  dy: tf.Tensor,
  w: tf.Tensor,
  z: tf.Tensor,
  params: HardConcreteParams,
): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const dz = tf.sum(tf.mul(dy, w), 1);
    return [tf.mul(dz, hardConcreteDerivative(tf.reshape(z, [-1]), params)), tf.mul(dy, tf.reshape(z, [-1, 1]))];
  });
}

/**
 * The backward pass of a dense kernel `w` (n×m) whose rows are gated by the hard
 * concrete sample `z` (n entries), diag(z)·W, for its gradient `dy`: ∂log α (n) and
 * ∂W (n×m). One WebAssembly kernel on the wasm backend, `gatedRowsGradientChain`
 * elsewhere.
 */
export function gatedRowsGradient(
  dy: tf.Tensor,
  w: tf.Tensor,
  z: tf.Tensor,
  params: HardConcreteParams,
): [tf.Tensor, tf.Tensor] {
  if (!gateKernelsActive() || w.rank !== 2) return gatedRowsGradientChain(dy, w, z, params);
  const { beta, gamma, zeta } = params;
  return tf.engine().runKernel(GATED_ROWS_GRADIENT, { dy, w, z }, { beta, gamma, zeta }) as [tf.Tensor, tf.Tensor];
}

/** z from u and log α (same size) as tfjs kernels (the formulation the kernel must equal). */
export function gateFromUniformChain(
  u: tf.Tensor,
  logAlpha: tf.Tensor,
  { beta, gamma, zeta }: HardConcreteParams,
): tf.Tensor {
  return tf.tidy(() => {
    const logistic = tf.add(tf.log(tf.div(u, tf.sub(1, u))), logAlpha);
    const s = tf.sigmoid(tf.mul(logistic, 1 / beta));
    return tf.clipByValue(tf.add(tf.mul(s, zeta - gamma), gamma), 0, 1);
  });
}

/**
 * z from float32 uniform noise u and log α of the same size, shaped as log α: one
 * WebAssembly kernel on the wasm backend, `gateFromUniformChain` elsewhere. No
 * gradient: the samplers use it inside a customGrad whose gradient is computed
 * from z in closed form.
 */
export function gateFromUniform(u: tf.Tensor, logAlpha: tf.Tensor, params: HardConcreteParams): tf.Tensor {
  if (!gateKernelsActive()) return gateFromUniformChain(u, logAlpha, params);
  const { beta, gamma, zeta } = params;
  return tf.engine().runKernel(SAMPLE, { u, logAlpha }, { beta, gamma, zeta }) as tf.Tensor;
}

/** (p − p²)·g as tfjs kernels (the formulation the kernel must equal). */
export function openProbabilityGradientChain(p: tf.Tensor, g: tf.Scalar): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.sub(p, tf.square(p)), g));
}

/**
 * (p − p²)·g = P(z ≠ 0) P(z = 0)·g for a scalar g, the gradient of Σ p with respect
 * to log α times g: one WebAssembly kernel on the wasm backend,
 * `openProbabilityGradientChain` elsewhere.
 */
export function openProbabilityGradient(p: tf.Tensor, g: tf.Scalar): tf.Tensor {
  if (!gateKernelsActive()) return openProbabilityGradientChain(p, g);
  return tf.engine().runKernel(OPEN_GRADIENT, { p, g }) as tf.Tensor;
}

/** G gates of K weights each, gate g's weights in row g of a G×K kernel (`rows`) or in column g of a K×G one. */
interface PenaltyLayout {
  G: number;
  K: number;
  rows: boolean;
}

/**
 * How the penalty kernels read a layer's gates off its kernel `w`: by row for a
 * dense kernel gated by input (axis 0), by column for one gate per weight (K = 1)
 * and for a convolution's output channels (the last axis). Null where the kernels
 * do not apply (another axis; a gated bias that is not one entry per gate).
 */
function penaltyLayout(
  w: tf.TensorInfo,
  b: tf.TensorInfo | null,
  axis: number | null,
  biasGated: boolean,
): PenaltyLayout | null {
  const size = sizeOf(w.shape);
  let layout: PenaltyLayout | null = null;
  if (axis === null) layout = { G: size, K: 1, rows: false };
  else if (axis === w.shape.length - 1) layout = { G: w.shape[axis], K: size / w.shape[axis], rows: false };
  else if (axis === 0 && w.shape.length === 2) layout = { G: w.shape[0], K: w.shape[1], rows: true };
  if (layout === null || (b !== null && biasGated && sizeOf(b.shape) !== layout.G) || layout.G === 0) return null;
  return layout;
}

registerWasmKernel(
  LAYER_PENALTY,
  GATES_WASM_BASE64,
  (exports, wasm, { logAlpha, w, b }, attrs) => {
    const { perGate, halfDecay, axis, biasGated, zero } = attrs as unknown as LayerPenaltyTerms & { zero: number };
    const { G, K, rows } = penaltyLayout(w, b ?? null, axis, biasGated)!;
    const outputs = [
      wasm.makeOutput(logAlpha.shape, "float32"),
      wasm.makeOutput(logAlpha.shape, "float32"),
      wasm.makeOutput([], "float32"),
    ];
    (exports as unknown as GatesModule).layerPenalty(
      offsetOf(wasm, logAlpha),
      offsetOf(wasm, w),
      b === undefined ? 0 : offsetOf(wasm, b),
      ...(outputs.map((t) => offsetOf(wasm, t)) as [number, number, number]),
      G,
      K,
      rows ? 1 : 0,
      b === undefined ? 0 : sizeOf(b.shape),
      biasGated ? 1 : 0,
      zero, // passed as float32, rounded as the chain rounds its scalars
      halfDecay,
      perGate,
    );
    return outputs;
  },
  writeTable,
);

registerWasmKernel(
  LAYER_PENALTY_GRADIENT,
  GATES_WASM_BASE64,
  (exports, wasm, { dy, p, c, w, b }, attrs) => {
    const { halfDecay, axis, biasGated } = attrs as unknown as LayerPenaltyTerms;
    const { G, K, rows } = penaltyLayout(w, b ?? null, axis, biasGated)!;
    const outputs = [p, w, ...(b === undefined ? [] : [b])].map((t) => wasm.makeOutput(t.shape, "float32"));
    (exports as unknown as GatesModule).layerPenaltyGradient(
      ...([dy, p, c, w].map((t) => offsetOf(wasm, t)) as [number, number, number, number]),
      b === undefined ? 0 : offsetOf(wasm, b),
      offsetOf(wasm, outputs[0]),
      offsetOf(wasm, outputs[1]),
      b === undefined ? 0 : offsetOf(wasm, outputs[2]),
      G,
      K,
      rows ? 1 : 0,
      b === undefined ? 0 : sizeOf(b.shape),
      biasGated ? 1 : 0,
      2 * halfDecay,
    );
    return outputs;
  },
  writeTable,
);

/**
 * A layer's penalty as tfjs kernels (the formulation the kernel must equal), with
 * `zero` = β log(−γ/ζ): [p = σ(log α − zero), c = (Σ θ² (+ b²))·halfDecay + perGate,
 * total = Σ p c (+ halfDecay·Σ b² for an ungated bias)]; see `layerPenaltyUnchecked`.
 */
export function layerPenaltyChain(
  logAlpha: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor | null,
  { perGate, halfDecay, axis, biasGated }: LayerPenaltyTerms,
  zero: number,
): [tf.Tensor, tf.Tensor, tf.Scalar] {
  const others = axis === null ? [] : w.shape.map((_, i) => i).filter((i) => i !== axis);
  return tf.tidy(() => {
    const p = tf.sigmoid(tf.sub(logAlpha, zero));
    let squares = others.length === 0 ? tf.square(w) : tf.sum(tf.square(w), others);
    if (b !== null && biasGated) squares = tf.add(squares, tf.square(b));
    const c = tf.add(tf.mul(squares, halfDecay), perGate);
    let sum = tf.sum(tf.mul(p, c));
    if (b !== null && !biasGated) sum = tf.add(sum, tf.mul(tf.sum(tf.square(b)), halfDecay));
    return [p, c, sum as tf.Scalar];
  });
}

/** `layerPenaltyChain`'s values: one WebAssembly kernel on the wasm backend for the layouts it reads, the chain elsewhere. */
export function layerPenalty(
  logAlpha: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor | null,
  terms: LayerPenaltyTerms,
  zero: number,
): [tf.Tensor, tf.Tensor, tf.Scalar] {
  if (!gateKernelsActive() || penaltyLayout(w, b, terms.axis, terms.biasGated) === null) {
    return layerPenaltyChain(logAlpha, w, b, terms, zero);
  }
  const inputs: tf.NamedTensorMap = b === null ? { logAlpha, w } : { logAlpha, w, b };
  const attrs = { ...terms, zero } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(LAYER_PENALTY, inputs, attrs) as [tf.Tensor, tf.Tensor, tf.Scalar];
}

/**
 * The gradients of a layer's penalty for its gradient `dy`, from the saved p and c,
 * as tfjs kernels (the formulation the kernel must equal): [∂log α = (c (p − p²))·dy,
 * ∂θ = (θ p)·decay, ∂b = (b p)·decay for a gated bias, b·decay otherwise], decay = dy·(2·halfDecay).
 */
export function layerPenaltyGradientChain(
  dy: tf.Tensor,
  p: tf.Tensor,
  c: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor | null,
  { halfDecay, axis, biasGated }: LayerPenaltyTerms,
): tf.Tensor[] {
  const gateShape = axis === null ? w.shape : w.shape.map((d, i) => (i === axis ? d : 1));
  return tf.tidy(() => {
    const decay = tf.mul(dy, 2 * halfDecay);
    const gradients = [
      tf.mul(tf.mul(c, tf.sub(p, tf.square(p))), dy),
      tf.mul(tf.mul(w, tf.reshape(p, gateShape)), decay),
    ];
    if (b !== null) gradients.push(tf.mul(biasGated ? tf.mul(b, p) : b, decay));
    return gradients;
  });
}

/** `layerPenaltyGradientChain`'s values: one WebAssembly kernel on the wasm backend for the layouts it reads, the chain elsewhere. */
export function layerPenaltyGradient(
  dy: tf.Tensor,
  p: tf.Tensor,
  c: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor | null,
  terms: LayerPenaltyTerms,
): tf.Tensor[] {
  if (!gateKernelsActive() || penaltyLayout(w, b, terms.axis, terms.biasGated) === null) {
    return layerPenaltyGradientChain(dy, p, c, w, b, terms);
  }
  const inputs: tf.NamedTensorMap = b === null ? { dy, p, c, w } : { dy, p, c, w, b };
  return tf.engine().runKernel(LAYER_PENALTY_GRADIENT, inputs, terms as unknown as tf.NamedAttrMap) as tf.Tensor[];
}
