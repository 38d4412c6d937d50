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

/**
 * vSGD as a self-contained `torch.optim.Optimizer` (PyTorch 1.13 and 2.x), the same arithmetic as above.
 * vSGD needs what plain SGD does not: per-sample gradients (for the mean of g²) and per-sample curvatures
 * (|h_ii| for vSGD; for vSGDfd a second gradient at θ + v). `per_sample_grads` computes the former with autograd
 * (one backward per sample: simple and portable, not fast).
 */
export const VSGD_PYTHON = `def _mean0(t):
    """Mean over the samples (dim 0), rows added in order as numpy's mean(axis=0) does. torch.mean sums in
    another order; on a problem whose curvature estimates are all equal, vSGDfd's outlier test compares a
    variance of 0 up to rounding, so the order decides the outcome."""
    acc = t[0].clone()
    for row in t[1:]:
        acc += row
    return acc / t.shape[0]


def per_sample_grads(params, loss_fn, samples):
    """[N, *shape] per-sample gradients of loss_fn(sample) for every parameter (one backward per sample)."""
    rows = [torch.autograd.grad(loss_fn(s), params) for s in samples]
    return [torch.stack([r[i] for r in rows]) for i in range(len(params))]


class VSGD(torch.optim.Optimizer):
    """vSGD: one adaptive LR per weight, "No more pesky learning rates" (Schaul, Zhang & LeCun 2013), as the
    authors' schaul/py-optim vsgd.py computes it. variant: 'vSGD', 'vSGD_original' (no outlier test) or
    'vSGDfd' (finite-difference curvature). Call slow_start(grads, curvatures) once with init_samples * batch_size
    per-sample gradients at the start point, then step(grads, curvatures) with each mini-batch's per-sample
    gradients ([batch, *shape] per parameter) and curvatures (vSGD: |h_ii| per sample; vSGDfd:
    fd_curvature(grads, grads_at_shifted, direction) with direction = fd_direction(...), the gradients taken at
    params + direction on the same samples)."""

    def __init__(self, params, variant="vSGD", batch_size=1, init_samples=10, slow_constant=2.0, epsilon=1e-9,
                 outlier_level=1.0):
        if variant not in ("vSGD", "vSGD_original", "vSGDfd"):
            raise ValueError("variant must be 'vSGD', 'vSGD_original' or 'vSGDfd'")
        if variant == "vSGD_original":
            outlier_level = None
        super().__init__(params, dict(lr=0.0))
        self.variant, self.batch_size, self.init_samples = variant, int(batch_size), int(init_samples)
        self.slow_constant, self.epsilon, self.outlier_level = float(slow_constant), float(epsilon), outlier_level
        self.started = False

    def _params(self):
        return [p for group in self.param_groups for p in group["params"]]

    @torch.no_grad()
    def slow_start(self, grads=None, curvatures=None):
        """Statistics from the slow start's samples (or, with init_samples 0, the authors' small start)."""
        eps, fd = self.epsilon, self.variant == "vSGDfd"
        for i, p in enumerate(self._params()):
            st = self.state[p]
            if self.init_samples > 0:
                g, h = grads[i], curvatures[i]
                st["gbar"] = _mean0(g)
                st["vbar"] = (_mean0(g ** 2) + eps) * self.slow_constant
                st["hbar"] = _mean0(h)
                if fd:
                    st["vhbar"] = _mean0(h ** 2)
            else:
                st["gbar"] = torch.zeros_like(p)
                st["vbar"] = torch.full_like(p, eps)
                st["hbar"] = torch.zeros_like(p) if fd else torch.ones_like(p)
                if fd:
                    st["vhbar"] = torch.full_like(p, eps)
            st["vpart"] = st["gbar"] ** 2 / st["vbar"]
            st["taus"] = torch.full_like(p, (1 + eps) * 2)
            if fd:
                st["hpart"] = (st["hbar"] + eps) / (st["vhbar"] + eps)
        self.started = True

    def fd_direction(self, grads=None):
        """vSGDfd's finite-difference step v per parameter: gbar + eps (before the slow start: the mean of the
        slow start's per-sample gradients + eps)."""
        if not self.started:
            return [_mean0(g) + self.epsilon for g in grads]
        return [self.state[p]["gbar"] + self.epsilon for p in self._params()]

    @staticmethod
    def fd_curvature(grads, shifted, direction):
        """|(g(theta) - g(theta + v)) / v| per sample and parameter."""
        return [((g - s) / v).abs() for g, s, v in zip(grads, shifted, direction)]

    def learning_rates(self):
        """The per-weight LRs eta_i in effect, one tensor per parameter."""
        out = []
        for p in self._params():
            st = self.state[p]
            out.append(st["vpart"] * st["hpart"] if self.variant == "vSGDfd" else st["vpart"] / (st["hbar"] + self.epsilon))
        return out

    @torch.no_grad()
    def step(self, grads, curvatures):
        if not self.started:
            raise RuntimeError("call slow_start(...) before the first step")
        eps, b, fd = self.epsilon, self.batch_size, self.variant == "vSGDfd"
        for i, p in enumerate(self._params()):
            st, g_all, h_all = self.state[p], grads[i], curvatures[i]
            g, hs = _mean0(g_all), _mean0(h_all)
            if self.outlier_level is not None:
                lvl2 = self.outlier_level ** 2
                out = (g - st["gbar"]) ** 2 > lvl2 * ((st["vbar"] - st["gbar"] ** 2) / b)
                if fd:
                    out = out | ((hs - st["hbar"]) ** 2 > lvl2 * ((st["vhbar"] - st["hbar"] ** 2) / b))
                st["taus"] += out.to(p.dtype)
            fract = 1.0 / st["taus"]
            st["gbar"] = st["gbar"] * (1 - fract) + fract * g
            st["vbar"] = st["vbar"] * (1 - fract) + (fract * _mean0(g_all ** 2) + eps)
            st["hbar"] = st["hbar"] * (1 - fract) + fract * hs
            gb2 = st["gbar"] ** 2
            st["vpart"] = gb2 / ((1.0 / b) * st["vbar"] + ((b - 1.0) / b) * gb2) if b > 1 else gb2 / st["vbar"]
            st["taus"] = st["taus"] * (1 - st["vpart"]) + (1 + eps)
            if fd:
                st["vhbar"] = st["vhbar"] * (1 - fract) + fract * _mean0(h_all ** 2)
                st["hpart"] = (st["hbar"] + eps) / (st["vhbar"] + eps)
            lr = st["vpart"] * st["hpart"] if fd else st["vpart"] / (st["hbar"] + eps)
            p.sub_(lr * g)`;
