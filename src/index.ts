/**
 * l0-hard-concrete: L0 regularisation with Hard Concrete gates
 * (Louizos, Welling & Kingma, "Learning Sparse Neural Networks through L0
 * Regularization", ICLR 2018) for TensorFlow.js.
 *
 * The main entry: formulas, gates, layers, training and the pruning export. It
 * runs in Node and in a browser: it imports no Node module, and importing it
 * changes nothing outside the library except that the L0 layers register their
 * classes with tfjs's serialization registry (so that saved models load back).
 * Node-only parts live in `l0-hard-concrete/node`, notebook displays in
 * `l0-hard-concrete/notebook`.
 */
export { availableBackends, BACKENDS, type BackendName, type BackendOptions, backendName, useBackend } from "./backend";
export { classCounts, datasetTensors, type ImageDataset, subsetDataset } from "./data/dataset";
export * from "./data/split";
export * from "./gates/binaryConcrete";
export * from "./gates/closedForms";
export * from "./gates/hardConcrete";
export * from "./gates/mask";
export * from "./gates/mean";
export * from "./gates/noise";
export {
  DEFAULT_PARAMS,
  dropRateFromLogAlpha,
  type HardConcreteParams,
  hardConcreteParams,
  keepProbabilityFromLogAlpha,
  logAlphaFromDropRate,
  logAlphaFromKeepProbability,
} from "./gates/params";
export * from "./gates/penalty";
export * from "./gates/stretch";
export * from "./gates/testTimeGate";
export type { ActivationIdentifier } from "./layers/activation";
export type { Initializer, InitializerIdentifier } from "./layers/initializer";
export * from "./layers/l0Conv2d";
export * from "./layers/l0Dense";
export * from "./layers/l0Layer";
export * from "./layers/l0Model";
export { registerFastMatMul } from "./layers/matMul";
export * from "./norms";
export { Random, type Seed } from "./random";
export * from "./training/averaging";
export * from "./training/callbacks";
export * from "./training/evaluate";
export * from "./training/fusedAdam";
export * from "./training/lagrangian";
export { type LambdaSetting, l0Penalty, type PenaltyOptions } from "./training/penalty";
export * from "./training/prune";
export * from "./training/train";
