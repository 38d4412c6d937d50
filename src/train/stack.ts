/** Helpers for models whose parameters carry a leading run axis [R, …]: all runs in one set of kernels. */
import * as tf from "@tensorflow/tfjs";
import type { TaskKind } from "../experiment/tasks";

/** R runs' models stacked into one set of tensors (see model.ts); every model builder returns one. */
export interface StackedModel {
  runs: number;
  task: TaskKind;
  /** Model outputs [R, N, out] for inputs shared by all runs (N = B, or B·T tokens for the char-LM). */
  forward?(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor3D;
  /** Constant tensors the model owns (patch matrices, attention masks), disposed with it. */
  consts?: tf.Tensor[];
  /** MLP: [W1, b1, W2, b2, ...] with W_l [R, in, out], b_l [R, 1, out]; analytic: [p] with p [R, 1, 2]. */
  vars: tf.Variable[];
  /** Mean loss of each run ([R]) for a batch, with the given (possibly shifted) parameters. */
  loss(params: readonly tf.Tensor[], x: tf.Tensor2D | null, y: tf.Tensor | null): tf.Tensor1D;
}

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
