/**
 * l0-hard-concrete: L0 regularisation with Hard Concrete gates
 * (Louizos, Welling & Kingma, "Learning Sparse Neural Networks through L0
 * Regularization", ICLR 2018) for TensorFlow.js.
 */
export * from "./backend";
export * from "./display/figure";
export * from "./display/jupyter";
export * from "./norms";
export * from "./gates/binaryConcrete";
export * from "./gates/closedForms";
export * from "./gates/hardConcrete";
export * from "./gates/mask";
export * from "./gates/mean";
export * from "./gates/noise";
export * from "./gates/params";
export * from "./gates/penalty";
export * from "./gates/stretch";
export * from "./gates/testTimeGate";
export * from "./random";
