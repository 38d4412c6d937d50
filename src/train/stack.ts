/** Helpers for models whose parameters carry a leading run axis [R, …]: all runs in one set of kernels. */
import * as tf from "@tensorflow/tfjs";

/** One run's seeded uniform(−lim, lim) values (the same for every run). */
export function uniformInit(rand: () => number, n: number, lim: number): Float32Array {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = (rand() * 2 - 1) * lim;
  return w;
}

/** A [R, …shape] variable holding `one` in every run. */
export function stacked(one: Float32Array, runs: number, shape: [number, number]): tf.Variable {
  const data = new Float32Array(one.length * runs);
  for (let r = 0; r < runs; r++) data.set(one, r * one.length);
  return tf.tidy(() => tf.variable(tf.tensor3d(data, [runs, ...shape]), true));
}

/** Mean cross-entropy of each run: logits [R, N, C], one-hot targets [N, C] (shared) or [R, N, C]. */
export const crossEntropy = (logits: tf.Tensor, y: tf.Tensor): tf.Tensor1D =>
  tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), y), 2), 1)) as tf.Tensor1D;
