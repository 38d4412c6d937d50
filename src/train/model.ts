/**
 * R runs' MLPs stacked into ONE set of tensors: every weight has a leading run axis ([R, in, out]), so a
 * forward/backward pass of all runs is the same handful of kernels as for one run (batched matMul). On
 * WebGPU/WebGL each kernel launch costs ~0.7 ms whatever its size, so kernel count — not FLOPs — is what
 * makes 4 runs cost about as much as 1.
 */
import * as tf from "@tensorflow/tfjs";
import { mulberry32, subSeed } from "./rng";

export interface StackedMlp {
  runs: number;
  sizes: number[];
  /** [W1, b1, W2, b2, ...]: W_l [R, in, out], b_l [R, 1, out]. */
  vars: tf.Variable[];
}

/** Glorot-uniform weights for ONE run from the seed, copied into every run: identical initial weights. */
export function initialWeights(sizes: number[], seed: number): Float32Array[] {
  const rand = mulberry32(subSeed(seed, 2));
  const out: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const fanOut = sizes[l + 1];
    const lim = Math.sqrt(6 / (fanIn + fanOut));
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (rand() * 2 - 1) * lim;
    out.push(w, new Float32Array(fanOut));
  }
  return out;
}

export function createStackedMlp(runs: number, sizes: number[], seed: number): StackedMlp {
  const one = initialWeights(sizes, seed);
  const vars = one.map((w, k) => {
    const l = k >> 1;
    const shape: [number, number, number] =
      k % 2 === 0 ? [runs, sizes[l], sizes[l + 1]] : [runs, 1, sizes[l + 1]];
    const data = new Float32Array(w.length * runs);
    for (let r = 0; r < runs; r++) data.set(w, r * w.length);
    return tf.tidy(() => tf.variable(tf.tensor3d(data, shape), true));
  });
  return { runs, sizes, vars };
}

/** Logits [R, B, classes] for a batch shared by all runs (x: [B, in]), with the given stacked params. */
export function forward(params: readonly tf.Tensor[], runs: number, x: tf.Tensor2D): tf.Tensor3D {
  let h: tf.Tensor3D = tf.broadcastTo(x, [runs, x.shape[0], x.shape[1]]) as tf.Tensor3D;
  const L = params.length / 2;
  for (let l = 0; l < L; l++) {
    const z = tf.add(tf.matMul(h, params[2 * l] as tf.Tensor3D), params[2 * l + 1]) as tf.Tensor3D;
    h = l < L - 1 ? tf.tanh(z) : z;
  }
  return h;
}

/** Mean softmax cross-entropy of each run: [R]. `y` is one-hot [B, classes] or per run [R, B, classes]. */
export function perRunLoss(
  params: readonly tf.Tensor[],
  runs: number,
  x: tf.Tensor2D,
  y: tf.Tensor,
): tf.Tensor1D {
  const logp = tf.logSoftmax(forward(params, runs, x));
  return tf.neg(tf.mean(tf.sum(tf.mul(logp, y), 2), 1)) as tf.Tensor1D;
}
