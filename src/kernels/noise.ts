/**
 * Uniform noise of the library's generator as a float32 tensor: the values
 * `Random.fillUniform` gives, from the same stream, which it advances as
 * `fillUniform` does. On the wasm backend it is one kernel, `L0UniformNoise`
 * (noise.wat, compiled with wabt by the build), which draws the noise into the
 * backend's memory: in JavaScript, 10⁶ values took 4.5 to 6.5 ms, and copying
 * them into the backend more. The same bits (a test compares the values and the
 * generator's state after). Other backends draw in JavaScript.
 */
import * as tf from "@tensorflow/tfjs";
import { type Random, stateWords, uniformGrid } from "../random";
import { NOISE_WASM_BASE64 } from "./noiseWasm";
import { type ModuleExports, offsetOf, registerWasmKernel, sizeOf, type WasmBackend } from "./wasmModule";

const KERNEL = "L0UniformNoise";

/** noise.wat's export: byte offsets of the state words and the output, the count, the grid's scale and offset. */
type UniformsFunction = (state: number, out: number, n: number, scale: number, offset: number) => void;

/** Where each backend's 16 bytes for the generator's state live in its memory (allocated once). */
const stateOffsets = new WeakMap<object, number>();

function allocateState(_: ModuleExports, backend: WasmBackend): void {
  stateOffsets.set(backend, backend.wasm._malloc(16));
}

/** The kernel's attributes: the output's shape, the grid, and the generator's live state words (read, then advanced). */
interface NoiseAttrs {
  shape: number[];
  scale: number;
  offset: number;
  words: Int32Array;
}

/** True when `drawUniform` runs the WebAssembly kernel on the current backend. */
export const noiseKernelActive = registerWasmKernel(
  KERNEL,
  NOISE_WASM_BASE64,
  (exports, wasm, _, attrs) => {
    const { shape, scale, offset, words } = attrs as unknown as NoiseAttrs;
    // The output first: allocating may grow the memory, and with it replace its buffer.
    const out = wasm.makeOutput(shape, "float32");
    const state = stateOffsets.get(wasm)!;
    const buffer = () => (wasm.wasm.asm!.memory as { buffer: ArrayBuffer }).buffer;
    new Int32Array(buffer(), state, 4).set(words);
    (exports.uniforms as UniformsFunction)(state, offsetOf(wasm, out), sizeOf(shape), scale, offset);
    words.set(new Int32Array(buffer(), state, 4));
    return out;
  },
  allocateState,
);

/**
 * A float32 tensor of `shape` filled with `random.fillUniform(…, epsilon)`'s
 * values, advancing `random` as that call would: one WebAssembly kernel on the
 * wasm backend, JavaScript elsewhere.
 */
export function drawUniform(random: Random, shape: number[], epsilon: number): tf.Tensor {
  if (!noiseKernelActive()) {
    return tf.tensor(random.fillUniform(new Float32Array(sizeOf(shape)), epsilon), shape, "float32");
  }
  const { scale, offset } = uniformGrid("drawUniform", epsilon);
  const attrs = { shape, scale, offset, words: stateWords(random) } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(KERNEL, {}, attrs) as tf.Tensor;
}
