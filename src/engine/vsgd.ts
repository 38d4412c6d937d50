/**
 * vSGD — "No more pesky learning rates" (Schaul, Zhang & LeCun 2013), exactly as the authors' code computes it
 * (schaul/py-optim `PyOptim/algorithms/vsgd.py` with `PyOptim/core/gradientalgos.py`): one LR per weight,
 *   η_i = (ḡ_i² / v̄_i) / (h̄_i + ε)        (vSGD, vSGD_original: bbprop curvature |h_ii|)
 *   η_i = (ḡ_i² / v̄_i) · (h̄_i + ε)/(v̄ʰ_i + ε)   (vSGDfd: finite-difference curvature)
 * with running averages ḡ, v̄ (of g²), h̄ (and v̄ʰ, of h²) whose memory τ_i adapts: τ ← (1 − ḡ²/v̄)·τ + 1 + ε.
 *
 * The details of the authors' code, matched:
 * - a slow start: `init_samples · batch_size` samples at θ₀ set ḡ, v̄ = (mean g² + ε)·slow_constant and h̄ (and
 *   v̄ʰ), they count as `init_samples` updates, and τ starts at 2(1 + ε);
 * - every step adds ε to v̄ after averaging; with a mini-batch (b > 1) the variance part is
 *   ḡ²/(v̄/b + (b − 1)/b·ḡ²);
 * - the outlier test (vSGD, vSGDfd; not vSGD_original) compares the mini-batch *mean* gradient with ḡ against
 *   `outlier_level² · (v̄ − ḡ²)/b`, before the averages move, and adds 1 to τ_i where it fires; vSGDfd also tests
 *   the curvature against (v̄ʰ − h̄²)/b;
 * - vSGDfd's curvature is |(g(θ) − g(θ + v)) / v| on the same samples, with v = ḡ + ε (during the slow start the
 *   slow start's mean gradient + ε): a finite difference along ḡ itself, not along a random direction, so a
 *   weight whose ḡ is near 0 gets a difference step near ε. (An earlier revision of the same file divided the
 *   absolute difference by the signed v, which gives negative curvatures; the goldens' revision does not.)
 *
 * Pure float64 on plain arrays: the reference for the trainer's tfjs vSGD and the exported optimizer.
 */

import { hutchinsonProbe, perWeightSpec } from "./optimizerSide";

export type VsgdVariant = "vSGD" | "vSGD_original" | "vSGDfd";
export const VSGD_VARIANTS: readonly VsgdVariant[] = ["vSGD", "vSGD_original", "vSGDfd"];

export interface VsgdParams {
  batch_size: number;
  init_samples: number;
  slow_constant: number;
  epsilon: number;
  /** null: no outlier test (vSGD_original). */
  outlier_level: number | null;
}

/** The per-weight statistics: JSON. */
export interface VsgdState {
  gbar: number[];
  vbar: number[];
  hbar: number[];
  /** vSGDfd only: running mean of the squared curvature. */
  vhbar?: number[];
  taus: number[];
  /** The variance part ḡ²/v̄ (mini-batch form) and, for vSGDfd, the curvature part. */
  vpart: number[];
  hpart?: number[];
  updates: number;
}

/** Column means of rows (numpy `mean(rows, axis=0)`: rows added in order, then divided). */
export function colMean(rows: readonly (readonly number[])[], f: (x: number) => number = (x) => x): number[] {
  const d = rows[0].length;
  const m = new Array<number>(d).fill(0);
  for (const r of rows) for (let i = 0; i < d; i++) m[i] += f(r[i]);
  for (let i = 0; i < d; i++) m[i] /= rows.length;
  return m;
}

const sq = (x: number) => x * x;

/**
 * The slow start from per-sample gradients and curvatures at θ₀ (`init_samples · batch_size` rows).
 * With `init_samples` 0 the authors' "start small" branch: ḡ = 0, v̄ = ε, h̄ = 1 (vSGDfd: h̄ = 0, v̄ʰ = ε).
 */
export function vsgdInit(
  variant: VsgdVariant,
  p: VsgdParams,
  grads: readonly (readonly number[])[],
  hess: readonly (readonly number[])[],
  d: number,
): VsgdState {
  const eps = p.epsilon;
  let gbar: number[];
  let vbar: number[];
  let hbar: number[];
  if (p.init_samples > 0) {
    gbar = colMean(grads);
    vbar = colMean(grads, sq).map((v) => (v + eps) * p.slow_constant);
    hbar = colMean(hess);
  } else {
    gbar = new Array(d).fill(0);
    vbar = new Array(d).fill(eps);
    hbar = new Array(d).fill(1);
  }
  const s: VsgdState = {
    gbar,
    vbar,
    hbar,
    vpart: gbar.map((g, i) => sq(g) / vbar[i]),
    taus: new Array(d).fill((1 + eps) * 2),
    updates: p.init_samples,
  };
  if (variant === "vSGDfd") {
    if (p.init_samples > 0) s.vhbar = colMean(hess, sq);
    else {
      s.hbar = new Array(d).fill(0);
      s.vhbar = new Array(d).fill(eps);
    }
    s.hpart = s.hbar.map((h, i) => (h + eps) / ((s.vhbar as number[])[i] + eps));
  }
  return s;
}

/** The direction of vSGDfd's finite difference: the slow start's mean gradient + ε first, then ḡ + ε. */
export function vsgdFdDirection(s: VsgdState | null, meanGrad: readonly number[], eps: number): number[] {
  return (s ? s.gbar : meanGrad).map((g) => g + eps);
}

/** vSGDfd's curvature per sample: |(g(θ) − g(θ + v)) / v|. */
export const fdCurvature = (g: readonly number[], gv: readonly number[], v: readonly number[]): number[] =>
  g.map((x, i) => Math.abs((x - gv[i]) / v[i]));

/** Moves the statistics with one mini-batch's per-sample gradients and curvatures (in place). */
export function vsgdStatistics(
  variant: VsgdVariant,
  p: VsgdParams,
  s: VsgdState,
  grads: readonly (readonly number[])[],
  hess: readonly (readonly number[])[],
): void {
  const eps = p.epsilon;
  const b = p.batch_size;
  const d = s.gbar.length;
  const g = colMean(grads);
  const hs = colMean(hess);
  if (p.outlier_level !== null && variant !== "vSGD_original") {
    const lvl2 = sq(p.outlier_level);
    for (let i = 0; i < d; i++) {
      let out = sq(g[i] - s.gbar[i]) > lvl2 * ((s.vbar[i] - sq(s.gbar[i])) / b);
      if (variant === "vSGDfd") {
        const vh = s.vhbar as number[];
        out = out || sq(hs[i] - s.hbar[i]) > lvl2 * ((vh[i] - sq(s.hbar[i])) / b);
      }
      if (out) s.taus[i] += 1;
    }
  }
  const g2 = colMean(grads, sq);
  const h2 = variant === "vSGDfd" ? colMean(hess, sq) : null;
  for (let i = 0; i < d; i++) {
    const fract = 1 / s.taus[i];
    s.gbar[i] = s.gbar[i] * (1 - fract) + fract * g[i];
    s.vbar[i] = s.vbar[i] * (1 - fract) + (fract * g2[i] + eps);
    s.hbar[i] = s.hbar[i] * (1 - fract) + fract * hs[i];
    s.vpart[i] =
      b > 1
        ? sq(s.gbar[i]) / ((1 / b) * s.vbar[i] + ((b - 1) / b) * sq(s.gbar[i]))
        : sq(s.gbar[i]) / s.vbar[i];
    s.taus[i] = s.taus[i] * (1 - s.vpart[i]) + (1 + eps);
    if (h2) {
      const vh = s.vhbar as number[];
      const hp = s.hpart as number[];
      vh[i] = vh[i] * (1 - fract) + fract * h2[i];
      hp[i] = (s.hbar[i] + eps) / (vh[i] + eps);
    }
  }
  s.updates += 1;
}

/** The per-weight LR η_i of the current statistics. */
export function vsgdLr(variant: VsgdVariant, p: VsgdParams, s: VsgdState): number[] {
  if (variant === "vSGDfd") return s.vpart.map((v, i) => v * (s.hpart as number[])[i]);
  return s.vpart.map((v, i) => v / (s.hbar[i] + p.epsilon));
}

// ---- the golden case runner: a separable noisy quadratic ----

export interface VsgdCase {
  id?: string;
  variant: VsgdVariant;
  params: Partial<VsgdParams>;
  h: number[];
  theta0: number[];
  samples: number[][];
  /** Steps to run; defaults to as many as the samples allow after the slow start. */
  steps?: number;
}

export interface VsgdResult {
  lr: number[][];
  theta: number[][];
  tau: number[][];
}

export class VsgdCaseError extends Error {}

const finiteList = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x));

export const VSGD_DEFAULTS: VsgdParams = {
  batch_size: 1,
  init_samples: 10,
  slow_constant: 2,
  epsilon: 1e-9,
  outlier_level: 1,
};

/** Validates vSGD parameters (the variant decides the default outlier test); throws naming the field. */
export function parseVsgdParams(variant: VsgdVariant, raw: unknown): VsgdParams {
  if (raw !== undefined && (raw === null || typeof raw !== "object" || Array.isArray(raw)))
    throw new VsgdCaseError('"params" must be an object');
  const r = (raw ?? {}) as Record<string, unknown>;
  const p: VsgdParams = {
    ...VSGD_DEFAULTS,
    outlier_level: variant === "vSGD_original" ? null : 1,
  };
  for (const k of ["batch_size", "init_samples"] as const)
    if (r[k] !== undefined) {
      if (!Number.isInteger(r[k]) || (r[k] as number) < (k === "batch_size" ? 1 : 0))
        throw new VsgdCaseError(`"params.${k}" must be an integer ≥ ${k === "batch_size" ? 1 : 0}`);
      p[k] = r[k] as number;
    }
  for (const k of ["slow_constant", "epsilon"] as const)
    if (r[k] !== undefined) {
      if (typeof r[k] !== "number" || !((r[k] as number) > 0) || !Number.isFinite(r[k]))
        throw new VsgdCaseError(`"params.${k}" must be a finite number > 0`);
      p[k] = r[k] as number;
    }
  if (r.outlier_level !== undefined) {
    if (r.outlier_level !== null && (typeof r.outlier_level !== "number" || !(r.outlier_level >= 0)))
      throw new VsgdCaseError('"params.outlier_level" must be a number ≥ 0, or null for no outlier test');
    p.outlier_level = r.outlier_level as number | null;
  }
  if (variant === "vSGD_original") p.outlier_level = null;
  return p;
}

/** Runs a case of `vsgd.json` (without its expected fields) in float64. */
export function runVsgdCase(c: VsgdCase): VsgdResult {
  if (!VSGD_VARIANTS.includes(c.variant))
    throw new VsgdCaseError(`"variant" must be one of ${VSGD_VARIANTS.map((v) => `"${v}"`).join(", ")}`);
  const p = parseVsgdParams(c.variant, c.params);
  if (!finiteList(c.theta0) || c.theta0.length === 0)
    throw new VsgdCaseError('"theta0" must be a non-empty list of finite numbers');
  const d = c.theta0.length;
  if (!finiteList(c.h) || c.h.length !== d)
    throw new VsgdCaseError(`"h" must be a list of ${d} finite curvatures (theta0's length)`);
  if (!Array.isArray(c.samples) || !c.samples.every((r) => finiteList(r) && r.length === d))
    throw new VsgdCaseError(`"samples" must be a list of rows of ${d} finite numbers`);
  const first = p.init_samples * p.batch_size;
  const available = Math.floor(Math.max(0, c.samples.length - first) / p.batch_size);
  if (c.samples.length < first)
    throw new VsgdCaseError(`"samples" must hold at least init_samples · batch_size = ${first} rows`);
  const steps = c.steps ?? available;
  if (!Number.isInteger(steps) || steps < 0 || steps > available)
    throw new VsgdCaseError(
      `"steps" (${steps}) must be an integer ≤ ${available}, the steps "samples" allow`,
    );

  const theta = [...c.theta0];
  const gradAt = (th: readonly number[], rows: readonly number[][]) =>
    rows.map((r) => r.map((cj, i) => c.h[i] * (th[i] - cj)));
  const curv = (th: readonly number[], rows: number[][], grads: number[][], s: VsgdState | null) => {
    if (c.variant !== "vSGDfd") return rows.map(() => c.h.map(Math.abs));
    const v = vsgdFdDirection(s, colMean(grads), p.epsilon);
    const gv = gradAt(
      th.map((x, i) => x + v[i]),
      rows,
    );
    return grads.map((g, j) => fdCurvature(g, gv[j], v));
  };
  let s: VsgdState;
  if (p.init_samples > 0) {
    const rows = c.samples.slice(0, first);
    const grads = gradAt(theta, rows);
    s = vsgdInit(c.variant, p, grads, curv(theta, rows, grads, null), d);
  } else s = vsgdInit(c.variant, p, [], [], d);

  const out: VsgdResult = { lr: [], theta: [], tau: [] };
  for (let t = 0; t < steps; t++) {
    const rows = c.samples.slice(first + t * p.batch_size, first + (t + 1) * p.batch_size);
    const grads = gradAt(theta, rows);
    const hess = curv(theta, rows, grads, s);
    vsgdStatistics(c.variant, p, s, grads, hess);
    const lr = vsgdLr(c.variant, p, s);
    const g = colMean(grads);
    for (let i = 0; i < d; i++) theta[i] -= lr[i] * g[i];
    out.lr.push(lr);
    out.theta.push([...theta]);
    out.tau.push([...s.taus]);
  }
  return out;
}

// ---- the registry's vSGD: the trainer's optimizer, with these parameters ----

/**
 * vSGD as a run's method. In the trainer each mini-batch gradient is one sample of the authors' formulas (b = 1:
 * v̄ is then the variance of the gradient the step actually uses), the slow start takes the run's first
 * mini-batch (no extra data, so every run still sees the same batches), and the curvature is vSGDfd's finite
 * difference along ḡ + ε, or for vSGD and vSGD_original a Hutchinson estimate |z ⊙ Hz| standing in for bbprop.
 */
export const VSGD = perWeightSpec({
  id: "vSGD",
  label: "vSGD (no more pesky learning rates)",
  description:
    "Each weight's LR from its own statistics: η_i = (ḡ_i²/v̄_i)/h̄_i, the signal share of the gradient over the curvature, with a memory τ_i that shortens when the gradient changes. No LR to tune: the base LR is not used.",
  reference:
    "Schaul, Zhang & LeCun 2013, as schaul/py-optim computes it (the engine matches its runs at 1e-9; the trainer treats each mini-batch gradient as one sample)",
  python: { kind: "rule" },
  optimizer: "vsgd",
  example: () => ({}),
  formula: (v) => {
    const { p, eta } = v;
    return {
      rule:
        p.variant === "vSGDfd"
          ? String.raw`\eta_i = \frac{\bar g_i^2}{\bar v_i}\cdot\frac{\bar h_i + \epsilon}{\bar v^h_i + \epsilon},\quad \tau_i \leftarrow \Big(1 - \frac{\bar g_i^2}{\bar v_i}\Big)\tau_i + 1`
          : String.raw`\eta_i = \frac{\bar g_i^2}{\bar v_i\,(\bar h_i + \epsilon)},\quad \tau_i \leftarrow \Big(1 - \frac{\bar g_i^2}{\bar v_i}\Big)\tau_i + 1`,
      now: String.raw`\text{median}\ \eta_i = ${eta},\ \text{variant} = \text{${String(p.variant).replace(/_/g, "\\_")}}`,
    };
  },
  params: [
    {
      key: "variant",
      label: "variant",
      type: "enum",
      default: "vSGD",
      options: [...VSGD_VARIANTS],
      help: "vSGD: with the outlier test; vSGD_original: without it; vSGDfd: curvature from a finite difference along ḡ.",
    },
    {
      key: "slow_constant",
      label: "slow start",
      type: "number",
      default: 2,
      min: 1,
      uiMax: 10,
      step: 0.5,
      help: "The first v̄ is (g² + ε) times this: the first steps are this much more cautious.",
    },
    {
      key: "outlier_level",
      label: "outlier level",
      type: "number",
      default: 1,
      nullable: true,
      min: 0,
      uiMax: 5,
      step: 0.5,
      help: "A gradient (vSGDfd: or curvature) further than this many standard deviations from its average lengthens the memory τ by 1. Empty: no test (vSGD_original never tests).",
    },
    {
      key: "epsilon",
      label: "ε",
      type: "number",
      default: 1e-9,
      min: 0,
      minExclusive: true,
      scale: "log",
      uiMin: 1e-12,
      uiMax: 1e-3,
      help: "Added to v̄ every step and to the curvature (the authors' 1e-9).",
    },
    hutchinsonProbe("vSGD, vSGD_original: "),
  ],
  inspectStats: (st) =>
    ["first", "middle", "last"].map((w, k) => ({
      label: `${w} weight: τ, ḡ², v̄, h̄`,
      value: st
        .slice(4 * k, 4 * k + 4)
        .map((x) => (Number.isFinite(x) ? x.toPrecision(3) : String(x)))
        .join(", "),
    })),
});
