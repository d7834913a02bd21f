/**
 * l0-hard-concrete: L0 regularisation with Hard Concrete gates
 * (Louizos, Welling & Kingma, "Learning Sparse Neural Networks through L0
 * Regularization", ICLR 2018) for TensorFlow.js.
 */
export * from "./backend";
export * from "./display/figure";
export * from "./display/jupyter";
export * from "./norms";
