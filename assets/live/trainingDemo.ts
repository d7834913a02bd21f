/**
 * The live training demo (index page): a small network with L0 gates on its
 * inputs and hidden units, trained in the page by tfjs's `model.fit`, the layers
 * carrying their own penalty λ·E[L0]/N (`l0Dense({ lambda, datasetSize })`) and
 * `l0Callbacks` clamping log α after every step (Louizos, Welling & Kingma 2018,
 * Sec. 4 and the authors' code). The task: y = 1.5 x₀ − 2 x₁ + x₂ + noise from 12
 * inputs, so 9 inputs are useless and the gates should close them. Shown after
 * every epoch: the loss that `fit` minimises, the error with the test-time gates
 * (Eq. 13), the units the test-time gates leave, and which inputs are kept.
 * Start/stop pauses and resumes the same model.
 */
import { l0Callbacks, l0Dense, l0Layers, tf } from "./library";
import { FIGURE_CONFIG, plotly } from "./plotly";
import { element, errorBox, formatNumber } from "./ui";

/** Training examples N (the `datasetSize` of the penalty). */
const EXAMPLES = 256;
/** The weights of the target y = x W + noise: only the first three inputs matter. */
const TARGET_WEIGHTS = [1.5, -2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const INPUTS = TARGET_WEIGHTS.length;
const HIDDEN = 16;
/** Per-weight L0 cost λ (authors' units: the penalty is λ·E[L0]/N). */
const LAMBDA = 0.5;
const LEARNING_RATE = 0.05;
const BATCH_SIZE = 32;
/** Epochs of one press of "Start" (it can be stopped earlier). */
const EPOCHS_PER_RUN = 300;
/** The curves are redrawn at most this often (ms) while training runs: drawing costs more than an epoch. */
const REDRAW_INTERVAL = 500;

/** Per epoch: the loss `fit` reports, the error with the test-time gates, and units left. */
interface History {
  epoch: number[];
  loss: number[];
  testError: number[];
  unitsLeft: number[];
}

/** The model: inputs gated (initial drop rate 0.2, the authors' choice for an MLP's input layer), hidden units gated. */
function buildModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      l0Dense({
        units: HIDDEN,
        activation: "relu",
        inputShape: [INPUTS],
        dropRateInit: 0.2,
        lambda: LAMBDA,
        datasetSize: EXAMPLES,
        seed: 3,
      }),
      l0Dense({ units: 1, lambda: LAMBDA, datasetSize: EXAMPLES, seed: 4 }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: "meanSquaredError" });
  return model;
}

/** Builds the demo in `root`; training starts when its button is pressed. */
export async function mountTrainingDemo(root: HTMLElement): Promise<void> {
  const Plotly = plotly();
  const x = tf.randomNormal([EXAMPLES, INPUTS], 0, 1, "float32", 1);
  const y = tf.tidy(() =>
    tf.add(
      tf.matMul(x, tf.tensor2d(TARGET_WEIGHTS, [INPUTS, 1])),
      tf.randomNormal([EXAMPLES, 1], 0, 0.1, "float32", 2),
    ),
  );
  const model = buildModel();
  const callback = l0Callbacks(model);
  const totalUnits = INPUTS + HIDDEN;
  const history: History = { epoch: [], loss: [], testError: [], unitsLeft: [] };
  let running = false;
  let lastDraw = 0;

  const button = element("button", null, "Start training");
  button.type = "button";
  const status = element("p", "l0-live-status-line");
  status.setAttribute("aria-live", "polite");
  const inputs = element("div", "l0-live-inputs");
  const errors = errorBox();
  const plot = element("div", "l0-live-plot");
  root.append(element("p", "l0-live-buttons", button), status, inputs, errors.element, plot);

  /** Units the test-time gates leave, per layer, and which inputs the first layer keeps. */
  function units(): { perLayer: number[]; keptInputs: boolean[] } {
    const layers = l0Layers(model);
    const gates = tf.tidy(() => layers[0].testTimeGates().dataSync());
    return { perLayer: layers.map((layer) => layer.unitsLeft()), keptInputs: Array.from(gates, (g) => g > 0) };
  }

  function show(): void {
    const { perLayer, keptInputs } = units();
    const left = perLayer[0] + perLayer[1];
    const last = history.epoch.length - 1;
    const epoch = history.epoch[last] ?? 0;
    status.replaceChildren(
      `epoch ${epoch} · loss ${formatNumber(history.loss[last], 4)} · error with test-time gates ${formatNumber(history.testError[last], 4)} · `,
      element("strong", null, `units left ${left} of ${totalUnits}`),
      ` (inputs ${perLayer[0]} of ${INPUTS}, hidden ${perLayer[1]} of ${HIDDEN})`,
    );
    status.dataset.unitsLeft = String(left);
    status.dataset.epoch = String(epoch);
    inputs.replaceChildren(
      "inputs kept: ",
      ...keptInputs.map((kept, i) => {
        const box = element("span", kept ? "l0-live-input kept" : "l0-live-input removed", `x${i}`);
        box.title = kept ? `x${i} kept` : `x${i} removed (ẑ = 0)`;
        return box;
      }),
    );
    history.unitsLeft[last] = left;
  }

  /** Redraws the curves (from copies of the history: plotly.react redraws only data it has not seen). */
  async function draw(): Promise<void> {
    const epochs = [...history.epoch];
    const data = [
      { type: "scatter", mode: "lines", name: "loss (data + L0 penalty)", x: epochs, y: [...history.loss] },
      { type: "scatter", mode: "lines", name: "error, test-time gates", x: epochs, y: [...history.testError] },
      {
        type: "scatter",
        mode: "lines",
        name: "units left",
        x: epochs,
        y: [...history.unitsLeft],
        yaxis: "y2",
        line: { color: "#1a7f37", width: 3 },
      },
    ];
    const layout = {
      height: 360,
      margin: { l: 50, r: 50, t: 10, b: 40 },
      xaxis: { title: { text: "epoch" } },
      yaxis: { type: "log", title: { text: "mean squared error" } },
      yaxis2: { overlaying: "y", side: "right", range: [0, totalUnits + 1], title: { text: "units left" } },
      legend: { orientation: "h", y: -0.25 },
    };
    await Plotly.react(plot, data, layout, FIGURE_CONFIG);
    lastDraw = performance.now();
  }

  const progress = new tf.CustomCallback({
    onEpochEnd: async (epoch, logs) => {
      const testError = tf.tidy(() => tf.losses.meanSquaredError(y, model.predict(x) as tf.Tensor).dataSync()[0]);
      history.epoch.push(epoch + 1);
      history.loss.push(logs?.loss ?? Number.NaN);
      history.testError.push(testError);
      show();
      if (performance.now() - lastDraw > REDRAW_INTERVAL) await draw();
      await tf.nextFrame();
    },
  });

  async function train(): Promise<void> {
    running = true;
    button.textContent = "Stop";
    errors.clear();
    const done = history.epoch.length;
    try {
      await model.fit(x, y, {
        epochs: done + EPOCHS_PER_RUN,
        initialEpoch: done,
        batchSize: BATCH_SIZE,
        shuffle: false,
        verbose: 0,
        callbacks: [callback, progress],
      });
    } catch (error) {
      errors.show(error);
    } finally {
      running = false;
      button.textContent = "Start training";
      await draw();
    }
  }

  button.addEventListener("click", () => {
    if (running) model.stopTraining = true;
    else void train();
  });
  show();
  await draw();
}
