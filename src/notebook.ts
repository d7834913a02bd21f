/**
 * l0-hard-concrete/notebook: what the course notebooks use besides the method
 * itself: plotly figures and their builders, progress bars, one-line claim
 * checks, the statistics those checks need, and tensors read as plain numbers.
 *
 * Importing it inside a tslab kernel makes the kernel's output sends synchronous,
 * so a cell that prints or updates a display thousands of times loses nothing
 * (see `makeKernelSendsSynchronous` in display/jupyter.ts); outside a kernel it
 * does nothing. It also imports `l0-hard-concrete/node` (a notebook runs in Node),
 * so `useBackend` may pick `@tensorflow/tfjs-node`.
 */
import { makeKernelSendsSynchronous } from "./display/jupyter";
import "./node";

export { CheckFailure, check, checkAbove, checkBelow } from "./display/check";
export { type Figure, showFigure } from "./display/figure";
export { inNotebook } from "./display/jupyter";
export { numberOf, numbersOf } from "./display/numbers";
export {
  atoms,
  bars,
  grid,
  type Histogram,
  histogram,
  histogramBars,
  image,
  type LineStyle,
  line,
  type PlotOptions,
  plot,
  type SliderOptions,
  type Step,
  sliderPlot,
  type Trace,
} from "./display/plots";
export { type Metrics, type Progress, type ProgressOptions, progress } from "./display/progress";
export { binomialStandardError, ksCriticalValue, ksDistance, meanAndStandardError } from "./display/statistics";

makeKernelSendsSynchronous();
