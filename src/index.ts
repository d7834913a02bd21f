/**
 * l0-hard-concrete: L0 regularisation with Hard Concrete gates
 * (Louizos, Welling & Kingma, "Learning Sparse Neural Networks through L0
 * Regularization", ICLR 2018) for TensorFlow.js.
 */
export * from "./backend";
export * from "./data/dataset";
export * from "./data/idx";
export * from "./data/mnistDigits";
export * from "./data/split";
export * from "./display/figure";
export * from "./display/jupyter";
export * from "./display/progress";
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
export * from "./layers/activation";
export * from "./layers/conv";
export * from "./layers/initializer";
export * from "./layers/l0Conv2d";
export * from "./layers/l0Dense";
export * from "./layers/l0Layer";
export * from "./layers/l0Model";
export * from "./layers/matMul";
export * from "./norms";
export * from "./random";
export * from "./training/averaging";
export * from "./training/callbacks";
export * from "./training/evaluate";
export * from "./training/lagrangian";
export * from "./training/penalty";
export * from "./training/prune";
export * from "./training/train";
