/**
 * The part of plotly.js that the live widgets use. The lecture pages load
 * plotly.js as the global `Plotly` (assets/plotly.min.js, the offline copy the
 * site ships); the widgets draw with it rather than bundling a second copy.
 */

/** `Plotly.react` and `Plotly.purge`, typed as loosely as the widgets use them. */
export interface Plotly {
  react(element: HTMLElement, data: object[], layout: object, config?: object): Promise<unknown>;
  purge(element: HTMLElement): void;
}

/** The page's plotly.js; throws when it did not load. */
export function plotly(): Plotly {
  const api = (globalThis as { Plotly?: Plotly }).Plotly;
  if (api === undefined) throw new Error("plotly.js did not load (assets/plotly.min.js)");
  return api;
}

/** Options of every live figure: resizes with the page, no plotly logo, no link to plotly's site. */
export const FIGURE_CONFIG = { responsive: true, displaylogo: false, showLink: false };
