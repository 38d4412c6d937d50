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
  "vsgd",
  "sdlm",
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
  vsgd: 6, // ḡ, v̄, h̄, v̄ʰ, τ, η
  sdlm: 2, // ⟨h⟩, η
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

/** Per-run values as an [R, 1, 1] column that broadcasts over each run's slice of a stacked tensor. */
export const col = (a: ArrayLike<number>) => tf.tensor3d(Float32Array.from(a), [a.length, 1, 1]);

/**
 * Schedule-free AdamW's second moment after gradient g, and the denominator D = √(v/(1 − β₂^k)) + ε it gives at
 * step k (call inside tf.tidy): the update and the Adam Polyak step's Σ g²/D read the same D.
 */
function sfAdamMoment(v: tf.Tensor, g: tf.Tensor, k: number): { v: tf.Tensor; d: tf.Tensor } {
  const next = tf.add(tf.mul(0.999, v), tf.mul(0.001, tf.square(g)));
  return { v: next, d: tf.add(tf.sqrt(tf.div(next, 1 - 0.999 ** k)), 1e-8) };
}

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
        const m = sfAdamMoment(s[2], g, o.t);
        s[2].assign(m.v);
        dir = tf.add(tf.div(g, m.d), tf.mul(T.wd, v));
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
    case "vsgd":
    case "sdlm":
      // The per-weight LRs were set from this step's gradient and curvature (perWeightEta); a stopped run
      // (LR 0) does not move.
      return tf.sub(v, tf.mul(T.on, tf.mul(s[s.length - 1], g)));
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
      on: col(h.lr.map((x) => (x > 0 ? 1 : 0))),
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

/**
 * Schedule-free AdamW's squared gradient norm in its preconditioner's metric, Σ g²/D with D = √(v/(1 − β₂^k)) + ε
 * and v already moved by this g, as the step about to be taken will compute it (call inside tf.tidy; [R]). The
 * schedule-free Polyak step for Adam divides by it. Null when no run trains with schedule-free AdamW.
 */
export function sfAdamNormSq(o: StackedOptimizer, grads: readonly tf.Tensor[]): tf.Tensor1D | null {
  const slots = o.slots.get("schedulefree-adamw");
  if (!slots) return null;
  return tf.addN(
    grads.map((g, i) => tf.sum(tf.div(tf.square(g), sfAdamMoment(slots[i][2], g, o.t + 1).d), [1, 2])),
  ) as tf.Tensor1D;
}

export function disposeOptimizer(o: StackedOptimizer): void {
  for (const s of o.slots.values()) for (const p of s) for (const v of p) v.dispose();
  for (const m of o.masks.values()) m.dispose();
}

/** Kinds whose per-weight LRs come from a curvature estimate computed each step (perWeightEta). */
export const PER_WEIGHT_KINDS: readonly OptimizerKind[] = ["vsgd", "sdlm"];

/** Per-run settings of the curvature-driven per-weight methods ([R] arrays; unused entries are ignored). */
export interface PerWeightHyper {
  /** vSGD: ε, slow-start constant, outlier level (its test is off where `outlier` is 0), fd variant (1/0). */
  eps: Float32Array;
  slow: Float32Array;
  level: Float32Array;
  outlier: Float32Array;
  fd: Float32Array;
  /** SDLM: the global ε (the run's base LR), μ and the averaging rate γ. */
  lr: Float32Array;
  mu: Float32Array;
  gamma: Float32Array;
}

/**
 * vSGD's finite-difference direction v = ḡ + ε (the step's own gradient + ε on a run's first step), for
 * every parameter; runs of other kinds get their gradient + ε (ignored).
 */
export function vsgdDirection(
  o: StackedOptimizer,
  grads: readonly tf.Tensor[],
  first: Float32Array,
  eps: Float32Array,
) {
  const slots = o.slots.get("vsgd");
  const f = tf.tensor3d(first, [first.length, 1, 1]);
  const e = col(eps);
  return grads.map((g, i) =>
    tf.add(slots ? tf.where(tf.broadcastTo(tf.cast(f, "bool"), g.shape), g, slots[i][0]) : g, e),
  );
}

/**
 * One step of the per-weight statistics from this step's gradient g and curvature estimate h ≥ 0 (call inside
 * tf.tidy): vSGD's running averages and memory τ (engine/vsgd.ts with each mini-batch gradient as one sample,
 * b = 1), SDLM's ⟨h⟩ ← (1 − γ)⟨h⟩ + γh and η = ε/(⟨h⟩ + μ). `first` marks a run's first step, which
 * initialises instead (vSGD's slow start on that batch; SDLM's ⟨h⟩ = h). Sets each kind's η slot and returns
 * η per parameter (runs of other kinds: 0).
 */
export function perWeightEta(
  o: StackedOptimizer,
  grads: readonly tf.Tensor[],
  curv: readonly tf.Tensor[],
  h: PerWeightHyper,
  first: Float32Array,
): tf.Tensor[] {
  const isFirst = tf.cast(tf.tensor3d(first, [first.length, 1, 1]), "bool");
  const out = grads.map((g) => tf.zerosLike(g));
  for (const k of PER_WEIGHT_KINDS) {
    const slots = o.slots.get(k);
    if (!slots) continue;
    const m = o.masks.get(k);
    grads.forEach((g, i) => {
      const s = slots[i];
      const F = tf.broadcastTo(isFirst, g.shape);
      const hc = curv[i];
      let eta: tf.Tensor;
      if (k === "vsgd") {
        const [gbar, vbar, hbar, vhbar, tau] = s;
        const eps = col(h.eps);
        const fd = tf.cast(tf.broadcastTo(col(h.fd), g.shape), "bool");
        // The slow start on this batch: ḡ = g, v̄ = (g² + ε)·slow, h̄ = h (v̄ʰ = h²), τ = 2(1 + ε).
        const g0 = g;
        const v0 = tf.mul(tf.add(tf.square(g), eps), col(h.slow));
        const tau0 = tf.mul(tf.add(1, eps), 2);
        // Otherwise one update: the outlier test first (it raises τ by 1), then the averages with 1/τ.
        const lvl2 = tf.square(col(h.level));
        let out1 = tf.greater(tf.square(tf.sub(g, gbar)), tf.mul(lvl2, tf.sub(vbar, tf.square(gbar))));
        out1 = tf.logicalOr(
          out1,
          tf.logicalAnd(
            fd,
            tf.greater(tf.square(tf.sub(hc, hbar)), tf.mul(lvl2, tf.sub(vhbar, tf.square(hbar)))),
          ),
        );
        out1 = tf.logicalAnd(out1, tf.cast(tf.broadcastTo(col(h.outlier), g.shape), "bool"));
        const tauO = tf.add(tau, tf.cast(out1, "float32"));
        const fract = tf.div(1, tauO);
        const keep = tf.sub(1, fract);
        const g1 = tf.add(tf.mul(gbar, keep), tf.mul(fract, g));
        const v1 = tf.add(tf.mul(vbar, keep), tf.add(tf.mul(fract, tf.square(g)), eps));
        const h1 = tf.add(tf.mul(hbar, keep), tf.mul(fract, hc));
        const vh1 = tf.add(tf.mul(vhbar, keep), tf.mul(fract, tf.square(hc)));
        const G = tf.where(F, g0, g1);
        const V = tf.where(F, v0, v1);
        const H = tf.where(F, hc, h1);
        const VH = tf.where(F, tf.square(hc), vh1);
        const vpart = tf.div(tf.square(G), V);
        const T1 = tf.add(tf.mul(tauO, tf.sub(1, vpart)), tf.add(1, eps));
        const T = tf.where(F, tf.broadcastTo(tau0, g.shape), T1);
        eta = tf.where(
          fd,
          tf.mul(vpart, tf.div(tf.add(H, eps), tf.add(VH, eps))),
          tf.div(vpart, tf.add(H, eps)),
        );
        gbar.assign(G);
        vbar.assign(V);
        hbar.assign(H);
        vhbar.assign(VH);
        tau.assign(T);
      } else {
        const gm = col(h.gamma);
        const avg = tf.where(F, hc, tf.add(tf.mul(tf.sub(1, gm), s[0]), tf.mul(gm, hc)));
        s[0].assign(avg);
        eta = tf.div(col(h.lr), tf.add(avg, col(h.mu)));
      }
      s[s.length - 1].assign(eta);
      out[i] = m ? tf.where(tf.broadcastTo(m, g.shape), eta, out[i]) : eta;
    });
  }
  return out;
}

/**
 * What the page shows of the per-weight LRs (call inside tf.tidy): the 10%, 50% and 90% points of each run's
 * η_i (over every weight, or an evenly spaced sample of 2048 when the model has more), and for vSGD runs τ,
 * ḡ², v̄ and h̄ of three weights (the first, middle and last of the flattened parameters).
 */
export function perWeightSummary(
  o: StackedOptimizer,
  eta: readonly tf.Tensor[],
): { quantiles: tf.Tensor1D[]; stats: tf.Tensor1D[] } {
  const R = o.perRun.length;
  const flat = (ts: readonly tf.Tensor[]) =>
    tf.concat(
      ts.map((t) => tf.reshape(t, [R, -1])),
      1,
    ) as tf.Tensor2D;
  let all = flat(eta);
  const N = all.shape[1];
  const MAX = 2048;
  if (N > MAX)
    all = tf.gather(
      all,
      tf.tensor1d(
        Array.from({ length: MAX }, (_, k) => Math.round((k * (N - 1)) / (MAX - 1))),
        "int32",
      ),
      1,
    );
  const n = all.shape[1];
  const sorted = tf.neg(tf.topk(tf.neg(all), n).values);
  const at = (q: number) => {
    const x = q * (n - 1);
    const lo = Math.floor(x);
    const hi = Math.ceil(x);
    const pick = (k: number) => tf.reshape(tf.slice(sorted, [0, k], [R, 1]), [R]);
    return (lo === hi ? pick(lo) : tf.add(tf.mul(pick(lo), hi - x), tf.mul(pick(hi), x - lo))) as tf.Tensor1D;
  };
  const quantiles = [at(0.1), at(0.5), at(0.9)];
  const stats: tf.Tensor1D[] = [];
  const v = o.slots.get("vsgd");
  if (v) {
    const cols = [0, Math.floor((N - 1) / 2), N - 1];
    const [gbar, vbar, hbar, , tau] = [0, 1, 2, 3, 4].map((j) => flat(v.map((s) => s[j])));
    for (const c of cols)
      for (const t of [tau, tf.square(gbar), vbar, hbar])
        stats.push(tf.reshape(tf.slice(t, [0, c], [R, 1]), [R]) as tf.Tensor1D);
  }
  return { quantiles, stats };
}
