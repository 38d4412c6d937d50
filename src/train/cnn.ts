/**
 * A small CNN for 14×14 MNIST digits, stacked over runs: conv 3×3 stride 2 (8 ch) → ReLU → conv 3×3 (16 ch)
 * → ReLU → dense 784→10. 9 098 parameters per run.
 *
 * On WebGPU, WebGL and CPU it is built from matMul, pad, slice and concat only — no conv2d — for two reasons:
 * - all runs in one set of kernels: the first layer sees the same batch in every run, so its patches are
 *   taken once (a constant 0/1 patch matrix) and multiplied by every run's filters side by side
 *   ([B·49, 9] @ [9, R·8]); the second layer's patches are 9 shifted slices of each run's feature map;
 * - every backend can train it: tfjs-backend-wasm has no Conv2DBackpropFilter nor depthwise-conv gradients,
 *   and WASM is what the app picks when WebGPU is only a software adapter.
 * On WASM, one kernel for all runs is the slow way (tfjs-wasm's batched and transposed matMuls and strided
 * slices skip XNNPACK), so layer 2 is one conv2d per run with hand-written gradients (convPerRun): dX a
 * convolution too, dW one kernel of LR Lab's module for every run. The dense layer is R plain matMuls
 * (stack.ts: runMatMul).
 */
import * as tf from "@tensorflow/tfjs";
import { MNIST_SIDE } from "../experiment/tasks";
import { mulberry32, subSeed } from "./rng";
import {
  crossEntropy,
  dataMatMul,
  plainMatMuls,
  runMatMul,
  type StackedModel,
  stacked,
  uniformInit,
} from "./stack";
import type { Dataset } from "./tasks";
import { conv3x3FilterGrad } from "./wasm";

const S = MNIST_SIDE;
const O = 7; // output side of the stride-2 first layer
const C1 = 8;
const C2 = 16;
const K = 9; // 3×3 taps

/** [S·S, O·O·9]: column (o, k) picks the input pixel under tap k of output position o ('same', stride 2). */
function patchMatrix(): Float32Array {
  const m = new Float32Array(S * S * O * O * K);
  const cols = O * O * K;
  for (let oi = 0; oi < O; oi++)
    for (let oj = 0; oj < O; oj++)
      for (let di = 0; di < 3; di++)
        for (let dj = 0; dj < 3; dj++) {
          // TF 'same' padding for 14 → 7 with a 3-tap kernel: 0 before, 1 after.
          const i = 2 * oi + di;
          const j = 2 * oj + dj;
          if (i >= S || j >= S) continue;
          m[(i * S + j) * cols + (oi * O + oj) * K + di * 3 + dj] = 1;
        }
  return m;
}

/**
 * WASM: layer 2 as one XNNPACK conv2d per run, forward and backward. tfjs-wasm has no Conv2DBackpropFilter
 * and a slow Conv2DBackpropInput, so the gradients are convolutions too: dX = conv(dY, W flipped, 'same'),
 * dW = conv(x padded, with the batch as channels; dY as the filter, 'valid'), or, where LR Lab's WASM module
 * runs, dW for every run in one kernel of its own (conv3x3FilterGrad). h [R, B, 7, 7, C1], W2
 * [R, 9·C1, C2] (rows tap-major, as the patches elsewhere) → [R, B, 7, 7, C2].
 */
const convPerRun = tf.customGrad(((h: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([h, w]);
  const [R, B] = h.shape;
  const hr = (t: tf.Tensor, r: number) =>
    tf.reshape(tf.slice(t, [r, 0, 0, 0, 0], [1, B, O, O, -1]), [B, O, O, -1]);
  const wr = (t: tf.Tensor, r: number) => tf.reshape(tf.slice(t, [r, 0, 0], [1, K * C1, C2]), [3, 3, C1, C2]);
  const runs = Array.from({ length: R }, (_, r) => r);
  const value = tf.stack(
    runs.map((r) => tf.conv2d(hr(h, r) as tf.Tensor4D, wr(w, r) as tf.Tensor4D, 1, "same")),
  );
  return {
    value,
    gradFunc: (dy: tf.Tensor, [sh, sw]: tf.Tensor[]) => {
      const dX = runs.map((r) => {
        const flipped = tf.reverse(tf.transpose(wr(sw, r), [0, 1, 3, 2]), [0, 1]);
        return tf.conv2d(hr(dy, r) as tf.Tensor4D, flipped as tf.Tensor4D, 1, "same");
      });
      // On WASM with LR Lab's module: every run's filter gradient in one kernel (wasm.ts); else one per run.
      const dW =
        conv3x3FilterGrad(sh, dy) ??
        tf.stack(
          runs.map((r) => {
            const padded = tf.pad(hr(sh, r), [
              [0, 0],
              [1, 1],
              [1, 1],
              [0, 0],
            ]);
            const byChannel = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D; // [C1, 9, 9, B]
            // [7, 7, B, C2], as a rank-3 transpose (tfjs-wasm's is twice as fast as the rank-4 one here).
            const filter = tf.reshape(tf.transpose(tf.reshape(hr(dy, r), [B, O * O, C2]), [1, 0, 2]), [
              O,
              O,
              B,
              C2,
            ]) as tf.Tensor4D;
            return tf.reshape(tf.transpose(tf.conv2d(byChannel, filter, 1, "valid"), [1, 2, 0, 3]), [
              K * C1,
              C2,
            ]);
          }),
        );
      return [tf.stack(dX), dW];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (h: tf.Tensor, w: tf.Tensor) => tf.Tensor;

export function createCnn(_data: Dataset, runs: number, seed: number): StackedModel {
  const rand = mulberry32(subSeed(seed, 2));
  const he = (fanIn: number) => Math.sqrt(6 / fanIn);
  const vars = [
    stacked(uniformInit(rand, K * C1, he(K)), runs, [K, C1]),
    stacked(new Float32Array(C1), runs, [1, C1]),
    stacked(uniformInit(rand, K * C1 * C2, he(K * C1)), runs, [K * C1, C2]),
    stacked(new Float32Array(C2), runs, [1, C2]),
    stacked(uniformInit(rand, O * O * C2 * 10, Math.sqrt(6 / (O * O * C2 + 10))), runs, [O * O * C2, 10]),
    stacked(new Float32Array(10), runs, [1, 10]),
  ];
  const P1 = tf.tensor2d(patchMatrix(), [S * S, O * O * K]);
  const R = runs;
  const plain = plainMatMuls();
  /** [R, B·49, 9·C1]: each run's 3×3 patches of its [B, 7, 7, C1] map z1 (given as [B·49, R·C1]). */
  const patches2 = (z1: tf.Tensor, B: number): tf.Tensor3D => {
    const h = tf.reshape(tf.transpose(tf.reshape(z1, [B, O * O, R, C1]), [2, 0, 1, 3]), [R * B, O, O, C1]);
    const padded = tf.pad(h, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
    const taps: tf.Tensor[] = [];
    for (let di = 0; di < 3; di++)
      for (let dj = 0; dj < 3; dj++) taps.push(tf.slice(padded, [0, di, dj, 0], [R * B, O, O, C1]));
    return tf.reshape(tf.concat(taps, 3), [R, B * O * O, K * C1]) as tf.Tensor3D;
  };
  const forward = (ps: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor3D => {
    const B = x.shape[0];
    const [W1, b1, W2, b2, W3, b3] = ps;
    // Layer 1, all runs at once on the shared batch.
    const pat = tf.reshape(tf.matMul(x as tf.Tensor2D, P1), [B * O * O, K]);
    const w1 = tf.reshape(tf.transpose(W1, [1, 0, 2]), [K, R * C1]);
    const z1 = tf.relu(
      tf.add(dataMatMul(pat as tf.Tensor2D, w1 as tf.Tensor2D), tf.reshape(b1, [1, R * C1])),
    );
    // Layer 2, per run: each run's 3×3 patches times its filters (on WASM: a conv2d per run).
    const conv = plain
      ? tf.reshape(
          convPerRun(
            tf.reshape(tf.transpose(tf.reshape(z1, [B, O * O, R, C1]), [2, 0, 1, 3]), [R, B, O, O, C1]),
            W2,
          ),
          [R, B * O * O, C2],
        )
      : tf.matMul(patches2(z1, B), W2 as tf.Tensor3D);
    const z2 = tf.relu(tf.add(conv, b2));
    const flat = tf.reshape(z2, [R, B, O * O * C2]) as tf.Tensor3D;
    return tf.add(runMatMul(flat, W3 as tf.Tensor3D), b3) as tf.Tensor3D;
  };
  return {
    runs,
    task: "mnist",
    vars,
    consts: [P1],
    forward,
    loss: (ps, x, y) => crossEntropy(forward(ps, x!), y!),
  };
}
