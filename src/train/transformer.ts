/**
 * A one-block character-level transformer (GPT-style, pre-LayerNorm, 2 causal heads, d = 32, MLP 4d, context
 * 32), stacked over runs: every weight is [R, …] and each matMul is batched over runs, so 8 runs are the same
 * ~60 kernels as one. On WASM too: LR Lab's SIMD loop (wasm.ts) runs these products, and the transposed ones
 * of their gradients, faster than R plain XNNPACK products with the slices, stacks and transposes around them
 * (stack.ts: runMatMul). Measured in Node, interleaved: 70 against 78 ms per step for 8 runs at batch 32,
 * 12.5 against 14.0 ms for one; 180 against 183 and 26.1 against 28.5 ms at batch 64. Tokens enter as one-hot
 * rows multiplied by the embedding (no gather: its gradient,
 * UnsortedSegmentSum, is missing from the WASM backend). The closest toy to the GreedyLR paper's LLM runs, and
 * where Adam's warmup visibly matters.
 */
import * as tf from "@tensorflow/tfjs";
import { LM_CONTEXT } from "../experiment/tasks";
import { mulberry32, subSeed } from "./rng";
import { crossEntropy, runMatMul, type StackedModel, sharedMatMul, stacked, uniformInit } from "./stack";
import type { Dataset } from "./tasks";

const D = 32;
const H = 2;
const DH = D / H;
const F = 4 * D;

function causalMask(T: number): Float32Array {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  return m;
}

export function createTransformer(data: Dataset, runs: number, seed: number): StackedModel {
  const V = data.outputs;
  const T = LM_CONTEXT;
  const rand = mulberry32(subSeed(seed, 2));
  const glorot = (a: number, b: number, scale = 1) =>
    uniformInit(rand, a * b, scale * Math.sqrt(6 / (a + b)));
  const ones = (n: number) => new Float32Array(n).fill(1);
  const zeros = (n: number) => new Float32Array(n);
  const R = runs;
  const resid = 1 / Math.sqrt(2); // the two residual branches' output projections start smaller
  const vars = [
    stacked(uniformInit(rand, V * D, 0.1), R, [V, D]), // 0 token embedding
    stacked(uniformInit(rand, T * D, 0.1), R, [T, D]), // 1 position embedding
    stacked(ones(D), R, [1, D]), // 2 LN1 gain
    stacked(zeros(D), R, [1, D]), // 3 LN1 bias
    stacked(glorot(D, 3 * D), R, [D, 3 * D]), // 4 Wqkv
    stacked(glorot(D, D, resid), R, [D, D]), // 5 Wo
    stacked(ones(D), R, [1, D]), // 6 LN2 gain
    stacked(zeros(D), R, [1, D]), // 7 LN2 bias
    stacked(glorot(D, F), R, [D, F]), // 8 W1
    stacked(zeros(F), R, [1, F]), // 9 b1
    stacked(glorot(F, D, resid), R, [F, D]), // 10 W2
    stacked(zeros(D), R, [1, D]), // 11 b2
    stacked(ones(D), R, [1, D]), // 12 final LN gain
    stacked(zeros(D), R, [1, D]), // 13 final LN bias
    stacked(glorot(D, V), R, [D, V]), // 14 Wout
    stacked(zeros(V), R, [1, V]), // 15 bout
  ];
  const mask = tf.tensor2d(causalMask(T), [T, T]);

  /** Every run's layer at once, [R, N, K] @ [R, K, F], on every backend (see above). */
  const batched = (x: tf.Tensor3D, w: tf.Tensor3D) => tf.matMul(x, w);
  const layerNorm = (h: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(h, 2, true);
    return tf.add(tf.mul(tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
  };

  /**
   * Logits [R, B·T, V] for token ids [B, T] shared by every run, or [R, B, T] (one sequence set per run,
   * used when sampling text). T may be shorter than the context.
   */
  const forward = (ps: readonly tf.Tensor[], ids: tf.Tensor): tf.Tensor3D => {
    const perRun = ids.rank === 3;
    const B = ids.shape[perRun ? 1 : 0] as number;
    const t = ids.shape[perRun ? 2 : 1] as number;
    const N = B * t;
    const oh = tf.oneHot(tf.reshape(tf.cast(ids, "int32"), [-1]), V);
    // Token embeddings: one-hot ids times each run's embedding (the ids are shared unless sampling).
    const emb = perRun
      ? runMatMul(tf.reshape(oh, [R, N, V]) as tf.Tensor3D, ps[0] as tf.Tensor3D)
      : sharedMatMul(oh as tf.Tensor2D, ps[0] as tf.Tensor3D);
    const pos = t === T ? ps[1] : tf.slice(ps[1], [0, 0, 0], [R, t, D]);
    let h = tf.reshape(tf.add(tf.reshape(emb, [R, B, t, D]), tf.expandDims(pos, 1)), [R, N, D]);
    // Causal self-attention, 2 heads.
    const qkv = batched(layerNorm(h, ps[2], ps[3]) as tf.Tensor3D, ps[4] as tf.Tensor3D);
    const heads = (k: number) =>
      tf.reshape(
        tf.transpose(tf.reshape(tf.slice(qkv, [0, 0, k * D], [R, N, D]), [R * B, t, H, DH]), [0, 2, 1, 3]),
        [R * B * H, t, DH],
      ) as tf.Tensor3D;
    const [q, k, v] = [heads(0), heads(1), heads(2)];
    const m = t === T ? mask : tf.slice(mask, [0, 0], [t, t]);
    const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(DH)), m));
    const ctx = tf.reshape(tf.transpose(tf.reshape(tf.matMul(att, v), [R * B, H, t, DH]), [0, 2, 1, 3]), [
      R,
      N,
      D,
    ]) as tf.Tensor3D;
    h = tf.add(h, batched(ctx, ps[5] as tf.Tensor3D));
    // MLP.
    const a = tf.relu(
      tf.add(batched(layerNorm(h, ps[6], ps[7]) as tf.Tensor3D, ps[8] as tf.Tensor3D), ps[9]),
    );
    h = tf.add(h, tf.add(batched(a as tf.Tensor3D, ps[10] as tf.Tensor3D), ps[11]));
    return tf.add(
      batched(layerNorm(h, ps[12], ps[13]) as tf.Tensor3D, ps[14] as tf.Tensor3D),
      ps[15],
    ) as tf.Tensor3D;
  };
  return {
    runs,
    task: "charlm",
    vars,
    consts: [mask],
    forward,
    loss: (ps, x, y) => crossEntropy(forward(ps, x!), y!),
  };
}
