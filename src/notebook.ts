/**
 * l0-hard-concrete/notebook: displays for tslab notebooks: plotly figures and
 * progress bars as rich Jupyter outputs.
 *
 * Importing it inside a tslab kernel makes the kernel's output sends synchronous,
 * so a cell that prints or updates a display thousands of times loses nothing
 * (see `makeKernelSendsSynchronous` in display/jupyter.ts); outside a kernel it
 * does nothing. It also imports `l0-hard-concrete/node` (a notebook runs in Node),
 * so `useBackend` may pick `@tensorflow/tfjs-node`.
 */
import { makeKernelSendsSynchronous } from "./display/jupyter";
import "./node";

export { type Figure, showFigure } from "./display/figure";
export { inNotebook } from "./display/jupyter";
export { type Metrics, type Progress, type ProgressOptions, progress } from "./display/progress";

makeKernelSendsSynchronous();
