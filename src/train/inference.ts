/**
 * Inference for the task views: what the models have learned, asked without training — the decision
 * boundary or fit curve (predict), held-out digits (classify) and sampled text (sample). Each is one batched
 * forward pass of every run, at the point each run is evaluated at (a schedule-free run: its average x);
 * nothing here changes a weight.
 */
import * as tf from "@tensorflow/tfjs";
import { mulberry32 } from "./rng";
import type { StackedModel } from "./stack";
import type { Dataset } from "./tasks";

/** What inference reads of a trainer: its stacked model, its data and its run count. */
export interface Inferable {
  readonly model: StackedModel;
  readonly data: Dataset;
  readonly runs: number;
  /** The weights each run is evaluated at (a schedule-free run: its average x); call inside tf.tidy. */
  evalVars?(): tf.Tensor[];
}

const weights = (m: Inferable): readonly tf.Tensor[] => m.evalVars?.() ?? m.model.vars;

/**
 * Model outputs of every run at the given inputs (row-major [n, dim]) — one batched forward pass:
 * classification → probability of class 1; regression → the prediction. Null for analytic tasks.
 */
export async function predict(m: Inferable, points: Float32Array, n: number): Promise<Float32Array[] | null> {
  const fwd = m.model.forward;
  if (m.data.type === "analytic" || m.data.type === "sequence" || !fwd) return null;
  const R = m.runs;
  const out = tf.tidy(() => {
    const x = tf.tensor2d(points, [n, m.data.dim]);
    const y = fwd(weights(m), x);
    return m.data.type === "regression"
      ? tf.reshape(y, [R, n])
      : tf.reshape(tf.slice(tf.softmax(y), [0, 0, 1], [R, n, 1]), [R, n]);
  });
  const flat = (await out.data()) as Float32Array;
  out.dispose();
  return Array.from({ length: R }, (_, r) => flat.slice(r * n, (r + 1) * n));
}

/** Classification: each run's predicted class for the given rows ([n, dim]) — one batched forward pass. */
export async function classify(m: Inferable, points: Float32Array, n: number): Promise<Int32Array[]> {
  const fwd = m.model.forward;
  if (m.data.type !== "classification" || !fwd) return [];
  const R = m.runs;
  const out = tf.tidy(() => tf.argMax(fwd(weights(m), tf.tensor2d(points, [n, m.data.dim])), 2));
  const flat = (await out.data()) as Int32Array;
  out.dispose();
  return Array.from({ length: R }, (_, r) => flat.slice(r * n, (r + 1) * n));
}

/**
 * Sequences: `length` characters sampled from every run after `prompt` (temperature `temp`, a seeded
 * stream: the same draws for every run, so differences are the models'). One forward pass of all runs
 * per character.
 */
export async function sample(
  m: Inferable,
  prompt: string,
  length: number,
  temp = 0.7,
  seed = 7,
): Promise<string[]> {
  const fwd = m.model.forward;
  const vocab = m.data.vocab;
  if (m.data.type !== "sequence" || !fwd || !vocab) return [];
  const R = m.runs;
  const T = m.data.dim;
  const V = m.data.outputs;
  const rand = mulberry32(seed);
  const seqs = Array.from({ length: R }, () => [...prompt].map((c) => Math.max(0, vocab.indexOf(c))));
  const outs = Array.from({ length: R }, () => "");
  for (let k = 0; k < length; k++) {
    const t = Math.min(T, seqs[0].length);
    const ids = new Float32Array(R * t);
    seqs.forEach((q, r) => {
      ids.set(q.slice(q.length - t), r * t);
    });
    const probs = tf.tidy(() => {
      const logits = fwd(weights(m), tf.tensor3d(ids, [R, 1, t]));
      const last = tf.reshape(tf.slice(logits, [0, t - 1, 0], [R, 1, V]), [R, V]);
      return tf.softmax(tf.div(last, temp));
    });
    const p = (await probs.data()) as Float32Array;
    probs.dispose();
    const u = rand();
    for (let r = 0; r < R; r++) {
      let acc = 0;
      let c = V - 1;
      for (let j = 0; j < V; j++) {
        acc += p[r * V + j];
        if (u < acc) {
          c = j;
          break;
        }
      }
      seqs[r].push(c);
      outs[r] += vocab[c];
    }
  }
  return outs;
}

/** Every run's predictions on held-out digits and its accuracy on them (the digits view, the lessons' claims). */
export async function heldOutAccuracy(
  m: Inferable,
  held: { x: Float32Array; y: ArrayLike<number>; n: number },
): Promise<{ preds: Int32Array[]; accuracy: number[] }> {
  const preds = await classify(m, held.x, held.n);
  const accuracy = preds.map((p) => p.reduce((a, c, i) => a + (c === held.y[i] ? 1 : 0), 0) / held.n);
  return { preds, accuracy };
}
