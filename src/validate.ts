/**
 * Argument checks shared by every public function. Each error names the
 * function, the parameter, the value received and what was expected, e.g.
 * `lqNorm: q must be a finite number > 0, got -1`.
 */

/** Formats a received value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(", ")}]`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object" && "shape" in value) {
    return `a tensor of shape [${(value as { shape: number[] }).shape.join(", ")}]`;
  }
  return typeof value;
}

/** Throws a RangeError naming the parameter, the value and the expectation. */
export function fail(where: string, name: string, value: unknown, expected: string): never {
  throw new RangeError(`${where}: ${name} must be ${expected}, got ${describe(value)}`);
}

/** Checks that `model` is a tfjs model (an object with a `layers` array). */
export function checkModel(where: string, model: unknown): void {
  const layers = (model as { layers?: unknown } | null)?.layers;
  if (model === null || typeof model !== "object" || !Array.isArray(layers)) {
    fail(where, "model", model, "a tfjs model (tf.LayersModel)");
  }
}

/** Checks that `value` is a finite number. */
export function checkFinite(where: string, name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) fail(where, name, value, "a finite number");
}

/** Checks that `value` is a finite number strictly greater than `bound`. */
export function checkGreater(where: string, name: string, value: number, bound: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || !(value > bound)) {
    fail(where, name, value, `a finite number > ${bound}`);
  }
}

/** Checks that `value` is a finite number strictly smaller than `bound`. */
export function checkLess(where: string, name: string, value: number, bound: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || !(value < bound)) {
    fail(where, name, value, `a finite number < ${bound}`);
  }
}

/** Checks that every entry of a plain array is a finite number. */
export function checkAllFinite(where: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      fail(where, `${name}[${i}]`, v, "a finite number");
    }
  }
}

/** Checks that `value` is a number in the closed interval [lo, hi]. */
export function checkInInterval(where: string, name: string, value: number, lo: number, hi: number): void {
  if (typeof value !== "number" || !(value >= lo && value <= hi))
    fail(where, name, value, `a number in [${lo}, ${hi}]`);
}
