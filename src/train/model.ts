/**
 * R runs' models stacked into ONE set of tensors: every parameter has a leading run axis ([R, in, out]), so a
 * forward/backward pass of all runs is the same handful of kernels as for one run (batched matMul). On
 * WebGPU/WebGL each kernel launch costs ~0.7 ms whatever its size, so kernel count — not FLOPs — is what
 * makes 4 runs cost about as much as 1.
 */
import * as tf from "@tensorflow/tfjs";
import { ANALYTIC_START, type AnalyticKind, isAnalytic, type TaskKind } from "../experiment/tasks";
import { createCnn } from "./cnn";
import { mulberry32, subSeed } from "./rng";
import { crossEntropy, type StackedModel, stacked } from "./stack";
import type { Dataset } from "./tasks";
import { createTransformer } from "./transformer";

/** Glorot-uniform weights for ONE run from the seed, copied into every run: identical initial weights. */
export function initialWeights(sizes: number[], seed: number): Float32Array[] {
  const rand = mulberry32(subSeed(seed, 2));
  const out: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const lim = Math.sqrt(6 / (sizes[l] + sizes[l + 1]));
    const w = new Float32Array(sizes[l] * sizes[l + 1]);
    for (let i = 0; i < w.length; i++) w[i] = (rand() * 2 - 1) * lim;
    out.push(w, new Float32Array(sizes[l + 1]));
  }
  return out;
}

/** Logits / outputs [R, B, out] of a stacked MLP for a batch shared by all runs (x: [B, in]). */
export function forward(params: readonly tf.Tensor[], x: tf.Tensor2D): tf.Tensor3D {
  // The batch as one [1, B, in] matrix: matMul broadcasts it over the runs (a Tile of it cost as much again).
  let h: tf.Tensor3D = tf.reshape(x, [1, x.shape[0], x.shape[1]]) as tf.Tensor3D;
  const L = params.length / 2;
  for (let l = 0; l < L; l++) {
    const z = tf.add(tf.matMul(h, params[2 * l] as tf.Tensor3D), params[2 * l + 1]) as tf.Tensor3D;
    h = l < L - 1 ? tf.tanh(z) : z;
  }
  return h;
}

function analyticLoss(kind: AnalyticKind, p: tf.Tensor, runs: number): tf.Tensor1D {
  const a = tf.reshape(tf.slice(p, [0, 0, 0], [runs, 1, 1]), [runs]) as tf.Tensor1D;
  const b = tf.reshape(tf.slice(p, [0, 0, 1], [runs, 1, 1]), [runs]) as tf.Tensor1D;
  return analyticTerms(kind, a, b) as tf.Tensor1D;
}

function analyticTerms(kind: AnalyticKind, a: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor {
  switch (kind) {
    case "quadratic":
      return tf.mul(0.5, tf.add(tf.square(a), tf.mul(10, tf.square(b))));
    case "rosenbrock":
      return tf.add(tf.square(tf.sub(1, a)), tf.mul(100, tf.square(tf.sub(b, tf.square(a)))));
    case "survey":
      return tf.addN([
        tf.exp(tf.add(a, tf.sub(tf.mul(3, b), 0.1))),
        tf.exp(tf.sub(tf.sub(a, tf.mul(3, b)), 0.1)),
        tf.exp(tf.sub(tf.neg(a), 0.1)),
      ]);
    case "rastrigin": {
      const term = (v: tf.Tensor) => tf.sub(tf.square(v), tf.mul(10, tf.cos(tf.mul(2 * Math.PI, v))));
      return tf.add(20, tf.add(term(a), term(b)));
    }
  }
}

export function createModel(
  task: TaskKind,
  data: Dataset,
  hidden: number[],
  runs: number,
  seed: number,
): StackedModel {
  if (task === "mnist") return createCnn(data, runs, seed);
  if (task === "charlm") return createTransformer(data, runs, seed);
  if (isAnalytic(task)) {
    const p = stacked(Float32Array.from(ANALYTIC_START[task]), runs, [1, 2]);
    return { runs, task, vars: [p], loss: (ps) => analyticLoss(task, ps[0], runs) };
  }
  // Logistic regression has no hidden layer by definition (a convex problem).
  const sizes = [data.dim, ...(task === "logistic" ? [] : hidden), data.outputs];
  const one = initialWeights(sizes, seed);
  const vars = one.map((w, k) => {
    const l = k >> 1;
    return stacked(w, runs, k % 2 === 0 ? [sizes[l], sizes[l + 1]] : [1, sizes[l + 1]]);
  });
  const fwd = (ps: readonly tf.Tensor[], x: tf.Tensor) => forward(ps, x as tf.Tensor2D);
  const loss =
    data.type === "regression"
      ? (ps: readonly tf.Tensor[], x: tf.Tensor2D | null, y: tf.Tensor | null) =>
          tf.mean(tf.square(tf.sub(tf.squeeze(fwd(ps, x!), [2]), y!)), 1) as tf.Tensor1D
      : (ps: readonly tf.Tensor[], x: tf.Tensor2D | null, y: tf.Tensor | null) =>
          crossEntropy(fwd(ps, x!), y!);
  return { runs, task, vars, loss, forward: fwd };
}
