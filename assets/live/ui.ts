/**
 * Small DOM helpers of the live widgets: elements, sliders with their value shown,
 * numbers that never show as NaN, and a box that shows an error's message.
 */

/** Creates `<tag class="className">` holding `children` (strings become text). */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string | null,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== null) node.className = className;
  node.append(...children);
  return node;
}

/** `x` with `digits` decimals; "—" for anything that is not a finite number, so no NaN reaches the screen. */
export function formatNumber(x: number, digits: number): string {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "—";
}

/** The range and start of a slider, as `<input type="range">` takes them. */
export interface SliderRange {
  readonly min: number;
  readonly max: number;
  /** The step, or "any" for a slider that moves continuously. */
  readonly step: number | "any";
  readonly value: number;
}

/** A labelled range input with its current value printed next to it. */
export interface Slider {
  readonly row: HTMLElement;
  readonly input: HTMLInputElement;
  /** The slider's value as a number. */
  value(): number;
}

/** A slider named `name` (its `data-parameter`), labelled `label`, calling `onChange` on every move. */
export function slider(name: string, label: string, range: SliderRange, onChange: () => void): Slider {
  const input = element("input", null);
  input.type = "range";
  input.min = String(range.min);
  input.max = String(range.max);
  input.step = String(range.step);
  input.value = String(range.value);
  input.dataset.parameter = name;
  input.setAttribute("aria-label", label);
  const shown = element("output", "l0-live-value");
  const value = () => input.valueAsNumber;
  const show = () => {
    shown.textContent = formatNumber(value(), 2);
  };
  input.addEventListener("input", () => {
    show();
    onChange();
  });
  show();
  const row = element("label", "l0-live-slider", element("span", "l0-live-label", label), input, shown);
  return { row, input, value };
}

/** A box for error messages: hidden until `show`, which prints the error's message. */
export interface ErrorBox {
  readonly element: HTMLElement;
  show(error: unknown): void;
  clear(): void;
}

/** A hidden `<p role="alert">` that `show` fills with "Not computed: <the error's message>". */
export function errorBox(): ErrorBox {
  const box = element("p", "l0-live-error");
  box.setAttribute("role", "alert");
  box.hidden = true;
  return {
    element: box,
    show(error: unknown) {
      box.textContent = `Not computed: ${error instanceof Error ? error.message : String(error)}`;
      box.hidden = false;
    },
    clear() {
      box.textContent = "";
      box.hidden = true;
    },
  };
}
