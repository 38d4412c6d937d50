/**
 * Optimizers on stacked parameters ([R, ...] — one slice per run) with per-run hyper-parameters set every
 * step without losing state: the LR is an input of each update, not a constructor argument (tfjs's own
 * optimizers fix it, and its MomentumOptimizer ignores setMomentum). Adam's moments survive any LR change.
 *
 * Runs may use different optimizers (a Schedule-Free run beside an Adam run): each kind present computes its
 * candidate update for all runs and a per-run mask picks the right one — one extra set of kernels per
 * distinct kind, not per run.
 */
import * as tf from "@tensorflow/tfjs";

export const OPTIMIZER_KINDS = [
  "sgd",
  "momentum",
  "adam",
  "adamw",
  "schedulefree-sgd",
  "schedulefree-adamw",
  "delta-bar-delta",
  "adadelta",
] as const;
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

/** Per-run hyper-parameters of one step (each array has one entry per run). */
export interface StepHyper {
  lr: Float32Array;
  /** Momentum (SGD) or β₁ (Adam family, Schedule-Free interpolation β). */
  beta1: Float32Array;
  weightDecay: Float32Array;
  /** Schedule-Free averaging coefficient c_k. */
  sfC: Float32Array;
  /** Delta-bar-delta κ, φ, θ; AdaDelta ρ (in dbdTheta) and eps (in dbdKappa). */
  dbdKappa: Float32Array;
  dbdPhi: Float32Array;
  dbdTheta: Float32Array;
}

const SLOTS: Record<OptimizerKind, number> = {
  sgd: 0,
  momentum: 1,
  adam: 2,
  adamw: 2,
  "schedulefree-sgd": 2, // z, x
  "schedulefree-adamw": 3, // z, x, v
  "delta-bar-delta": 2, // per-weight LR ε, δ̄
  adadelta: 2, // E[g²], E[Δ²]
};

export interface StackedOptimizer {
  kinds: OptimizerKind[];
  /** Per run: its optimizer kind. */
  perRun: OptimizerKind[];
  /** Per kind: which runs use it ([R, 1, 1] booleans; only when several kinds are mixed). */
  masks: Map<OptimizerKind, tf.Tensor3D>;
  /** slots[kind][param] = state variables. */
  slots: Map<OptimizerKind, tf.Variable[][]>;
  t: number;
}

export function createOptimizer(
  perRun: OptimizerKind[],
  vars: tf.Variable[],
  baseLr: number,
): StackedOptimizer {
  const kinds = [...new Set(perRun)];
  const R = perRun.length;
  const masks = new Map<OptimizerKind, tf.Tensor3D>();
  const slots = new Map<OptimizerKind, tf.Variable[][]>();
  for (const k of kinds) {
    if (kinds.length > 1)
      masks.set(
        k,
        tf.tensor3d(
          perRun.map((p) => (p === k ? 1 : 0)),
          [R, 1, 1],
          "bool",
        ) as tf.Tensor3D,
      );
    slots.set(
      k,
      vars.map((v) =>
        Array.from({ length: SLOTS[k] }, (_, i) =>
          tf.tidy(() => {
            // Schedule-Free's z and x start at the initial weights; delta-bar-delta's per-weight LR at the base LR.
            if (k.startsWith("schedulefree") && i < 2) return tf.variable(v.clone(), false);
            if (k === "delta-bar-delta" && i === 0) return tf.variable(tf.fill(v.shape, baseLr), false);
            return tf.variable(tf.zerosLike(v), false);
          }),
        ),
      ),
    );
  }
  return { kinds, perRun, masks, slots, t: 0 };
}

/**
 * Restart run r's optimizer state as at creation (Refined's phase 2 retrains from the initial weights):
 * its slice of every slot goes back to zeros / the initial weights / the base LR. The global step count used
 * by Adam's bias correction is shared by all runs and is not reset.
 */
export function resetRunSlots(o: StackedOptimizer, r: number, init: tf.Tensor[], baseLr: number): void {
  const k = o.perRun[r];
  const R = o.perRun.length;
  const slots = o.slots.get(k);
  if (!slots) return;
  tf.tidy(() => {
    const mask = tf.tensor3d(
      o.perRun.map((_, i) => (i === r ? 1 : 0)),
      [R, 1, 1],
      "bool",
    );
    slots.forEach((ss, pi) => {
      ss.forEach((slot, i) => {
        const fresh =
          k.startsWith("schedulefree") && i < 2
            ? init[pi]
            : k === "delta-bar-delta" && i === 0
              ? tf.fill(slot.shape, baseLr)
              : tf.zerosLike(slot);
        slot.assign(tf.where(tf.broadcastTo(mask, slot.shape), fresh, slot));
      });
    });
  });
}

const col = (a: Float32Array) => tf.tensor3d(a, [a.length, 1, 1]);

/** The new value of one parameter under one optimizer kind (assigns that kind's slots). */
function update(
  k: OptimizerKind,
  o: StackedOptimizer,
  i: number,
  v: tf.Tensor,
  g: tf.Tensor,
  h: StepHyper,
  T: Record<string, tf.Tensor3D>,
): tf.Tensor {
  const s = o.slots.get(k)![i];
  const R = h.lr.length;
  switch (k) {
    case "sgd":
      return tf.sub(v, tf.mul(T.lr, g));
    case "momentum": {
      // PyTorch SGD (dampening 0): buf = μ·buf + g; w −= lr·buf.
      s[0].assign(tf.add(tf.mul(T.beta1, s[0]), g));
      return tf.sub(v, tf.mul(T.lr, s[0]));
    }
    case "adam":
    case "adamw": {
      const bc1 = new Float32Array(R);
      for (let r = 0; r < R; r++) bc1[r] = 1 - h.beta1[r] ** o.t;
      const bc2 = 1 - 0.999 ** o.t;
      s[0].assign(tf.add(tf.mul(T.beta1, s[0]), tf.mul(tf.sub(1, T.beta1), g)));
      s[1].assign(tf.add(tf.mul(0.999, s[1]), tf.mul(0.001, tf.square(g))));
      const stepT = tf.div(T.lr, col(bc1));
      const base = k === "adamw" ? tf.mul(v, tf.sub(1, tf.mul(T.lr, T.wd))) : v;
      return tf.sub(base, tf.mul(stepT, tf.div(s[0], tf.add(tf.sqrt(tf.div(s[1], bc2)), 1e-8))));
    }
    case "schedulefree-sgd":
    case "schedulefree-adamw": {
      // facebookresearch/schedule_free v1.4: gradients at y; z ← z − lr·g (AdamW: g/d + wd·y);
      // x ← (1−c)x + c·z; y ← βx + (1−β)z. The run's variable holds y.
      const [z, x] = s;
      let dir: tf.Tensor = g;
      if (k === "schedulefree-adamw") {
        const vv = s[2];
        vv.assign(tf.add(tf.mul(0.999, vv), tf.mul(0.001, tf.square(g))));
        const d = tf.add(tf.sqrt(tf.div(vv, 1 - 0.999 ** o.t)), 1e-8);
        dir = tf.add(tf.div(g, d), tf.mul(T.wd, v));
      }
      z.assign(tf.sub(z, tf.mul(T.lr, dir)));
      x.assign(tf.add(tf.mul(tf.sub(1, T.c), x), tf.mul(T.c, z)));
      return tf.add(tf.mul(T.beta1, x), tf.mul(tf.sub(1, T.beta1), z));
    }
    case "delta-bar-delta": {
      // Jacobs 1988: ε += κ if δ̄·δ > 0, −φ·ε if < 0; w −= ε·δ; δ̄ = (1−θ)δ + θδ̄.
      const [eps, dbar] = s;
      const agree = tf.mul(dbar, g);
      const inc = tf.mul(tf.cast(tf.greater(agree, 0), "float32"), T.kappa);
      const dec = tf.mul(tf.cast(tf.less(agree, 0), "float32"), tf.mul(T.phi, eps));
      eps.assign(tf.add(eps, tf.sub(inc, dec)));
      dbar.assign(tf.add(tf.mul(tf.sub(1, T.theta), g), tf.mul(T.theta, dbar)));
      // The run's LR scales the per-weight rates, so a scheduler can still steer them.
      return tf.sub(v, tf.mul(tf.mul(eps, T.lrRel), g));
    }
    case "adadelta": {
      // torch.optim.Adadelta: E[g²] ← ρE + (1−ρ)g²; Δ = √(E[Δ²]+ε)/√(E[g²]+ε)·g; E[Δ²] ← ρE + (1−ρ)Δ²; w −= lr·Δ.
      const [sq, acc] = s;
      sq.assign(tf.add(tf.mul(T.theta, sq), tf.mul(tf.sub(1, T.theta), tf.square(g))));
      const delta = tf.mul(tf.div(tf.sqrt(tf.add(acc, T.kappa)), tf.sqrt(tf.add(sq, T.kappa))), g);
      acc.assign(tf.add(tf.mul(T.theta, acc), tf.mul(tf.sub(1, T.theta), tf.square(delta))));
      return tf.sub(v, tf.mul(T.lr, delta));
    }
  }
}

/** One update of every run (per-run LR, momentum/β₁, weight decay...). */
export function applyUpdate(
  o: StackedOptimizer,
  vars: tf.Variable[],
  grads: tf.Tensor[],
  h: StepHyper,
  baseLr: number,
): void {
  o.t += 1;
  tf.tidy(() => {
    const rel = new Float32Array(h.lr.length);
    for (let r = 0; r < rel.length; r++) rel[r] = baseLr > 0 ? h.lr[r] / baseLr : 0;
    const T = {
      lr: col(h.lr),
      beta1: col(h.beta1),
      wd: col(h.weightDecay),
      c: col(h.sfC),
      kappa: col(h.dbdKappa),
      phi: col(h.dbdPhi),
      theta: col(h.dbdTheta),
      lrRel: col(rel),
    };
    vars.forEach((v, i) => {
      let next = update(o.kinds[0], o, i, v, grads[i], h, T);
      // tf.where, not a masked sum: a NaN in another kind's unused candidate must not leak into this run.
      for (const k of o.kinds.slice(1))
        next = tf.where(tf.broadcastTo(o.masks.get(k)!, v.shape), update(k, o, i, v, grads[i], h, T), next);
      v.assign(next);
    });
  });
}

/** Whether a kind is schedule-free (its slots hold z and x; the run's variable holds y). */
export const isScheduleFree = (k: OptimizerKind) => k === "schedulefree-sgd" || k === "schedulefree-adamw";

/**
 * Schedule-free runs' z or x, stacked like the variables: for each parameter, the schedule-free runs' slot and
 * every other run's own weights (call inside tf.tidy). Null when no run is schedule-free.
 */
export function sfPoint(
  o: StackedOptimizer,
  vars: readonly tf.Tensor[],
  which: "z" | "x",
): tf.Tensor[] | null {
  const kinds = o.kinds.filter(isScheduleFree);
  if (!kinds.length) return null;
  const slot = which === "z" ? 0 : 1;
  return vars.map((v, i) => {
    let out: tf.Tensor = v;
    for (const k of kinds) {
      const s = o.slots.get(k)![i][slot];
      const m = o.masks.get(k);
      out = m ? tf.where(tf.broadcastTo(m, v.shape), s, out) : s;
    }
    return out;
  });
}

export function disposeOptimizer(o: StackedOptimizer): void {
  for (const s of o.slots.values()) for (const p of s) for (const v of p) v.dispose();
  for (const m of o.masks.values()) m.dispose();
}
