// Fuzzing the exports not covered by fuzzGates and fuzzLibrary (issue 15): the pruning
// export, the IDX reader, the data set helpers, the model-level views, the optimizer's
// options and the notebook entry's checks, figure data and tensor readers. `CASES` cases
// per export and kind; the heavy ones (a pruned model, a data set turned into tensors)
// run `BATCH_RUNS` cases of `BATCH` values each on one model or data set.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import {
  BACKENDS,
  classCounts,
  datasetTensors,
  defaultOptimizer,
  FusedAdam,
  type ImageDataset,
  type L0Dense,
  l0Conv2d,
  l0Dense,
  l0Layers,
  l0Summary,
  magnitudePruneToDense,
  modelExpectedDensity,
  modelExpectedL0,
  pruneToDense,
  selectInputs,
  splitDataset,
  subsetDataset,
  useBackend,
} from "l0-hard-concrete";
import { parseIdx } from "l0-hard-concrete/internal/data/idx";
import { type IdxArray, loadIdxDataset, readIdx } from "l0-hard-concrete/node";
import {
  atoms,
  bars,
  CheckFailure,
  check,
  checkAbove,
  checkBelow,
  grid,
  histogram,
  histogramBars,
  image,
  line,
  numberOf,
  numbersOf,
  progress,
} from "l0-hard-concrete/notebook";
import {
  BATCH,
  FINITE_EDGES,
  finite,
  given,
  inUnit,
  NON_FINITE,
  near,
  noLeak,
  notANumber,
  notFinite,
  notIntegerFrom,
  outside,
  RUNS,
  TENSOR_RUNS,
  throwsNaming,
  withEdges,
  withoutStacks,
} from "./fuzz";

before(async () => {
  await useBackend();
});

/** Anything that is not a tfjs model. */
const notAModel: fc.Arbitrary<unknown> = fc.oneof(
  notANumber,
  fc.constantFrom(0, Number.NaN, { layers: "x" }, { layers: null }),
);

describe("fuzz: pruning export and model views", () => {
  // One model for every case: two L0 layers (gates per input, then per weight) and a plain
  // dense layer; each case draws new log α (edges ±1000 close or open gates for sure).
  let model: tf.Sequential;
  let gated: L0Dense[];
  before(() => {
    model = tf.sequential({
      layers: [
        l0Dense({ units: 5, inputShape: [6], activation: "relu", seed: 1, biasInitializer: "ones" }),
        l0Dense({ units: 4, gatePerWeight: true, activation: "tanh", seed: 2 }),
        tf.layers.dense({ units: 3, kernelInitializer: "glorotNormal", biasInitializer: "ones" }),
      ],
    });
    gated = l0Layers(model) as L0Dense[];
  });
  after(() => model.dispose());
  const logAlphas = fc.tuple(
    ...[6, 20].map((n) =>
      fc.array(withEdges([1000, -1000, 0], fc.double({ min: -4, max: 4, noNaN: true })), {
        minLength: n,
        maxLength: n,
      }),
    ),
  );
  const setLogAlpha = (values: number[][]) => {
    gated.forEach((layer, i) => {
      tf.tidy(() => {
        layer.logAlpha.write(tf.tensor(values[i], layer.logAlpha.shape as number[]));
      });
    });
  };
  const inputs = fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: BATCH * 6, maxLength: BATCH * 6 });

  it("pruneToDense: on [BATCH] inputs the pruned model predicts as the gated one; counts shrink; a layer without inputs is named", () => {
    let run = 0;
    noLeak("pruneToDense", () => {
      fc.assert(
        fc.property(logAlphas, inputs, (values, xs) => {
          setLogAlpha(values);
          const open = gated.map((layer) =>
            tf.tidy(() =>
              Array.from(
                layer
                  .testTimeGates()
                  .reshape([layer.logAlpha.shape[0] as number, -1])
                  .max(1)
                  .dataSync(),
              ),
            ),
          );
          if (open.some((rows) => rows.every((z) => z === 0))) {
            assert.throws(() => pruneToDense(model), /pruneToDense: every input of layer \S+ is pruned/);
            return;
          }
          const pruned = pruneToDense(model);
          try {
            assert.deepEqual(
              pruned.inputIndices,
              open[0].flatMap((z, j) => (z > 0 ? [j] : [])),
            );
            // Inputs kept per layer (the plain dense layer keeps its 4), then the outputs.
            assert.deepEqual(pruned.architecture, [...open.map((rows) => rows.filter((z) => z > 0).length), 4, 3]);
            assert.ok(pruned.parametersAfter <= pruned.parametersBefore);
            assert.equal(pruned.parametersBefore, 6 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3);
            const [expected, actual] = tf.tidy(() => {
              const x = tf.tensor2d(xs, [BATCH, 6]);
              return [
                (model.predict(x, { batchSize: BATCH }) as tf.Tensor).dataSync(),
                (
                  pruned.model.predict(selectInputs(x, pruned.inputIndices), { batchSize: BATCH }) as tf.Tensor
                ).dataSync(),
              ];
            });
            expected.forEach((v, i) => {
              near(actual[i], v, 1e-5 * (1 + Math.abs(v)), `output ${i}`);
            });
          } finally {
            pruned.model.dispose();
          }
          // The model views on the same log α: E[L0] = Σ of the layers', density in [0, 1].
          const [l0, density] = tf.tidy(() =>
            [modelExpectedL0(model), modelExpectedDensity(model)].map(numberOfTensor),
          );
          const layerL0 = gated.map((layer) => numberOfTensor(layer.expectedL0()));
          near(l0, layerL0[0] + layerL0[1], 1e-4 * (1 + l0), "modelExpectedL0");
          inUnit(density, "modelExpectedDensity");
          near(density, l0 / (6 * 5 + 5 * 4), 1e-6, "density = E[L0] / gated weights");
          const unitsLeft = [open[0].filter((z) => z > 0).length, open[1].filter((z) => z > 0).length];
          assert.deepEqual(
            gated.map((layer) => layer.unitsLeft()),
            unitsLeft,
          );
          // l0Summary reads every count (about as long as the rest of the case): one case in ten.
          if (run++ % 10 === 0) {
            const summary = l0Summary(model);
            assert.deepEqual(
              summary.map((s) => [s.unitsLeft, s.expectedL0]),
              unitsLeft.map((u, i) => [u, layerL0[i]]),
            );
          }
        }),
        TENSOR_RUNS,
      );
    });
  });

  it("magnitudePruneToDense: keeps inputsToKeep rows per layer, the largest folded norms first", () => {
    noLeak("magnitudePruneToDense", () => {
      fc.assert(
        fc.property(
          logAlphas,
          fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 })),
          (values, keep) => {
            setLogAlpha(values);
            const pruned = magnitudePruneToDense(model, keep);
            pruned.model.dispose();
            assert.deepEqual(pruned.architecture, [...keep, 3]);
            // The first layer's rows: kernel row j times ẑ_j, closed gates ranked last.
            const norms = tf.tidy(() => {
              const layer = gated[0];
              const z = layer.testTimeGates().dataSync();
              const kernel = layer.getWeights()[0].arraySync() as number[][]; // kernel, bias, log α
              return kernel.map((row, j) =>
                z[j] > 0 ? row.reduce((s, w) => s + Math.fround(w * z[j]) ** 2, 0) : Number.NEGATIVE_INFINITY,
              );
            });
            const kept = new Set(pruned.inputIndices);
            assert.equal(kept.size, keep[0]);
            const keptMin = Math.min(...norms.filter((_, j) => kept.has(j)));
            const droppedMax = Math.max(...norms.filter((_, j) => !kept.has(j)));
            assert.ok(keptMin >= droppedMax, `kept norm ${keptMin} < dropped norm ${droppedMax}`);
          },
        ),
        TENSOR_RUNS,
      );
    });
  });

  it("pruneToDense, magnitudePruneToDense, l0Layers, l0Summary, modelExpectedL0, modelExpectedDensity: bad model or inputsToKeep named", () => {
    // Three plain dense layers (3, 2, 2 inputs): checking inputsToKeep reads every kernel first.
    const chain = tf.sequential({
      layers: [2, 2, 2].map((units, i) => tf.layers.dense({ units, inputShape: i === 0 ? [3] : undefined })),
    });
    noLeak("bad pruning input", () => {
      const views: [string, (m: tf.LayersModel) => unknown][] = [
        ["pruneToDense", pruneToDense],
        ["magnitudePruneToDense", (m) => magnitudePruneToDense(m, [1])],
        ["l0Layers", l0Layers],
        ["l0Summary", l0Summary],
        ["modelExpectedL0", modelExpectedL0],
        ["modelExpectedDensity", modelExpectedDensity],
      ];
      fc.assert(
        fc.property(
          fc.oneof(
            notAModel.map((value) => ({ name: "model", value })),
            fc
              .oneof(
                notANumber.filter((v) => !Array.isArray(v)),
                fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 6 }).filter((a) => a.length !== 3),
              )
              .map((value) => ({ name: "inputsToKeep", value })),
            fc.tuple(fc.nat({ max: 2 }), notIntegerFrom(1)).map(([at, v]) => ({ name: `inputsToKeep[${at}]`, at, v })),
            fc.tuple(fc.nat({ max: 2 }), fc.integer({ min: 4, max: 1e9 })).map(([at, v]) => ({
              name: `inputsToKeep[${at}]`,
              at,
              v,
            })),
          ),
          (bad) => {
            if (bad.name === "model") {
              for (const [where, f] of views)
                throwsNaming(() => f((bad as { value: unknown }).value as tf.LayersModel), where, "model");
            } else if (bad.name === "inputsToKeep") {
              throwsNaming(
                () => magnitudePruneToDense(chain, (bad as { value: unknown }).value as number[]),
                "magnitudePruneToDense",
                "inputsToKeep",
              );
            } else {
              const { at, v } = bad as { at: number; v: unknown };
              const keep: unknown[] = [1, 1, 1];
              keep[at] = v;
              throwsNaming(() => magnitudePruneToDense(chain, keep as number[]), "magnitudePruneToDense", bad.name);
            }
          },
        ),
        RUNS,
      );
    });
    const conv = tf.sequential({ layers: [l0Conv2d({ filters: 2, kernelSize: 3, inputShape: [5, 5, 1], seed: 1 })] });
    assert.throws(() => pruneToDense(conv), /pruneToDense: layer \S+ \(L0Conv2D\) is not a dense layer/);
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    throwsNaming(() => modelExpectedDensity(plain), "modelExpectedDensity", "model");
    assert.equal(numberOfTensor(modelExpectedL0(plain)), 0);
    conv.dispose();
    plain.dispose();
    chain.dispose();
  });
});

/** Reads and frees a scalar. */
function numberOfTensor(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

describe("fuzz: IDX files (parseIdx, readIdx)", () => {
  const TYPES = [
    { code: 0x08, bytes: 1, set: "setUint8", values: fc.integer({ min: 0, max: 255 }) },
    { code: 0x09, bytes: 1, set: "setInt8", values: fc.integer({ min: -128, max: 127 }) },
    { code: 0x0b, bytes: 2, set: "setInt16", values: fc.integer({ min: -32768, max: 32767 }) },
    { code: 0x0c, bytes: 4, set: "setInt32", values: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
    { code: 0x0d, bytes: 4, set: "setFloat32", values: fc.float() },
    { code: 0x0e, bytes: 8, set: "setFloat64", values: fc.double() },
  ] as const;
  /** A valid IDX file: type, shape (rank 1–3, empty dimensions included), values, big-endian; sometimes gzipped. */
  const idxFile = fc
    .tuple(fc.nat({ max: TYPES.length - 1 }), fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 3 }))
    .chain(([t, shape]) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return fc.record({
        type: fc.constant(TYPES[t]),
        shape: fc.constant(shape),
        values: fc.array(TYPES[t].values as fc.Arbitrary<number>, { minLength: size, maxLength: size }),
        gzip: fc.boolean(),
      });
    })
    .map(({ type, shape, values, gzip }) => {
      const header = 4 + 4 * shape.length;
      const bytes = new Uint8Array(header + values.length * type.bytes);
      const view = new DataView(bytes.buffer);
      bytes.set([0, 0, type.code, shape.length]);
      shape.forEach((d, i) => {
        view.setUint32(4 + 4 * i, d, false);
      });
      values.forEach((v, i) => {
        (view[type.set] as (at: number, v: number, little: boolean) => void).call(
          view,
          header + i * type.bytes,
          v,
          false,
        );
      });
      return { shape, values, plain: bytes, file: gzip ? new Uint8Array(gzipSync(bytes)) : bytes };
    });
  const corrupt = fc.oneof(
    fc
      .tuple(idxFile, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }))
      .map(([f, r]) => f.file.subarray(0, Math.floor(r * f.file.length))),
    fc
      .tuple(idxFile, fc.uint8Array({ minLength: 1, maxLength: 8 }))
      .map(([f, extra]) => Uint8Array.from([...f.plain, ...extra])),
    fc.tuple(idxFile, fc.nat({ max: 3 }), fc.integer({ min: 1, max: 255 })).map(([f, at, delta]) => {
      const bytes = Uint8Array.from(f.plain);
      // Byte 0 or 1 non-zero, a type code that is none, or rank 0: no longer an IDX header.
      bytes[at] = at === 2 ? [0, 1, 7, 10, 15, 255][delta % 6] : at === 3 ? 0 : delta;
      return bytes;
    }),
    fc.uint8Array({ maxLength: 40 }).map((b) => Uint8Array.from([0x1f, 0x8b, ...b])),
  );
  /** Parses `bytes` as `source`; an error must name the parser and the source. */
  const parsed = (parse: () => IdxArray, source: string): IdxArray | null => {
    try {
      return withoutStacks(parse);
    } catch (error) {
      assert.ok(error instanceof Error && error.message.startsWith(`parseIdx: ${source} `), String(error));
      return null;
    }
  };
  let folder = "";
  before(() => {
    folder = mkdtempSync(join(tmpdir(), "l0-fuzz-idx-"));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  // parseIdx (what readIdx runs on a file's bytes) gets a Node Buffer, as readFileSync returns:
  // a small one is a view of a shared pool, which a typed array over `.buffer` would read whole.
  it("valid files (every type, empty dimensions, gzip): shape and values read back exactly", () => {
    fc.assert(
      fc.property(idxFile, ({ shape, values, file }) => {
        const read = parseIdx(Buffer.from(file), "case.idx");
        assert.deepEqual(read.shape, shape);
        assert.equal(read.data.length, values.length);
        // Object.is: NaN, −0 and subnormals come back bit for bit.
        values.forEach((v, i) => {
          assert.ok(Object.is(read.data[i], v), `value ${i}: ${read.data[i]} vs ${v}`);
        });
      }),
      RUNS,
    );
  });

  it("corrupt files (truncated, extended, wrong magic, bad gzip, random bytes) get an Error naming the file, never a crash or a partial read", () => {
    fc.assert(
      fc.property(corrupt, (bytes) => {
        assert.equal(
          parsed(() => parseIdx(Buffer.from(bytes), "case.idx"), "case.idx"),
          null,
        );
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const read = parsed(() => parseIdx(Buffer.from(bytes), "case.idx"), "case.idx");
        if (read !== null)
          assert.equal(
            read.data.length,
            read.shape.reduce((a, b) => a * b, 1),
          );
      }),
      RUNS,
    );
  });

  it(`readIdx: files on disk (${TENSOR_RUNS.numRuns}, writing a file is slow) read as their bytes parse; a missing file is named`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          idxFile.map((f) => f.file),
          corrupt,
        ),
        (bytes) => {
          const path = join(folder, "case.idx");
          writeFileSync(path, bytes);
          const fromFile = parsed(() => readIdx(path), path);
          const fromBytes = parsed(() => parseIdx(Uint8Array.from(bytes), path), path);
          assert.deepEqual(fromFile, fromBytes);
        },
      ),
      TENSOR_RUNS,
    );
    assert.throws(() => readIdx(join(folder, "none.idx")), /readIdx: no such file .*none\.idx/);
  });
});

describe("fuzz: loadIdxDataset, useBackend", () => {
  it("loadIdxDataset: a bad class count is named before any file is read; useBackend: an unknown backend is named", async () => {
    fc.assert(
      fc.property(fc.oneof(given(notIntegerFrom(1)), fc.integer({ min: 257, max: 1e9 })), (classes) => {
        throwsNaming(() => loadIdxDataset("/no/such/folder", classes as number), "loadIdxDataset", "classes");
      }),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(
        given(fc.oneof(fc.string(), notANumber)).filter((v) => !(BACKENDS as readonly unknown[]).includes(v)),
        async (name) => {
          await assert.rejects(
            withoutStacks(() => useBackend(name as never)),
            (error: Error) => {
              assert.match(error.message, /^useBackend: name must be one of .+, got /);
              return true;
            },
          );
        },
      ),
      RUNS,
    );
  });
});

describe("fuzz: data sets", () => {
  /** A small consistent data set: up to 12 images of up to 3×3 pixels, 1–4 classes. */
  const dataset = fc
    .record({
      count: fc.nat({ max: 12 }),
      height: fc.integer({ min: 1, max: 3 }),
      width: fc.integer({ min: 1, max: 3 }),
      classes: fc.integer({ min: 1, max: 4 }),
    })
    .chain(({ count, height, width, classes }) =>
      fc.record({
        // Pixels from a seed (cheaper to generate than an array of floats; only copies are checked).
        images: fc
          .nat()
          .map((seed) =>
            Float32Array.from({ length: count * height * width }, (_, i) => ((seed + i * 97) % 256) / 255),
          ),
        labels: fc
          .array(fc.nat({ max: classes - 1 }), { minLength: count, maxLength: count })
          .map((v) => Int32Array.from(v)),
        count: fc.constant(count),
        height: fc.constant(height),
        width: fc.constant(width),
        classes: fc.constant(classes),
      }),
    );
  /** Counts labels by hand. */
  const tally = (labels: ArrayLike<number>, classes: number) => {
    const counts = new Array<number>(classes).fill(0);
    for (const l of Array.from(labels)) counts[l]++;
    return counts;
  };
  const pixels = (d: ImageDataset, i: number) =>
    Array.from(d.images.subarray(i * d.height * d.width, (i + 1) * d.height * d.width));

  it("subsetDataset, classCounts, splitDataset: the images and labels at the indices; counts add up; a bad index is named", () => {
    fc.assert(
      fc.property(
        dataset,
        fc.array(fc.oneof(fc.integer({ min: -2, max: 14 }), fc.constantFrom(0.5, Number.NaN)), { maxLength: 15 }),
        fc.integer({ min: -1, max: 13 }),
        fc.nat(),
        (data, indices, testCount, seed) => {
          const counts = classCounts(data);
          assert.deepEqual(counts, tally(data.labels, data.classes));
          const bad = indices.findIndex((j) => !(Number.isInteger(j) && j >= 0 && j < data.count));
          if (bad >= 0) throwsNaming(() => subsetDataset(data, indices), "subsetDataset", `indices[${bad}]`);
          else {
            const subset = subsetDataset(data, Int32Array.from(indices));
            assert.equal(subset.count, indices.length);
            assert.deepEqual(
              Array.from(subset.labels),
              indices.map((j) => data.labels[j]),
            );
            indices.forEach((j, i) => {
              assert.deepEqual(pixels(subset, i), pixels(data, j));
            });
            assert.deepEqual(classCounts(subset), tally(subset.labels, data.classes));
          }
          if (testCount >= 1 && testCount < data.count) {
            const { train, test } = splitDataset(data, testCount, seed);
            assert.equal(test.count, testCount);
            assert.equal(train.count + test.count, data.count);
            const sum = classCounts(train).map((c, k) => c + classCounts(test)[k]);
            assert.deepEqual(sum, counts);
          } else throwsNaming(() => splitDataset(data, testCount, seed), "splitDataset", "testCount");
        },
      ),
      RUNS,
    );
  });

  it("subsetDataset, splitDataset, classCounts, datasetTensors: an inconsistent data set is named by its field", () => {
    const bad = fc.oneof(
      fc.record({ field: fc.constant("classes"), value: given(notIntegerFrom(1)) }),
      fc.record({ field: fc.constant("count"), value: given(notIntegerFrom(0)) }),
      fc.record({ field: fc.constant("height"), value: given(notIntegerFrom(1)) }),
      fc.record({ field: fc.constant("width"), value: given(notIntegerFrom(1)) }),
      fc.record({
        field: fc.constant("labels"),
        value: fc.oneof(fc.constantFrom(null, 3, "abc", undefined), fc.array(fc.nat({ max: 0 }), { maxLength: 20 })),
      }),
      fc.record({
        field: fc.constant("images"),
        value: fc.oneof(fc.constantFrom(null, 3, undefined), fc.array(fc.constant(0.5), { maxLength: 50 })),
      }),
      fc.record({ field: fc.constant("data"), value: fc.constantFrom(null, undefined, 3, "data") }),
    );
    fc.assert(
      fc.property(dataset, bad, (data, { field, value }) => {
        const broken = (field === "data" ? value : { ...data, [field]: value }) as ImageDataset;
        // A changed array may happen to fit (a label array as long as before): then nothing is wrong.
        const d = data as ImageDataset;
        if (field === "labels" && Array.isArray(value) && value.length === d.count) return;
        if (field === "images" && Array.isArray(value) && value.length === d.images.length) return;
        const name = field === "data" ? "data" : `data.${field}`;
        for (const [where, f] of [
          ["subsetDataset", (x: ImageDataset) => subsetDataset(x, [])],
          ["splitDataset", (x: ImageDataset) => splitDataset(x, 1, 1)],
          ["datasetTensors", datasetTensors],
        ] as const) {
          throwsNaming(() => f(broken), where, name);
        }
        if (field === "classes" || field === "data" || (field === "labels" && !Array.isArray(value))) {
          throwsNaming(() => classCounts(broken), "classCounts", name);
        }
      }),
      RUNS,
    );
    fc.assert(
      fc.property(
        dataset.filter((d) => d.count > 0),
        fc.nat(),
        fc.oneof(fc.integer({ min: -5, max: -1 }), fc.integer({ min: 4, max: 100 })),
        (data, at, label) => {
          const labels = Int32Array.from(data.labels);
          const i = at % data.count;
          labels[i] = label < 0 ? label : data.classes + label - 4;
          throwsNaming(() => classCounts({ labels, classes: data.classes }), "classCounts", `labels[${i}]`);
          noLeak("datasetTensors", () =>
            throwsNaming(() => datasetTensors({ ...data, labels }), "datasetTensors", `data.labels[${i}]`),
          );
        },
      ),
      RUNS,
    );
  });

  it("datasetTensors: [BATCH] images as x rows and one-hot y; an empty data set is named", () => {
    const big = fc
      .record({ classes: fc.integer({ min: 1, max: 10 }), height: fc.integer({ min: 1, max: 3 }) })
      .chain(({ classes, height }) =>
        fc.record({
          classes: fc.constant(classes),
          height: fc.constant(height),
          labels: fc.array(fc.nat({ max: classes - 1 }), { minLength: BATCH, maxLength: BATCH }),
          images: fc.array(fc.float({ min: 0, max: 1, noNaN: true }), {
            minLength: BATCH * height,
            maxLength: BATCH * height,
          }),
        }),
      );
    noLeak("datasetTensors", () => {
      fc.assert(
        fc.property(big, ({ classes, height, labels, images }) => {
          const data: ImageDataset = {
            images: Float32Array.from(images),
            labels: Int32Array.from(labels),
            count: BATCH,
            height,
            width: 1,
            classes,
          };
          const { x, y } = datasetTensors(data);
          assert.deepEqual(x.shape, [BATCH, height]);
          assert.deepEqual(y.shape, [BATCH, classes]);
          assert.deepEqual(Array.from(x.dataSync()), Array.from(data.images));
          const rows = y.arraySync();
          rows.forEach((row, i) => {
            assert.deepEqual(
              row,
              row.map((_, k) => (k === labels[i] ? 1 : 0)),
            );
          });
          tf.dispose([x, y]);
        }),
        TENSOR_RUNS,
      );
      const empty = {
        images: new Float32Array(0),
        labels: new Int32Array(0),
        count: 0,
        height: 2,
        width: 2,
        classes: 3,
      };
      throwsNaming(() => datasetTensors(empty), "datasetTensors", "data.count");
    });
  });
});

describe("fuzz: the optimizer's options", () => {
  it("FusedAdam and defaultOptimizer: valid options taken, invalid ones named, nothing left behind", () => {
    noLeak("FusedAdam", () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc
              .record({
                learningRate: withEdges(
                  [1, 1e-3, ...FINITE_EDGES.filter((v) => v > 0)],
                  fc.double({ min: 1e-6, max: 10, noNaN: true }),
                ),
                beta1: withEdges([0, 0.9, 1 - 2 ** -53], fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })),
                beta2: withEdges(
                  [0, 0.999, 1 - 2 ** -53],
                  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
                ),
                epsilon: fc.oneof(fc.constant(null), fc.double({ min: 1e-12, max: 1, noNaN: true })),
              })
              .map((v) => ({ ok: true, ...v })),
            fc
              .oneof(
                fc.record({ name: fc.constant("learningRate"), value: outside(0, Number.POSITIVE_INFINITY) }),
                fc.record({ name: fc.constant("beta1"), value: given(outside(0, 1).filter((v) => v !== 0)) }),
                fc.record({ name: fc.constant("beta2"), value: given(outside(0, 1).filter((v) => v !== 0)) }),
                fc.record({ name: fc.constant("epsilon"), value: given(outside(0, Number.POSITIVE_INFINITY)) }),
              )
              .map((v) => ({ ok: false, ...v })),
          ),
          (c) => {
            if (c.ok) {
              const { learningRate, beta1, beta2, epsilon } = c as unknown as Record<string, number>;
              new FusedAdam(learningRate, beta1, beta2, epsilon).dispose();
              defaultOptimizer(learningRate).dispose();
              return;
            }
            const { name, value } = c as unknown as { name: string; value: number };
            const args = [1e-3, 0.9, 0.999, null] as [number, number, number, number | null];
            args[["learningRate", "beta1", "beta2", "epsilon"].indexOf(name)] = value;
            throwsNaming(() => new FusedAdam(...args), "FusedAdam", name);
            if (name === "learningRate") throwsNaming(() => defaultOptimizer(value), "FusedAdam", name);
          },
        ),
        RUNS,
      );
    });
  });
});

describe("fuzz: the notebook entry's checks, figure data and tensor readers", () => {
  /** Finite numbers or arrays of them (1–5 entries), edges included. */
  const values = fc.oneof(finite, fc.array(finite, { minLength: 1, maxLength: 5 }));
  const list = (v: number | number[]) => (typeof v === "number" ? [v] : v);
  const passes = (f: () => void) => {
    try {
      withoutStacks(f);
      return true;
    } catch (error) {
      assert.ok(error instanceof CheckFailure, `not a CheckFailure: ${String(error)}`);
      assert.match(error.message, /^check failed: the claim: value/);
      return false;
    }
  };
  // console.log counted, not printed (a mock would also keep the arguments of every call).
  let printed = 0;
  const consoleLog = console.log;
  before(() => {
    console.log = () => {
      printed++;
    };
  });
  after(() => {
    console.log = consoleLog;
  });

  it("check: passes iff every |value − expected| ≤ tolerance (NaN never), symmetric in value and expected; prints one line", () => {
    fc.assert(
      fc.property(
        values,
        fc.oneof(finite, fc.constantFrom(...NON_FINITE)),
        withEdges([0, 1e-12, 1], fc.double({ min: 0, max: 1e3, noNaN: true })),
        fc.boolean(),
        (value, target, tolerance, near) => {
          // Half the cases put the expected value within the tolerance of the first value.
          const expected = near && Number.isFinite(target) ? list(value)[0] + tolerance * Math.tanh(target) : target;
          const holds = list(value).every((v) => Math.abs(v - expected) <= tolerance);
          const calls = printed;
          assert.equal(
            passes(() => check("the claim", value, expected, tolerance, "why")),
            holds,
          );
          assert.equal(printed, calls + (holds ? 1 : 0));
          if (typeof value === "number") {
            assert.equal(
              passes(() => check("the claim", expected, value, tolerance, "why")),
              holds,
            );
          }
        },
      ),
      RUNS,
    );
  });

  it("checkBelow, checkAbove: pass iff every value is strictly below (above) the bound; checkAbove(v, b) ⇔ checkBelow(−v, −b)", () => {
    fc.assert(
      fc.property(
        values,
        fc.oneof(finite, fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)),
        (value, bound) => {
          const below = list(value).every((v) => v < bound);
          const above = list(value).every((v) => v > bound);
          assert.equal(
            passes(() => checkBelow("the claim", value, bound, "why")),
            below,
          );
          assert.equal(
            passes(() => checkAbove("the claim", value, bound, "why")),
            above,
          );
          const negated = typeof value === "number" ? -value : value.map((v) => -v);
          assert.equal(
            passes(() => checkBelow("the claim", negated, -bound, "why")),
            above,
          );
          const withNaN = [...list(value), Number.NaN];
          assert.equal(
            passes(() => checkBelow("the claim", withNaN, bound, "why")),
            false,
          );
        },
      ),
      RUNS,
    );
  });

  it("check, checkAbove, checkBelow: a bad claim, reason, value, expected, tolerance or bound is named", () => {
    const notText = fc.oneof(
      fc.constantFrom("", "  ", null, undefined, 1, {}, []),
      fc.string().filter((s) => s.trim() === ""),
    );
    const notValues = fc.oneof(
      fc.constantFrom(null, undefined, "1", {}, [], [1, "2"], [Number.NaN, null], true),
      fc.array(fc.string(), { minLength: 1, maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ name: fc.constant("claim"), value: notText }),
          fc.record({ name: fc.constant("reason"), value: notText }),
          fc.record({ name: fc.constant("value"), value: notValues }),
          fc.record({ name: fc.constant("expected"), value: fc.oneof(notValues, fc.constant([1, 2, 3])) }),
          fc.record({
            name: fc.constant("tolerance"),
            value: outside(0, Number.POSITIVE_INFINITY).filter((v) => v !== 0),
          }),
          fc.record({ name: fc.constant("bound"), value: fc.constantFrom(Number.NaN, "1", null, undefined, [1]) }),
        ),
        ({ name, value }) => {
          const args: Record<string, unknown> = {
            claim: "c",
            reason: "r",
            value: [1, 2],
            expected: 1.5,
            tolerance: 1,
            bound: 0,
            [name]: value,
          };
          const { claim, reason, value: v, expected, tolerance, bound } = args as Record<string, never>;
          if (name !== "bound") throwsNaming(() => check(claim, v, expected, tolerance, reason), "check", name);
          if (name !== "expected" && name !== "tolerance") {
            throwsNaming(() => checkBelow(claim, v, bound, reason), "checkBelow", name);
            throwsNaming(() => checkAbove(claim, v, bound, reason), "checkAbove", name);
          }
        },
      ),
      RUNS,
    );
  });

  it("numbersOf, numberOf: the entries of any tensor (rank 0, empty, int32, bool), freed unless held before; a bad compute is named", () => {
    const held = tf.tensor1d([7, 8]);
    noLeak("numbersOf", () => {
      fc.assert(
        fc.property(
          fc.array(fc.float(), { minLength: BATCH, maxLength: BATCH }),
          // BATCH values in shapes of rank 1 to 4, with an empty and a rank-0 tensor beside them.
          fc.constantFrom([BATCH], [4, 25], [10, 10], [2, 5, 10], [1, 2, 2, 25]),
          fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 3 }).map((shape) => [0, ...shape]),
          fc.constantFrom("float32", "int32", "bool"),
          (values, shape, emptyShape, dtype) => {
            for (const [v, sh] of [
              [values, shape],
              [[], emptyShape],
              [[values[0]], []],
            ] as [number[], number[]][]) {
              const made = () => tf.tensor(v, sh, "float32").cast(dtype as tf.DataType);
              const expected = Array.from(tf.tidy(() => made().dataSync()));
              const read = numbersOf(made);
              assert.equal(read.length, v.length);
              read.forEach((x, i) => {
                assert.ok(Object.is(x, expected[i]), `${x} vs ${expected[i]}`);
              });
              if (v.length === 1) assert.ok(Object.is(numberOf(made), expected[0]));
              else throwsNaming(() => numberOf(made), "numberOf", "compute");
            }
          },
        ),
        TENSOR_RUNS,
      );
      fc.assert(
        fc.property(fc.oneof(notANumber, fc.constantFrom(1, Number.NaN)), fc.boolean(), (value, asFunction) => {
          const compute = (asFunction ? () => value : value) as () => tf.Tensor;
          throwsNaming(() => numbersOf(compute), "numbersOf", "compute");
          throwsNaming(() => numberOf(compute), "numberOf", "compute");
        }),
        RUNS,
      );
      assert.deepEqual(
        numbersOf(() => held),
        [7, 8],
      );
      assert.throws(
        () =>
          numbersOf(() => {
            tf.ones([3]);
            throw new Error("inside compute");
          }),
        /inside compute/,
      );
    });
    assert.ok(!held.isDisposed, "a tensor held before is read, not freed");
    held.dispose();
  });

  it("line, bars, histogramBars, atoms, image: one rounded value per input (6 digits, a gap for a non-finite one); bad input named", () => {
    /** round6's contract: null for a non-finite value, else within half a unit of the 6th digit. */
    const rounded = (r: unknown, v: number, what: string) => {
      if (!Number.isFinite(v)) assert.equal(r, null, what);
      else near(r as number, v, 5e-6 * Math.abs(v), what);
    };
    const anyNumbers = fc.array(fc.oneof(finite, fc.constantFrom(...NON_FINITE)), { maxLength: 12 });
    fc.assert(
      fc.property(
        anyNumbers,
        anyNumbers,
        fc.array(fc.record({ x: finite, mass: fc.double({ min: 0, max: 1, noNaN: true }) }), { maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        (xs, ys, points, columns) => {
          const y = ys.slice(0, xs.length);
          if (y.length === xs.length) {
            const t = line("l", xs, y);
            const b = bars("b", xs, y);
            for (const [trace, name] of [
              [t, "line"],
              [b, "bars"],
            ] as const) {
              xs.forEach((v, i) => {
                rounded((trace.x as unknown[])[i], v, `${name} x[${i}]`);
                rounded((trace.y as unknown[])[i], y[i], `${name} y[${i}]`);
              });
            }
          } else throwsNaming(() => line("l", xs, y), "line", "y");
          const f = line("f", xs, (v) => 2 * v);
          xs.forEach((v, i) => {
            rounded((f.y as unknown[])[i], 2 * v, `line y = 2x at ${v}`);
          });
          const a = atoms("a", points);
          assert.equal((a.x as unknown[]).length, 3 * points.length);
          points.forEach((p, i) => {
            rounded((a.y as unknown[])[3 * i + 1], p.mass, `atoms mass ${i}`);
          });
          const rows = Math.floor(xs.length / columns);
          if (rows >= 1) {
            const values = xs.slice(0, rows * columns);
            const z = image("i", values, rows, columns, { zmin: 0, zmax: 1 }).z as unknown[][];
            assert.equal(z.length, rows);
            values.forEach((v, k) => {
              rounded(z[Math.floor(k / columns)][k % columns], v, `image ${k}`);
            });
          }
        },
      ),
      RUNS,
    );
    const notNumbers = fc.constantFrom(null, undefined, 3, "abc", [1, "2"], [null]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ where: fc.constant("line"), name: fc.constantFrom("x", "y"), value: notNumbers }),
          fc.record({ where: fc.constant("bars"), name: fc.constantFrom("x", "y"), value: notNumbers }),
          fc.record({
            where: fc.constant("atoms"),
            name: fc.constant("points"),
            value: fc.oneof(
              fc.constantFrom(null, undefined, "p", 3, {}),
              notFinite.map((x) => [{ x, mass: 0.5 }]),
              fc.oneof(notFinite, outside(0, 1, true)).map((mass) => [{ x: 0, mass }]),
            ),
          }),
          fc
            .oneof(
              fc.record({
                name: fc.constant("values"),
                value: fc.oneof(
                  notNumbers,
                  fc.array(finite, { maxLength: 5 }).filter((v) => v.length !== 2),
                ),
              }),
              fc.record({ name: fc.constantFrom("rows", "columns"), value: given(notIntegerFrom(1)) }),
              fc.record({
                name: fc.constant("style"),
                value: fc.constantFrom(
                  undefined,
                  null,
                  { zmin: 1, zmax: 0 },
                  { zmin: 0 },
                  { zmin: Number.NaN, zmax: 1 },
                  { zmin: 0, zmax: Number.POSITIVE_INFINITY },
                ),
              }),
            )
            .map((bad) => ({ where: "image", ...bad })),
        ),
        ({ where, name, value }) => {
          const v = value as never;
          if (where === "line" && name === "x") throwsNaming(() => line("l", v, [1]), "line", "x");
          else if (where === "line") throwsNaming(() => line("l", [1], v), "line", "y");
          else if (where === "bars" && name === "x") {
            // Categories may be strings: [1, "2"] is a valid x (of the wrong length here).
            const named = Array.isArray(value) ? (value.length === 2 ? "y" : "x[0]") : "x";
            throwsNaming(() => bars("b", v, [1]), "bars", named);
          } else if (where === "bars") throwsNaming(() => bars("b", [1], v), "bars", "y");
          else if (where === "atoms") {
            const bad = Array.isArray(value) ? (value[0].x === 0 ? "points[0].mass" : "points[0].x") : "points";
            throwsNaming(() => atoms("a", v), "atoms", bad);
          } else {
            // One of values, rows, columns and style is bad; the others are those of a 1 × 2 image.
            const args = { values: [0, 1], rows: 1, columns: 2, style: { zmin: 0, zmax: 1 }, [name]: value };
            const expected = name;
            throwsNaming(
              () => image("i", args.values as never, args.rows as never, args.columns as never, args.style as never),
              "image",
              expected,
            );
          }
        },
      ),
      RUNS,
    );
  });

  it("progress: updates at any finite step print one line each (outside a notebook); bad options and steps named", () => {
    const calls = printed;
    let lines = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.array(finite, { minLength: 1, maxLength: 3 }),
        (total, steps) => {
          const p = progress({ total, label: "fuzz", minIntervalMs: 0 });
          for (const step of steps) p.update(step, { loss: step });
          p.done();
          lines += steps.length + 1;
          throwsNaming(() => p.update(Number.NaN), "progress.update", "step");
        },
      ),
      RUNS,
    );
    assert.equal(printed - calls, lines);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ name: fc.constant("total"), value: notIntegerFrom(1) }),
          fc.record({ name: fc.constant("label"), value: given(fc.constantFrom(1, true, {}, [])) }),
          fc.record({
            name: fc.constant("minIntervalMs"),
            // Infinity is a valid interval: only the first and the last state are shown.
            value: given(outside(0, Number.POSITIVE_INFINITY).filter((v) => v !== 0 && v !== Number.POSITIVE_INFINITY)),
          }),
          fc.record({ name: fc.constant("options"), value: fc.constantFrom(null, undefined, 3, "x") }),
        ),
        ({ name, value }) => {
          const options = name === "options" ? value : { total: 3, [name]: value };
          throwsNaming(() => progress(options as never), "progress", name);
        },
      ),
      RUNS,
    );
  });

  it("grid: count points from start to end, increasing when start < end; histogram: counts add up and the bars' area is the share in range", () => {
    fc.assert(
      fc.property(
        withEdges([-1000, 0, 1000], fc.double({ min: -1000, max: 1000, noNaN: true })),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        fc.integer({ min: 2, max: 50 }),
        fc.array(fc.oneof(finite, fc.constantFrom(...NON_FINITE)), { maxLength: 30 }),
        (start, span, count, xs) => {
          const g = grid(start, start + span, count);
          assert.equal(g.length, count);
          assert.ok(g[0] === start, `grid starts at ${g[0]}`);
          near(g[count - 1], start + span, 1e-12 * (Math.abs(start) + span), "grid end");
          for (let i = 1; i < count; i++) assert.ok(g[i] >= g[i - 1], `grid not increasing at ${i}`);
          const width = span / count;
          const bins = { start, end: start + count * width, width };
          if (xs.length === 0) {
            throwsNaming(() => histogram(xs, bins), "histogram", "total");
            return;
          }
          const h = histogram(xs, bins);
          const drawn = histogramBars("h", h);
          h.density.forEach((d, k) => {
            near((drawn.y as number[])[k], d, 5e-6 * d, `histogramBars height ${k}`);
          });
          const inRange = h.counts.reduce((a, b) => a + b, 0);
          assert.equal(h.counts.length, count);
          assert.equal(inRange, xs.filter((x) => x >= bins.start && x < bins.end).length);
          assert.equal(h.n, xs.length);
          near(
            h.density.reduce((a, d) => a + d * width, 0),
            inRange / xs.length,
            1e-9,
            "area",
          );
        },
      ),
      RUNS,
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ name: fc.constant("count"), value: notIntegerFrom(2) }),
          fc.record({ name: fc.constant("start"), value: notFinite }),
          fc.record({
            name: fc.constant("bins"),
            value: fc.oneof(
              fc
                .constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY, 0.3, "0.5")
                .map((width) => ({ start: 0, end: 1, width })),
              fc.constantFrom(
                { start: 1, end: 0, width: 0.5 },
                { start: Number.NEGATIVE_INFINITY, end: 0, width: 1 },
                { start: 0, end: Number.POSITIVE_INFINITY, width: 1 },
                { start: Number.NaN, end: 1, width: 0.5 },
                { start: 0, end: 1e300, width: 1e-300 },
                { start: -1e308, end: 1e308, width: 1e307 },
                { start: 0, end: 1e9, width: 1 },
              ),
              fc.constantFrom(null, undefined, 3),
            ),
          }),
          fc.record({ name: fc.constant("total"), value: given(notIntegerFrom(4)) }),
          fc.record({
            name: fc.constant("values"),
            value: fc.constantFrom(null, undefined, 3, "abc", [1, "2"], { length: "3" }),
          }),
        ),
        ({ name, value }) => {
          if (name === "count") throwsNaming(() => grid(0, 1, value as number), "grid", "count");
          else if (name === "start") throwsNaming(() => grid(value as number, 1, 3), "grid", "start");
          else if (name === "bins")
            throwsNaming(
              () => histogram([0.5], value as { start: number; end: number; width: number }),
              "histogram",
              "bins",
            );
          else if (name === "total")
            throwsNaming(
              () => histogram([1, 2, 3, 4], { start: 0, end: 1, width: 0.5 }, value as number),
              "histogram",
              "total",
            );
          else
            throwsNaming(() => histogram(value as number[], { start: 0, end: 1, width: 0.5 }), "histogram", "values");
        },
      ),
      RUNS,
    );
  });
});

/**
 * The exports no fuzz file calls, each with the reason: constants, functions without
 * numeric input, and classes whose options are fuzzed through the function that makes them.
 */
const NOT_FUZZED: Record<string, string> = {
  AUTHORS_LOG_ALPHA_RANGE: "a constant",
  GATE_SAMPLINGS: "a constant (the valid gateSampling values, fuzzed as layer options)",
  TEST_GATE_KINDS: "a constant (the valid testGate values, fuzzed as layer options)",
  L0Layer: "the abstract base of L0Dense and L0Conv2D, whose options are fuzzed",
  L0Callback: "the class l0Callbacks returns; its options are fuzzed through l0Callbacks",
  checkPenaltySettings:
    "library-internal: checks lambda, datasetSize and weightDecay, fuzzed as layer and l0Penalty options",
  trainingObjective: "library-internal: trainL0's objective, whose options are fuzzed through trainL0",
  registerFastMatMul: "takes no input",
  availableBackends: "takes no input",
  backendName: "takes no input",
  inNotebook: "takes no input",
  loadMnistDigits: "reads the mnist package's files (its folder is the only input); tested in data.test.ts",
  plot: "assembles traces and titles into a figure (no numbers computed); tested in notebookHelpers.test.ts",
  sliderPlot: "assembles figures into slider steps (no numbers computed); tested in notebookHelpers.test.ts",
  showFigure: "displays a figure (its trace types checked); tested in notebookHelpers.test.ts",
};

describe("fuzz: coverage", () => {
  it("every export of the three entries is called by a fuzz file or listed in NOT_FUZZED with a reason", async () => {
    const sources = ["fuzzGates", "fuzzLibrary", "fuzzExports"]
      .map((f) => readFileSync(join(__dirname, "..", "..", "..", "test", "unit", `${f}.test.ts`), "utf8"))
      .join("\n")
      .replace(/const NOT_FUZZED[\s\S]*?\n};/, "")
      // Code only: a name in a comment, a test title or a message does not count.
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "")
      .replace(/"(?:[^"\\\n]|\\.)*"/g, '""')
      .replace(/`(?:[^`\\]|\\.)*`/g, "``");
    const entries = await Promise.all([
      import("l0-hard-concrete"),
      import("l0-hard-concrete/notebook"),
      import("l0-hard-concrete/node"),
    ]);
    const names = [...new Set(entries.flatMap((entry) => Object.keys(entry)))].filter(
      (n) => n !== "default" && n !== "__esModule",
    );
    const missing = names.filter((n) => !new RegExp(`\\b${n}\\b`).test(sources));
    assert.deepEqual(
      missing.filter((n) => !(n in NOT_FUZZED)),
      [],
      "exports neither fuzzed nor listed",
    );
    assert.deepEqual(
      Object.keys(NOT_FUZZED).filter((n) => !missing.includes(n)),
      [],
      "listed in NOT_FUZZED but fuzzed (or no longer exported): remove from the list",
    );
  });
});
