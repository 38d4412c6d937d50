/**
 * Optimizers on stacked parameters with a per-run LR (and momentum) vector, set every step without losing
 * state: the LR is an input of each update, not a constructor argument (tfjs's own optimizers fix it, and its
 * MomentumOptimizer ignores setMomentum). Adam's moments survive any LR change.
 */
import * as tf from "@tensorflow/tfjs";

export type OptimizerKind = "sgd" | "momentum" | "adam";

export interface StackedOptimizer {
  kind: OptimizerKind;
  slots: tf.Variable[][];
  t: number;
}

export function createOptimizer(kind: OptimizerKind, vars: tf.Variable[]): StackedOptimizer {
  const nSlots = kind === "sgd" ? 0 : kind === "momentum" ? 1 : 2;
  const slots = vars.map((v) =>
    Array.from({ length: nSlots }, () => tf.tidy(() => tf.variable(tf.zerosLike(v), false))),
  );
  return { kind, slots, t: 0 };
}

/**
 * One update of every run. `lr` and `beta1` have one entry per run ([R]); Adam's β₂ = 0.999, eps = 1e-8
 * (PyTorch defaults); bias correction uses the current β₁ as PyTorch does when OneCycleLR cycles it.
 */
export function applyUpdate(
  o: StackedOptimizer,
  vars: tf.Variable[],
  grads: tf.Tensor[],
  lr: Float32Array,
  beta1: Float32Array,
): void {
  o.t += 1;
  const R = lr.length;
  tf.tidy(() => {
    const lrT = tf.tensor3d(lr, [R, 1, 1]);
    const bT = tf.tensor3d(beta1, [R, 1, 1]);
    if (o.kind === "adam") {
      const bc1 = new Float32Array(R);
      for (let r = 0; r < R; r++) bc1[r] = 1 - beta1[r] ** o.t;
      const bc2 = 1 - 0.999 ** o.t;
      // step = lr / bc1 · m / (sqrt(v / bc2) + eps)
      const stepT = tf.div(lrT, tf.tensor3d(bc1, [R, 1, 1]));
      vars.forEach((v, i) => {
        const [m, s] = o.slots[i];
        const g = grads[i];
        m.assign(tf.add(tf.mul(bT, m), tf.mul(tf.sub(1, bT), g)));
        s.assign(tf.add(tf.mul(0.999, s), tf.mul(0.001, tf.square(g))));
        v.assign(tf.sub(v, tf.mul(stepT, tf.div(m, tf.add(tf.sqrt(tf.div(s, bc2)), 1e-8)))));
      });
    } else if (o.kind === "momentum") {
      vars.forEach((v, i) => {
        const [buf] = o.slots[i];
        buf.assign(tf.add(tf.mul(bT, buf), grads[i]));
        v.assign(tf.sub(v, tf.mul(lrT, buf)));
      });
    } else {
      vars.forEach((v, i) => {
        v.assign(tf.sub(v, tf.mul(lrT, grads[i])));
      });
    }
  });
}

export function disposeOptimizer(o: StackedOptimizer): void {
  for (const s of o.slots) for (const v of s) v.dispose();
}
