/**
 * The library and tfjs as the live widgets see them: exactly what the browser
 * bundle (dist/browser/l0-hard-concrete.mjs, built from the same two lines in
 * tools/build.mjs) exports. The widgets' bundle does not include this module:
 * tools/build.mjs turns `import … from "./library"` into an import of the copy of
 * the browser bundle that sits next to it in the site, so the pages load the
 * library once, as any page would.
 */

export * as tf from "@tensorflow/tfjs";
export * from "l0-hard-concrete";
