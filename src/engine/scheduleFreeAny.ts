/**
 * Schedule-free SGD driven by any LR schedule, and the schedule-free Polyak step — the seed paper
 * "Schedulers for Schedule-free" (Pun, Buchholz, Gower, arXiv 2511.07767), as its co-author's optimizers
 * compute them (buchholzmd/step-back: `SGDScheduleFree`, `SGDSchedulet`, `SGDScheduleFreeSPS`).
 *
 * Three points: y (where the gradient is taken), z (the SGD sequence) and x (the average, evaluated).
 * One step with step size γ and averaging weight c, gradient g at y:
 *   y ← (1 − c)·y + c·z + γ·(β(1 − c) − 1)·g,   z ← z − γ·g,   x = y + (1 − 1/β)(z − y).
 * The averaging weight c_{t+1} = w_t / Σ_{i≤t} w_i, by mode:
 * - `reference` (facebookresearch/schedule_free): w_t = (t+1)^r · lr_max^p with lr_max the running maximum of
 *   the LRs handed in (r = 0, p = 2 in its SGD);
 * - `theory`: c = 1/(t+1) (uniform averaging);
 * - `schedulet` (the paper's rule for any schedule): w_t = γ_t;
 * - `polyak`: c = 1/(t+1) and γ_t = max(f(y) − ℓ* + ⟨g, z − y⟩, 0) / max(M, ‖g‖²); M ≤ 0 means the first
 *   ‖g‖² divides alone and becomes M.
 * Pure float64 on plain arrays: the engine's reference for the trainer's tfjs version and the exported optimizer.
 */
import { parseParams } from "./params";
import { tn } from "./tex";
import type { ParamMeta, SchedulerEvent, SchedulerSpec } from "./types";

export type SfMode = "reference" | "theory" | "schedulet" | "polyak";
export const SF_MODES: readonly SfMode[] = ["reference", "theory", "schedulet", "polyak"];

/** The averaging state: JSON. */
export interface SfAveraging {
  /** Steps taken. */
  k: number;
  weightSum: number;
  /** Running max of the LRs handed in (reference mode); −1 before the first. */
  lrMax: number;
}

export const initAveraging = (): SfAveraging => ({ k: 0, weightSum: 0, lrMax: -1 });

/**
 * c_{t+1} for the step about to be taken with step size γ, and the next averaging state.
 * `r` and `p` are the reference weights' powers ((k+1)^r · lr_max^p).
 */
export function sfAverage(
  mode: SfMode,
  a: SfAveraging,
  gamma: number,
  r = 0,
  p = 2,
): { c: number; next: SfAveraging } {
  let lrMax = a.lrMax;
  let w: number;
  if (mode === "reference") {
    lrMax = Math.max(gamma, lrMax);
    w = (a.k + 1) ** r * lrMax ** p;
  } else if (mode === "schedulet") w = gamma;
  else {
    // theory, polyak: c = 1/(t+1)
    return { c: 1 / (a.k + 1), next: { k: a.k + 1, weightSum: a.weightSum + 1, lrMax } };
  }
  const weightSum = a.weightSum + w;
  // The references catch ZeroDivisionError and use c = 0 (a zero LR so far: nothing to average).
  const c = weightSum !== 0 ? w / weightSum : 0;
  return { c, next: { k: a.k + 1, weightSum, lrMax } };
}

export interface PolyakStep {
  gamma: number;
  /** The numerator max(f(y) − ℓ* + ⟨g, z − y⟩, 0) and the denominator actually divided by. */
  numerator: number;
  denominator: number;
  /** Which side of max(M, ‖g‖²) won: "gradient" (‖g‖² ≥ M, or the first step with M ≤ 0) or "M". */
  side: "gradient" | "M";
  /** M after this step (M ≤ 0 becomes the first ‖g‖²). */
  M: number;
}

/**
 * The schedule-free Polyak step (SGDScheduleFreeSPS): from the batch loss f(y), ⟨g, z − y⟩ and ‖g‖².
 * A zero denominator (a zero gradient with M ≤ 0) gives γ = 0 where the reference would divide by zero.
 */
export function sfPolyak(loss: number, dot: number, gradSq: number, ellStar: number, M: number): PolyakStep {
  const num = Math.max(loss - ellStar + dot, 0);
  if (M <= 0) {
    const gamma = gradSq > 0 && Number.isFinite(num / gradSq) ? num / gradSq : 0;
    return { gamma, numerator: num, denominator: gradSq, side: "gradient", M: gradSq };
  }
  const side = gradSq >= M ? "gradient" : "M";
  const den = side === "gradient" ? gradSq : M;
  const gamma = Number.isFinite(num / den) ? num / den : 0;
  return { gamma, numerator: num, denominator: den, side, M };
}

/** torch.lerp's form: start + w·(end − start) for w < 0.5, else end − (end − start)·(1 − w). */
export const lerp = (start: number, end: number, w: number): number =>
  w < 0.5 ? start + w * (end - start) : end - (end - start) * (1 - w);

/** One schedule-free update of y and z in place (gradient g taken at y). */
export function sfUpdate(
  y: number[],
  z: number[],
  g: readonly number[],
  gamma: number,
  c: number,
  beta: number,
) {
  const alpha = gamma * (beta * (1 - c) - 1);
  for (let i = 0; i < y.length; i++) {
    y[i] = lerp(y[i], z[i], c) + alpha * g[i];
    z[i] = z[i] - gamma * g[i];
  }
}

/** The evaluated average x = y + (1 − 1/β)(z − y) (the references' `eval()`: y.lerp(z, 1 − 1/β)). */
export const sfX = (y: readonly number[], z: readonly number[], beta: number): number[] =>
  y.map((v, i) => lerp(v, z[i], 1 - 1 / beta));

/**
 * The paper's convex bound on f(x_T) − f*, from the run's own step sizes and gradient norms:
 * (2·c* + Σγ_i²‖g_i‖²) / (2·Σγ_i), with c* = ½‖x₀ − x*‖² (or any bound on it) — it holds for convex f only.
 */
export function sfBound(cStar: number, sumGamma: number, sumGamma2G2: number): number {
  return sumGamma > 0 ? (2 * cStar + sumGamma2G2) / (2 * sumGamma) : Number.POSITIVE_INFINITY;
}

// ---- the golden case runner: least squares, batches in order ----

export interface SfCase {
  id?: string;
  mode: SfMode;
  params?: { beta?: number; ell_star?: number; M?: number; [k: string]: unknown };
  theta0: number[];
  batch_size: number;
  A: number[][];
  b: number[];
  /** The LR handed in at each step (not for `polyak`). */
  gamma_in?: number[];
  /** Steps to run; defaults to gamma_in's length, or (polyak) the number of whole batches in A. */
  steps?: number;
}

export interface SfResult {
  gamma: number[];
  c: number[];
  loss: number[];
  y: number[][];
  z: number[][];
  x: number[][];
}

export class SfCaseError extends Error {}

const isNumList = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x));

/** Runs a case of `schedule_free_any.json` (without its expected fields) in float64. */
export function runSfCase(c: SfCase): SfResult {
  if (!SF_MODES.includes(c.mode))
    throw new SfCaseError(`"mode" must be one of ${SF_MODES.map((m) => `"${m}"`).join(", ")}`);
  if (!isNumList(c.theta0) || c.theta0.length === 0)
    throw new SfCaseError('"theta0" must be a non-empty list of finite numbers');
  const d = c.theta0.length;
  if (!Number.isInteger(c.batch_size) || c.batch_size < 1)
    throw new SfCaseError('"batch_size" must be a positive integer');
  if (!Array.isArray(c.A) || !c.A.every((r) => isNumList(r) && r.length === d))
    throw new SfCaseError(`"A" must be a list of rows of ${d} finite numbers (theta0's length)`);
  if (!isNumList(c.b) || c.b.length !== c.A.length)
    throw new SfCaseError(`"b" must be a list of ${c.A.length} finite numbers (one per row of A)`);
  const p = c.params ?? {};
  const beta = p.beta ?? 0.9;
  if (typeof beta !== "number" || !(beta > 0 && beta < 1))
    throw new SfCaseError('"params.beta" must be a number strictly between 0 and 1');
  const batches = Math.floor(c.A.length / c.batch_size);
  let steps: number;
  if (c.mode === "polyak") {
    for (const k of ["ell_star", "M"] as const)
      if (p[k] !== undefined && (typeof p[k] !== "number" || !Number.isFinite(p[k])))
        throw new SfCaseError(`"params.${k}" must be a finite number`);
    steps = c.steps ?? batches;
  } else {
    if (!isNumList(c.gamma_in) || c.gamma_in.some((g) => g < 0))
      throw new SfCaseError(`"gamma_in" must be a list of finite LRs ≥ 0 (mode "${c.mode}")`);
    steps = c.steps ?? c.gamma_in.length;
    if (steps > c.gamma_in.length)
      throw new SfCaseError(`"gamma_in" has ${c.gamma_in.length} LRs but "steps" is ${steps}`);
  }
  if (!Number.isInteger(steps) || steps < 0 || steps > batches)
    throw new SfCaseError(
      `"steps" (${steps}) must be an integer no larger than the whole batches in "A" (${batches} of ${c.batch_size} rows)`,
    );
  const ellStar = (p.ell_star as number | undefined) ?? 0;
  let M = (p.M as number | undefined) ?? 1;
  const y = [...c.theta0];
  const z = [...c.theta0];
  let avg = initAveraging();
  const out: SfResult = { gamma: [], c: [], loss: [], y: [], z: [], x: [] };
  const g = new Array<number>(d);
  for (let t = 0; t < steps; t++) {
    // batch loss ½·mean (aᵀy − b)² and its gradient mean (aᵀy − b)·a
    g.fill(0);
    let loss = 0;
    for (let j = t * c.batch_size; j < (t + 1) * c.batch_size; j++) {
      const a = c.A[j];
      let r = -c.b[j];
      for (let i = 0; i < d; i++) r += a[i] * y[i];
      loss += 0.5 * r * r;
      for (let i = 0; i < d; i++) g[i] += r * a[i];
    }
    loss /= c.batch_size;
    for (let i = 0; i < d; i++) g[i] /= c.batch_size;
    let gamma: number;
    if (c.mode === "polyak") {
      let dot = 0;
      let gradSq = 0;
      for (let i = 0; i < d; i++) {
        dot += g[i] * (z[i] - y[i]);
        gradSq += g[i] * g[i];
      }
      const s = sfPolyak(loss, dot, gradSq, ellStar, M);
      gamma = s.gamma;
      M = s.M;
    } else gamma = (c.gamma_in as number[])[t];
    const { c: ck, next } = sfAverage(c.mode, avg, gamma);
    avg = next;
    sfUpdate(y, z, g, gamma, ck, beta);
    out.gamma.push(gamma);
    out.c.push(ck);
    out.loss.push(loss);
    out.y.push([...y]);
    out.z.push([...z]);
    out.x.push(sfX(y, z, beta));
  }
  return out;
}

// ---- the schedule-free Polyak step as a scheduler (the registry's "ScheduleFreePolyak") ----

/** Schedule-free's interpolation β: shared by every schedule-free spec. */
export const SF_BETA_META: ParamMeta = {
  key: "beta",
  label: "β (interpolation)",
  type: "number",
  default: 0.9,
  min: 0,
  max: 1,
  maxExclusive: true,
  step: 0.01,
  help: "Gradients are taken at y = βx + (1−β)z.",
};

const POLYAK_SF_METAS: ParamMeta[] = [
  {
    key: "variant",
    label: "variant",
    type: "enum",
    default: "sgd",
    options: ["sgd", "adam"],
    help: "SGD (SGDScheduleFreeSPS), or Adam: the step divides by ‖g‖² in Adam's metric, Σ g²/D, and moves along g/D.",
  },
  {
    key: "ell_star",
    label: "ℓ* (lower bound)",
    type: "number",
    default: 0,
    uiMin: -1,
    uiMax: 1,
    step: 0.01,
    help: "A lower bound on the loss; 0 holds for cross-entropy and squared error.",
    live: "from the next step",
  },
  {
    key: "M",
    label: "M (safeguard)",
    type: "number",
    default: 1,
    scale: "log",
    uiMin: 1e-6,
    uiMax: 100,
    help: "The step divides by max(M, ‖g‖²) (Adam: Σ g²/D); M ≤ 0: the first of them becomes M.",
    live: "from the next step",
  },
  SF_BETA_META,
];

export interface SfPolyakState {
  lr: number;
  M: number;
  numerator: number;
  denominator: number;
  side: "gradient" | "M" | "—";
  skipped: number;
}

/**
 * The schedule-free Polyak step (SGDScheduleFreeSPS): before each update, γ from the batch loss at y, ⟨g, z − y⟩
 * and ‖g‖², with uniform averaging (c = 1/(t+1)). It trains its run with schedule-free SGD. The Adam variant
 * (buchholzmd/step-back AdamWScheduleFree, mode 'schedule-free-polyak-adam'; the paper's v2, Remark C.1) keeps
 * the numerator with the raw gradient, divides by max(M, Σ g²/D) with D = √(v̂) + ε after v has taken this g, and
 * trains with schedule-free AdamW (z ← z − γ·g/D).
 */
export const ScheduleFreePolyak: SchedulerSpec<SfPolyakState> = {
  id: "ScheduleFreePolyak",
  label: "Schedule-free Polyak step",
  family: "gradient",
  description:
    "Schedule-free SGD whose step is γ = max(f(y) − ℓ* + ⟨g, z − y⟩, 0) / max(M, ‖g‖²), averaged uniformly: the loss gap sets the step.",
  reference:
    "Pun, Buchholz & Gower, Schedulers for Schedule-free (arXiv 2511.07767); buchholzmd/step-back SGDScheduleFreeSPS",
  params: POLYAK_SF_METAS,
  needs: ["loss", "gradSq", "sfDot", "gradSqD"],
  timing: "before",
  timeBased: false,
  optimizer: "from-params",
  parse: (raw) => {
    const p = parseParams("ScheduleFreePolyak", POLYAK_SF_METAS, raw);
    return {
      ...p,
      optimizer: p.variant === "adam" ? "schedulefree-adamw" : "schedulefree-sgd",
      averaging: "theory",
    };
  },
  init: (p) => ({
    lr: 0,
    M: p.M as number,
    numerator: 0,
    denominator: 0,
    side: "—",
    skipped: 0,
  }),
  lr: (s) => s.lr,
  step: (p, s, obs) => {
    const f = obs.loss ?? Number.NaN;
    const g2 = (p.variant === "adam" ? obs.gradSqD : obs.gradSq) ?? Number.NaN;
    const dot = obs.sfDot ?? 0;
    if (!Number.isFinite(f) || !Number.isFinite(g2) || !Number.isFinite(dot)) {
      const ev: SchedulerEvent = {
        step: obs.step,
        kind: "skip",
        message: "schedule-free Polyak: loss or gradient not finite → no update",
      };
      return { lr: 0, state: { ...s, lr: 0, skipped: s.skipped + 1 }, events: [ev] };
    }
    // A positive M is used as given (also after a live change); M ≤ 0: the first ‖g‖², kept in the state.
    const M = (p.M as number) > 0 ? (p.M as number) : s.M;
    const r = sfPolyak(f, dot, g2, p.ell_star as number, M);
    return {
      lr: r.gamma,
      state: {
        lr: r.gamma,
        M: r.M,
        numerator: r.numerator,
        denominator: r.denominator,
        side: r.side,
        skipped: s.skipped,
      },
      events: [],
    };
  },
  inspect: (_p, s) => [
    { label: "step size γ", value: s.lr },
    { label: "numerator max(f − ℓ* + ⟨g, z − y⟩, 0)", value: s.numerator },
    { label: "denominator", value: s.denominator },
    { label: "max(M, ‖g‖²) taken from", value: s.side === "gradient" ? "the gradient" : s.side },
    { label: "M", value: s.M },
  ],
  example: () => ({}),
  formula: (v) => ({
    rule:
      v.p.variant === "adam"
        ? String.raw`\gamma_t = \frac{\max\left(f(y_t) - \ell^* + \langle g_t,\, z_t - y_t\rangle,\ 0\right)}{\max\left(M,\ \sum g_t^2 / D_t\right)},\quad z \leftarrow z - \gamma_t\, g_t / D_t,\quad c_{t+1} = \tfrac{1}{t+1}`
        : String.raw`\gamma_t = \frac{\max\left(f(y_t) - \ell^* + \langle g_t,\, z_t - y_t\rangle,\ 0\right)}{\max\left(M,\ \lVert g_t\rVert^2\right)},\quad c_{t+1} = \tfrac{1}{t+1}`,
    now: String.raw`\gamma_{${v.t}} = ${v.eta},\ \ell^* = ${tn(v.p.ell_star)},\ M = ${tn(v.internal("M") as number)}`,
  }),
  python: { kind: "rule" },
};
