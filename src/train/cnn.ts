/**
 * A small CNN for 14×14 MNIST digits, stacked over runs: conv 3×3 stride 2 (8 ch) → ReLU → conv 3×3 (16 ch)
 * → ReLU → dense 784→10. 9 098 parameters per run.
 *
 * Built from matMul, pad, slice and concat only — no conv2d — for two reasons:
 * - all runs in one set of kernels: the first layer sees the same batch in every run, so its patches are
 *   taken once (a constant 0/1 patch matrix) and multiplied by every run's filters side by side
 *   ([B·49, 9] @ [9, R·8]); the second layer's patches are 9 shifted slices of each run's feature map;
 * - every backend can train it: tfjs-backend-wasm has no Conv2DBackpropFilter nor depthwise-conv gradients,
 *   and WASM is what the app picks when WebGPU is only a software adapter.
 */
import * as tf from "@tensorflow/tfjs";
import { MNIST_SIDE } from "../experiment/tasks";
import { mulberry32, subSeed } from "./rng";
import {
  constMatMul,
  crossEntropy,
  plainMatMuls,
  runMatMul,
  type StackedModel,
  stacked,
  uniformInit,
} from "./stack";
import type { Dataset } from "./tasks";

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

/** [O·O, O·O·9]: column (o, k) picks the position under tap k of output o (3×3, stride 1, zero-padded 'same'). */
function shiftMatrix(): Float32Array {
  const cols = O * O * K;
  const m = new Float32Array(O * O * cols);
  for (let oi = 0; oi < O; oi++)
    for (let oj = 0; oj < O; oj++)
      for (let di = 0; di < 3; di++)
        for (let dj = 0; dj < 3; dj++) {
          const i = oi + di - 1;
          const j = oj + dj - 1;
          if (i < 0 || j < 0 || i >= O || j >= O) continue;
          m[(i * O + j) * cols + (oi * O + oj) * K + di * 3 + dj] = 1;
        }
  return m;
}

/** The transpose of a row-major [rows, cols] matrix. */
function transposed(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
  return t;
}

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
  // WASM: layer 2's patches as one plain matMul with a 0/1 shift matrix (exact: each output is one input
  // times 1). tfjs-wasm would copy the 9 strided slices 8 floats at a time and split their gradient the
  // same way; a rank-5 transpose that would let the slices copy big blocks is slower still (measured).
  const plain = plainMatMuls();
  const sh = shiftMatrix();
  const P2 = plain ? tf.tensor2d(sh, [O * O, O * O * K]) : null;
  const P2T = plain ? tf.tensor2d(transposed(sh, O * O, O * O * K), [O * O * K, O * O]) : null;
  /** [R, B·49, 9·C1]: each run's 3×3 patches of its [B, 7, 7, C1] map z1 (given as [B·49, R·C1]). */
  const patches2 = (z1: tf.Tensor, B: number): tf.Tensor3D => {
    if (P2 && P2T) {
      const rows = tf.reshape(tf.transpose(tf.reshape(z1, [B, O * O, R, C1]), [2, 0, 3, 1]), [
        R * B * C1,
        O * O,
      ]);
      const moved = tf.reshape(constMatMul(rows as tf.Tensor2D, P2, P2T), [R, B, C1, O * O, K]);
      return tf.reshape(tf.transpose(moved, [0, 1, 3, 4, 2]), [R, B * O * O, K * C1]) as tf.Tensor3D;
    }
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
    const z1 = tf.relu(tf.add(tf.matMul(pat, w1), tf.reshape(b1, [1, R * C1])));
    // Layer 2, per run: each run's 3×3 patches times its filters.
    const cols = patches2(z1, B);
    const z2 = tf.relu(tf.add(runMatMul(cols, W2 as tf.Tensor3D), b2));
    const flat = tf.reshape(z2, [R, B, O * O * C2]) as tf.Tensor3D;
    return tf.add(runMatMul(flat, W3 as tf.Tensor3D), b3) as tf.Tensor3D;
  };
  return {
    runs,
    task: "mnist",
    vars,
    consts: [P1, ...(P2 && P2T ? [P2, P2T] : [])],
    forward,
    loss: (ps, x, y) => crossEntropy(forward(ps, x!), y!),
  };
}
