/** Helpers for models whose parameters carry a leading run axis [R, …]: all runs in one set of kernels. */
import * as tf from "@tensorflow/tfjs";
import type { TaskKind } from "../experiment/tasks";
import "./gradients"; // Sum's and Mean's gradients without a tensor of ones (see gradients.ts)

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

/**
 * Whether this backend needs the plain-2-D matMul path. tfjs-backend-wasm (4.22) hands only a plain 2-D,
 * untransposed matMul to XNNPACK; any batched ([R, M, K] with R > 1) or transposed matMul, which is what
 * autodiff emits for every gradient, ran in a scalar loop. Measured in Node on WASM (SIMD, one thread):
 * 8 runs of [3136×72]@[72×16] took 49.5 ms as one batched matMul and 4.7 ms as 8 plain ones; the gradient
 * matMuls (transposed) 48–60 ms against 5–12 ms with the transposes done first. LR Lab's own SIMD loop
 * (wasm.ts) now takes the batched and transposed ones; with sixteen output columns in registers it is as fast
 * as XNNPACK on such products (the same 8: 2.2 ms batched against 2.4 ms as 8 plain ones with their slices and
 * stack), so the transformer uses it (transformer.ts). Narrow outputs are another matter: the CNN's dense layer
 * ([8, 64, 784] @ [8, 784, 10], forward and backward) takes 5.8 ms batched against 4.3 ms per run, so it keeps
 * this path. GPUs want one kernel for all runs, so elsewhere tf.matMul is used as is.
 */
export const plainMatMuls = () => tf.getBackend() === "wasm";

const T = (x: tf.Tensor) => tf.transpose(x, [0, 2, 1]) as tf.Tensor3D;

/** a [R, M, K] @ b [R, K, N] as R plain 2-D matMuls. */
function perRun(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [R, M, K] = a.shape;
  const N = b.shape[2];
  const outs: tf.Tensor2D[] = [];
  for (let r = 0; r < R; r++)
    outs.push(
      tf.matMul(
        tf.reshape(tf.slice(a, [r, 0, 0], [1, M, K]), [M, K]) as tf.Tensor2D,
        tf.reshape(tf.slice(b, [r, 0, 0], [1, K, N]), [K, N]) as tf.Tensor2D,
      ),
    );
  return R === 1 ? (tf.reshape(outs[0], [1, M, N]) as tf.Tensor3D) : (tf.stack(outs) as tf.Tensor3D);
}

/** perRun with its gradient written as perRun matMuls of explicit transposes (dA = dY·Bᵀ, dB = Aᵀ·dY). */
const perRunWithGrad = tf.customGrad(((a: tf.Tensor3D, b: tf.Tensor3D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: perRun(a, b),
    gradFunc: (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [
      perRun(dy as tf.Tensor3D, T(sb)),
      perRun(T(sa), dy as tf.Tensor3D),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
  a: tf.Tensor3D,
  b: tf.Tensor3D,
) => tf.Tensor3D;

/**
 * Every run's matMul at once: a [R, M, K] @ b [R, K, N] → [R, M, N]. One batched kernel, except on WASM
 * (see plainMatMuls), where it is R plain matMuls forward and backward.
 */
export const runMatMul = (a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D =>
  plainMatMuls() ? perRunWithGrad(a, b) : tf.matMul(a, b);

/**
 * Data shared by every run times each run's weights: x [M, K] (a batch, never a variable) @ w [R, K, N] →
 * [R, M, N]. On WASM, R plain matMuls of the same x (no [R, M, K] copy of it); its gradient reaches w only
 * (Xᵀ·dY per run; x is data). Elsewhere one batched matMul of x broadcast over the runs.
 */
export const sharedMatMul = (x: tf.Tensor2D, w: tf.Tensor3D): tf.Tensor3D =>
  plainMatMuls()
    ? sharedWithGrad(x, w)
    : tf.matMul(tf.broadcastTo(x, [w.shape[0], ...x.shape]) as tf.Tensor3D, w);

const sharedWithGrad = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor3D, save: tf.GradSaveFunc) => {
  save([x]);
  const [R, K, N] = w.shape;
  const wr = (r: number) => tf.reshape(tf.slice(w, [r, 0, 0], [1, K, N]), [K, N]) as tf.Tensor2D;
  return {
    value: tf.stack(Array.from({ length: R }, (_, r) => tf.matMul(x, wr(r)))),
    gradFunc: (dy: tf.Tensor, [sx]: tf.Tensor[]) => {
      const xT = tf.transpose(sx) as tf.Tensor2D;
      const M = sx.shape[0];
      const dW = Array.from({ length: R }, (_, r) =>
        tf.matMul(xT, tf.reshape(tf.slice(dy, [r, 0, 0], [1, M, N]), [M, N]) as tf.Tensor2D),
      );
      return [tf.zerosLike(sx), tf.stack(dW)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
  x: tf.Tensor2D,
  w: tf.Tensor3D,
) => tf.Tensor3D;

/**
 * Data times weights, both 2-D: x [M, K] (a batch or its patches, never a variable) @ w [K, N]. On WASM its
 * gradient reaches w as a plain matMul of xᵀ taken first (autodiff's transposed matMul is tfjs-wasm's scalar
 * loop: 1.4 ms for the CNN's first layer at 8 runs); x gets none. Elsewhere tf.matMul.
 */
export const dataMatMul = (x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D =>
  plainMatMuls() ? dataWithGrad(x, w) : tf.matMul(x, w);

const dataWithGrad = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor, [sx]: tf.Tensor[]) => [
      tf.zerosLike(sx),
      tf.matMul(tf.transpose(sx) as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
  x: tf.Tensor2D,
  w: tf.Tensor2D,
) => tf.Tensor2D;
