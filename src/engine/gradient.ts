/**
 * Gradient-driven step sizes. They need facts about the current gradient, so they run with
 * `timing: "before"`: the trainer computes the loss and gradient of step t, calls step(obs_t), and uses the
 * returned LR for that very step. The trainer computes only the facts listed in `needs`.
 */
import { num, parseParams } from "./params";
import { tn } from "./tex";
import { ParamError, type ParamMeta, type Params, type SchedulerEvent, type SchedulerSpec } from "./types";

const lrBound = (key: string, label: string, def: number | null, help: string): ParamMeta => ({
  key,
  label,
  type: "number",
  default: def,
  nullable: def === null,
  min: 0,
  scale: "log",
  uiMin: 1e-6,
  uiMax: 10,
  help,
});

/** A step rule's clip to [min_lr, max_lr]: its two parameters, the parse that checks them, and the clip. */
const clipMetas = (of: string): ParamMeta[] => [
  lrBound("min_lr", "min LR", 1e-6, `Lower clip of the ${of}.`),
  lrBound("max_lr", "max LR", 1, `Upper clip of the ${of}.`),
];
function parseClipped(id: string, metas: ParamMeta[], raw: Record<string, unknown>) {
  const p = parseParams(id, metas, raw);
  if (num(p, "min_lr") > num(p, "max_lr")) throw new ParamError(id, "min_lr", "must not exceed max_lr");
  return p;
}
const clipLr = (p: Params, x: number) => Math.min(Math.max(x, num(p, "min_lr")), num(p, "max_lr"));

// ---------------------------------------------------------------------------------------------------------
export interface PolyakState {
  lr: number;
  skipped: number;
}

const POLYAK_METAS: ParamMeta[] = [
  {
    key: "c",
    label: "c",
    type: "number",
    default: 0.5,
    min: 0,
    minExclusive: true,
    scale: "log",
    uiMin: 0.05,
    uiMax: 10,
    help: "Scales ‖g‖² in the denominator; larger c = smaller, safer steps.",
  },
  {
    key: "f_star",
    label: "f*",
    type: "number",
    default: 0,
    step: 0.01,
    uiMin: -1,
    uiMax: 1,
    help: "Optimal loss value (0 for interpolating models).",
  },
  lrBound("gamma_max", "γ_max", 1, "Upper clip of the step size (SPS_max)."),
  {
    key: "eps",
    label: "eps",
    type: "number",
    default: 1e-8,
    min: 0,
    scale: "log",
    uiMin: 1e-12,
    uiMax: 1e-3,
    help: "Added to the denominator.",
  },
];

export const Polyak: SchedulerSpec<PolyakState> = {
  id: "Polyak",
  python: { kind: "rule" },
  example: () => ({}),
  formula: (v) => {
    const { p, t, eta } = v;
    return {
      rule: String.raw`\eta_t = \min\!\left(\frac{f(x_t) - f^*}{c\,\lVert g_t\rVert^2},\ \gamma_{\max}\right)`,
      now: String.raw`\eta_{${t}} = ${eta},\ c = ${tn(p.c)},\ f^* = ${tn(p.f_star)}`,
    };
  },
  label: "Polyak step size (SPS)",
  family: "gradient",
  description:
    "γ = (f − f*) / (c·‖g‖² + eps), clipped to [0, γ_max]: a large loss gap and a small gradient give a big step.",
  reference:
    "Loizou et al. 2021, SPS_max: the `constant` rule (adapt_flag='constant') of IssamLaradji/sps — not that repository's default `smooth_iter`",
  params: POLYAK_METAS,
  needs: ["loss", "gradSq"],
  timing: "before",
  timeBased: false,
  parse: (raw) => parseParams("Polyak", POLYAK_METAS, raw),
  init: (_p, base) => ({ lr: base, skipped: 0 }),
  lr: (s) => s.lr,
  step: (p, s, obs) => {
    const g2 = obs.gradSq ?? Number.NaN;
    const f = obs.loss ?? Number.NaN;
    if (!(g2 >= 1e-16) || !Number.isFinite(f)) {
      const ev: SchedulerEvent = {
        step: obs.step,
        kind: "skip",
        message: !Number.isFinite(f)
          ? "Polyak: loss not finite → no update"
          : "Polyak: ‖g‖ < 1e-8 → no update",
      };
      return { lr: 0, state: { lr: 0, skipped: s.skipped + 1 }, events: [ev] };
    }
    const raw = (f - num(p, "f_star")) / (num(p, "c") * g2 + num(p, "eps"));
    const lr = Math.min(Math.max(raw, 0), num(p, "gamma_max"));
    return { lr, state: { lr, skipped: s.skipped }, events: [] };
  },
  inspect: (_p, s) => [
    { label: "step size γ", value: s.lr },
    { label: "skipped steps", value: s.skipped },
  ],
};

// ---------------------------------------------------------------------------------------------------------
export interface AdGDState {
  lr: number;
  prevLr: number;
  /** θ_{k−1} = λ_{k−1}/λ_{k−2}; null = +∞ (before the first real step; JSON has no ∞). */
  theta: number | null;
  k: number;
}

const ADGD_METAS: ParamMeta[] = [
  lrBound("lambda0", "λ₀", 1e-10, "Tiny first step that produces the first Δx and Δg."),
  lrBound("max_lr", "max LR", null, "Optional cap (empty = none, as in the paper)."),
];

export const AdGD: SchedulerSpec<AdGDState> = {
  id: "AdGD",
  python: { kind: "rule" },
  example: () => ({}),
  formula: (v) => {
    const { t, eta } = v;
    return {
      rule: String.raw`\lambda_k = \min\!\left(\sqrt{1 + \theta_{k-1}}\,\lambda_{k-1},\ \frac{\lVert x_k - x_{k-1}\rVert}{2\lVert g_k - g_{k-1}\rVert}\right)`,
      now: String.raw`\lambda_{${t}} = ${eta}`,
    };
  },
  label: "Adaptive GD (AdGD)",
  family: "gradient",
  description:
    "Estimate local smoothness from ‖Δx‖/‖Δg‖ and grow the step at most by √(1+θ) per step — no tuning.",
  reference: "Malitsky & Mishchenko 2020, ymalitsky/adaptive_GD",
  params: ADGD_METAS,
  needs: ["dx", "dg"],
  timing: "before",
  timeBased: false,
  parse: (raw) => parseParams("AdGD", ADGD_METAS, raw),
  init: (p) => ({ lr: num(p, "lambda0"), prevLr: num(p, "lambda0"), theta: null, k: 0 }),
  lr: (s) => s.lr,
  step: (p, s, obs) => {
    if (s.k === 0) {
      const lr = num(p, "lambda0");
      return { lr, state: { lr, prevLr: lr, theta: null, k: 1 }, events: [] };
    }
    const dx = obs.dxNorm ?? Number.NaN;
    const dg = obs.dgNorm ?? Number.NaN;
    const growth = s.theta === null ? Number.POSITIVE_INFINITY : Math.sqrt(1 + s.theta) * s.lr;
    const local = dg > 0 ? dx / (2 * dg) : Number.POSITIVE_INFINITY;
    let lr = Math.min(growth, local);
    const cap = p.max_lr as number | null;
    if (cap !== null) lr = Math.min(lr, cap);
    const events: SchedulerEvent[] = [];
    if (!Number.isFinite(lr) || lr <= 0) {
      events.push({
        step: obs.step,
        kind: "skip",
        message: "AdGD: no curvature information → step size kept",
      });
      lr = s.lr;
    }
    return { lr, state: { lr, prevLr: s.lr, theta: lr / s.lr, k: s.k + 1 }, events };
  },
  inspect: (_p, s) => [
    { label: "λ", value: s.lr },
    { label: "θ = λ_k/λ_{k−1}", value: s.theta ?? "∞" },
  ],
};

// ---------------------------------------------------------------------------------------------------------
export interface SecantState {
  lr: number;
  /** Smoothed curvature; null before the first valid estimate. */
  h: number | null;
}

const SECANT_METAS: ParamMeta[] = [
  {
    key: "probe",
    label: "probe scale",
    type: "number",
    default: 1,
    min: 0,
    minExclusive: true,
    scale: "log",
    uiMin: 1e-4,
    uiMax: 10,
    help: "s = probe·g: the lookahead step along the gradient (1 = the paper's description).",
  },
  {
    key: "delta",
    label: "δ (denominator offset)",
    type: "number",
    default: 1e-8,
    min: 0,
    scale: "log",
    uiMin: 1e-12,
    uiMax: 1,
    help: "Added to ‖s‖² in h = s·y / (‖s‖² + δ) so that a zero probe does not divide by zero. It does not bound the LR: only min LR and max LR do.",
  },
  {
    key: "beta",
    label: "β (smoothing)",
    type: "number",
    default: 0,
    min: 0,
    max: 1,
    maxExclusive: true,
    step: 0.01,
    help: "Exponential moving average of the curvature h (0 = none).",
  },
  ...clipMetas("LR"),
];

export const Secant: SchedulerSpec<SecantState> = {
  id: "Secant",
  python: { kind: "rule" },
  example: () => ({}),
  formula: (v) => {
    const { p, t, eta, since } = v;
    return {
      rule: String.raw`\eta_t = \operatorname{clip}\!\left(1/h_t,\ \eta_{\min},\ \eta_{\max}\right),\ h_t = \beta h_{t-1} + (1-\beta)\,\frac{s \cdot y}{\lVert s\rVert^2 + \delta}`,
      now: String.raw`\eta_{${t}} = ${eta},\ h = ${tn(v.internal("curvature h"))},\ \beta = ${tn(p.beta)}`,
      because: since,
    };
  },
  label: "A-SGD secant LR (derived)",
  family: "gradient",
  description:
    "LR = 1/h, h the scalar curvature that best fits y ≈ h·s along a gradient probe. Derived from the paper's description (its exact formula is not public).",
  reference: "arXiv 2508.13639 (A-SGD), derived from the paper's description",
  params: SECANT_METAS,
  needs: ["secant"],
  timing: "before",
  timeBased: false,
  parse: (raw) => parseClipped("Secant", SECANT_METAS, raw),
  init: (_p, base) => ({ lr: base, h: null }),
  lr: (s) => s.lr,
  step: (p, s, obs) => {
    const sy = obs.secantSY ?? Number.NaN;
    const ss = obs.secantSS ?? Number.NaN;
    const hNew = sy / (ss + num(p, "delta"));
    if (!(hNew > 0) || !Number.isFinite(hNew)) {
      return {
        lr: s.lr,
        state: s,
        events: [{ step: obs.step, kind: "skip", message: "Secant: curvature ≤ 0 or undefined → LR kept" }],
      };
    }
    const b = num(p, "beta");
    const h = s.h !== null ? b * s.h + (1 - b) * hNew : hNew;
    const lr = clipLr(p, 1 / h);
    return { lr, state: { lr, h }, events: [] };
  },
  inspect: (_p, s) => [
    { label: "curvature h", value: s.h ?? "—" },
    { label: "LR = 1/h", value: s.lr },
  ],
};

// ---------------------------------------------------------------------------------------------------------
/**
 * The Rayleigh step: the minimiser of the local quadratic model along −g, η = ‖g‖² / gᵀHg, scaled by a factor
 * and clipped. gᵀHg is a Hessian-vector product taken by a finite difference of two gradients on the same batch:
 * with s = ε·g and y = ∇f(x + s) − ∇f(x), gᵀHg ≈ s·y/ε² and ‖g‖² = ‖s‖²/ε², so η = ‖s‖²/(s·y) — the trainer's
 * secant fact (exact on a quadratic). When gᵀHg ≤ 0 the quadratic model has no minimiser along −g: the step
 * falls back to the previous η ("keep") or to the upper bound ("max"), and says so.
 */
export interface RayleighState {
  lr: number;
  /** The Rayleigh quotient gᵀHg/‖g‖² of the last step (curvature along g); null before the first. */
  q: number | null;
  fallbacks: number;
}

const RAYLEIGH_METAS: ParamMeta[] = [
  {
    key: "factor",
    label: "factor",
    type: "number",
    default: 1,
    min: 0,
    minExclusive: true,
    max: 2,
    step: 0.05,
    help: "η = factor · ‖g‖²/gᵀHg: 1 steps to the minimum of the quadratic model along −g; 2 is the edge of stability on a quadratic.",
    live: "from the next step",
  },
  {
    key: "probe",
    label: "finite-difference ε",
    type: "number",
    default: 1e-3,
    min: 0,
    minExclusive: true,
    scale: "log",
    uiMin: 1e-6,
    uiMax: 1,
    help: "Hg is taken as (∇f(x + εg) − ∇f(x))/ε on the same batch: one more gradient per step.",
  },
  {
    key: "fallback",
    label: "when gᵀHg ≤ 0",
    type: "enum",
    default: "keep",
    options: ["keep", "max"],
    help: "No minimiser along −g (negative or zero curvature): keep the previous step, or take max LR.",
    live: "from the next step",
  },
  ...clipMetas("step"),
];

export const Rayleigh: SchedulerSpec<RayleighState> = {
  id: "Rayleigh",
  python: { kind: "rule" },
  example: () => ({}),
  formula: (v) => {
    const { p, t, eta, since } = v;
    return {
      rule: String.raw`\eta_t = \operatorname{clip}\!\left(\text{factor}\cdot\frac{\lVert g_t\rVert^2}{g_t^\top H g_t},\ \eta_{\min},\ \eta_{\max}\right)`,
      now: String.raw`\eta_{${t}} = ${eta},\ \text{factor} = ${tn(p.factor)},\ g^\top H g / \lVert g\rVert^2 = ${tn(v.internal("Rayleigh quotient gᵀHg/‖g‖²") as number)}`,
      because: since,
    };
  },
  label: "Rayleigh step (1/curvature along g)",
  family: "gradient",
  description:
    "η = ‖g‖²/gᵀHg: the exact minimiser of the local quadratic model along −g, with gᵀHg from a Hessian-vector product (a finite difference of two gradients).",
  reference:
    "The survey's 'optimal LR is 1/h' along the gradient (the Rayleigh quotient; cf. LeCun, Simard & Pearlmutter 1993)",
  params: RAYLEIGH_METAS,
  needs: ["secant"],
  timing: "before",
  timeBased: false,
  parse: (raw) => parseClipped("Rayleigh", RAYLEIGH_METAS, raw),
  init: (p, base) => ({
    lr: clipLr(p, base),
    q: null,
    fallbacks: 0,
  }),
  lr: (s) => s.lr,
  step: (p, s, obs) => {
    const sy = obs.secantSY ?? Number.NaN;
    const ss = obs.secantSS ?? Number.NaN;
    const q = sy / ss;
    if (!(sy > 0) || !(ss > 0) || !Number.isFinite(q)) {
      const lr = p.fallback === "max" ? num(p, "max_lr") : clipLr(p, s.lr);
      const ev: SchedulerEvent = {
        step: obs.step,
        kind: "skip",
        message: `Rayleigh: gᵀHg ${Number.isFinite(sy) ? "≤ 0" : "not finite"} → no minimiser along −g, ${p.fallback === "max" ? "η = max LR" : "previous η kept"}`,
      };
      return { lr, state: { lr, q: Number.isFinite(q) ? q : s.q, fallbacks: s.fallbacks + 1 }, events: [ev] };
    }
    const lr = clipLr(p, num(p, "factor") / q);
    return { lr, state: { lr, q, fallbacks: s.fallbacks }, events: [] };
  },
  inspect: (_p, s) => [
    { label: "Rayleigh quotient gᵀHg/‖g‖²", value: s.q ?? "—" },
    { label: "η", value: s.lr },
    { label: "fallbacks (gᵀHg ≤ 0)", value: s.fallbacks },
  ],
};

// ---------------------------------------------------------------------------------------------------------
/**
 * Regrettable delta-bar-delta (RDBD, Song & Yang 2023, arXiv 2310.11291), derived from the survey's description
 * — the paper's exact rule is not public here. The survey gives the condition ⟨g_t, g_{t−1}⟩·⟨g_{t+1}, g_t⟩ ≥ 0
 * and says that when it fails "the previous learning rate update is undone"; otherwise the DBD update proceeds.
 * LR Lab's reading, on ONE global LR (the condition is about whole gradients, so it is global):
 * - at step t with d_t = ⟨g_t, g_{t−1}⟩ (the trainer's `gradDot` fact), and d_{t−1} the product that decided the
 *   previous update;
 * - if the previous step updated the LR and d_{t−1}·d_t < 0, that update was a mistake: η goes back to its value
 *   before it (a "regret"), and no new update is made this step;
 * - otherwise DBD's rule with the raw product in place of DBD's averaged δ̄ (the survey's condition uses raw
 *   products): η + κ when d_t > 0 (the gradient keeps its direction), (1 − φ)·η when d_t < 0, η when d_t = 0;
 * - η is clipped to [min_lr, max_lr]; the first step (no g_{t−1}) keeps the base LR.
 */
export interface RdbdState {
  lr: number;
  /** η before the last update (null when the last step made none: the first step, a regret, d = 0). */
  undo: number | null;
  /** The product d that decided the last update (null with `undo`). */
  lastDot: number | null;
  regrets: number;
  ups: number;
  downs: number;
}

const RDBD_METAS: ParamMeta[] = [
  {
    key: "kappa",
    label: "κ (increase)",
    type: "number",
    default: 1e-3,
    min: 0,
    scale: "log",
    uiMin: 1e-7,
    uiMax: 1,
    help: "Additive increase of the LR while consecutive gradients agree (⟨g_t, g_{t−1}⟩ > 0).",
    live: "from the next step",
  },
  {
    key: "phi",
    label: "φ (decrease)",
    type: "number",
    default: 0.1,
    min: 0,
    max: 1,
    step: 0.01,
    help: "Multiplicative decrease, η ← (1 − φ)η, when consecutive gradients disagree.",
    live: "from the next step",
  },
  ...clipMetas("LR"),
];

export const RegrettableDBD: SchedulerSpec<RdbdState> = {
  id: "RegrettableDBD",
  python: { kind: "rule" },
  example: () => ({}),
  formula: (v) => {
    const { p, t, eta } = v;
    return {
      rule: String.raw`d_t = \langle g_t, g_{t-1}\rangle:\ d_{t-1} d_t < 0 \Rightarrow \eta \leftarrow \eta_{\text{before last update}};\ \text{else } \eta \leftarrow \begin{cases} \eta + \kappa & d_t > 0 \\ (1-\varphi)\,\eta & d_t < 0 \end{cases}`,
      now: String.raw`\eta_{${t}} = ${eta},\ \kappa = ${tn(p.kappa)},\ \varphi = ${tn(p.phi)}`,
    };
  },
  label: "Regrettable delta-bar-delta (RDBD)",
  family: "gradient",
  description:
    "Delta-bar-delta on one global LR from ⟨g_t, g_{t−1}⟩, and when the sign of that product flips right after an update, the update is undone. Derived from the survey's description (the paper's exact rule is not public).",
  reference: "Song & Yang 2023 (arXiv 2310.11291), as the scheduling survey describes it",
  params: RDBD_METAS,
  needs: ["gradDot"],
  timing: "before",
  timeBased: false,
  parse: (raw) => parseClipped("RegrettableDBD", RDBD_METAS, raw),
  init: (p, base) => ({
    lr: clipLr(p, base),
    undo: null,
    lastDot: null,
    regrets: 0,
    ups: 0,
    downs: 0,
  }),
  lr: (s) => s.lr,
  step: (p, s, obs) => {
    const d = obs.gradDot;
    if (d === undefined || !Number.isFinite(d)) {
      const events: SchedulerEvent[] =
        d === undefined
          ? []
          : [{ step: obs.step, kind: "skip", message: "RDBD: ⟨g_t, g_{t−1}⟩ not finite → LR kept" }];
      return { lr: s.lr, state: { ...s, undo: null, lastDot: null }, events };
    }
    if (s.undo !== null && s.lastDot !== null && s.lastDot * d < 0) {
      const lr = clipLr(p, s.undo);
      const ev: SchedulerEvent = {
        step: obs.step,
        kind: s.lastDot > 0 ? "decrease" : "increase",
        message: `RDBD: ⟨g, g_prev⟩ changed sign right after an update → that update undone (regret ${s.regrets + 1})`,
        from: s.lr,
        to: lr,
      };
      return { lr, state: { ...s, lr, undo: null, lastDot: null, regrets: s.regrets + 1 }, events: [ev] };
    }
    if (d === 0) return { lr: s.lr, state: { ...s, undo: null, lastDot: null }, events: [] };
    const lr = clipLr(p, d > 0 ? s.lr + num(p, "kappa") : (1 - num(p, "phi")) * s.lr);
    return {
      lr,
      state: {
        ...s,
        lr,
        undo: s.lr,
        lastDot: d,
        ups: s.ups + (d > 0 ? 1 : 0),
        downs: s.downs + (d < 0 ? 1 : 0),
      },
      events: [],
    };
  },
  inspect: (_p, s) => [
    { label: "η", value: s.lr },
    { label: "last ⟨g_t, g_{t−1}⟩", value: s.lastDot ?? "—" },
    { label: "increases / decreases", value: `${s.ups} / ${s.downs}` },
    { label: "regrets (updates undone)", value: s.regrets },
  ],
};

// ---------------------------------------------------------------------------------------------------------
/**
 * η = factor/λ_max with λ_max from the on-line power method of LeCun, Simard & Pearlmutter (1993), as "Efficient
 * BackProp" (LeCun, Bottou, Orr & Müller 1998, §5.4) gives it: the trainer keeps a vector ψ per run and moves it
 * each step by ψ ← (1 − γ)ψ + γ·(∇f(w + αψ/‖ψ‖) − ∇f(w))/α, a Hessian-vector product by finite difference on the
 * step's batch (one more gradient); ‖ψ‖ tends to λ_max, the Hessian's largest eigenvalue. factor 1 is the paper's
 * η_opt ≈ 1/λ_max; gradient descent diverges above 2/λ_max on a quadratic. Without an estimate (‖ψ‖ not finite or
 * 0) the LR is kept.
 */
export interface PowerState {
  lr: number;
  lambda: number | null;
}

const POWER_METAS: ParamMeta[] = [
  {
    key: "factor",
    label: "factor",
    type: "number",
    default: 1,
    min: 0,
    minExclusive: true,
    max: 2,
    step: 0.05,
    help: "η = factor/λ_max: 1 is the paper's optimal step, 2 the edge where gradient descent diverges on a quadratic.",
    live: "from the next step",
  },
  {
    key: "gamma",
    label: "γ (power-method rate)",
    type: "number",
    default: 0.1,
    min: 0,
    minExclusive: true,
    max: 1,
    step: 0.01,
    help: "ψ ← (1 − γ)ψ + γ·Hψ̂: larger follows a changing Hessian faster, with a noisier estimate.",
  },
  {
    key: "alpha",
    label: "α (difference step)",
    type: "number",
    default: 1e-2,
    min: 0,
    minExclusive: true,
    scale: "log",
    uiMin: 1e-5,
    uiMax: 1,
    help: "Hψ̂ is taken as (∇f(w + αψ/‖ψ‖) − ∇f(w))/α on the same batch.",
  },
  ...clipMetas("step"),
];

export const PowerMethod: SchedulerSpec<PowerState> = {
  id: "PowerMethod",
  python: { kind: "rule" },
  example: () => ({}),
  formula: (v) => {
    const { p, t, eta } = v;
    return {
      rule: String.raw`\psi \leftarrow (1-\gamma)\,\psi + \gamma\,\frac{\nabla f(w + \alpha\,\psi/\lVert\psi\rVert) - \nabla f(w)}{\alpha},\quad \eta_t = \frac{\text{factor}}{\lVert\psi\rVert}`,
      now: String.raw`\eta_{${t}} = ${eta},\ \lambda_{\max} \approx ${tn(v.internal("λ_max estimate ‖ψ‖") as number)},\ \text{factor} = ${tn(p.factor)}`,
    };
  },
  label: "1/λ_max (on-line power method)",
  family: "gradient",
  description:
    "η = factor/λ_max, with λ_max, the Hessian's largest eigenvalue, tracked by a running power method on Hessian-vector products (one more gradient per step).",
  reference: "LeCun, Simard & Pearlmutter 1993; 'Efficient BackProp' (LeCun et al. 1998) §5.4",
  params: POWER_METAS,
  needs: ["power"],
  timing: "before",
  timeBased: false,
  parse: (raw) => parseClipped("PowerMethod", POWER_METAS, raw),
  init: (p, base) => ({ lr: clipLr(p, base), lambda: null }),
  lr: (s) => s.lr,
  step: (p, s, obs) => {
    const l = obs.lambdaMax;
    if (l === undefined) return { lr: s.lr, state: s, events: [] };
    if (!(l > 0) || !Number.isFinite(l)) {
      const ev: SchedulerEvent = {
        step: obs.step,
        kind: "skip",
        message: `1/λ_max: no estimate (‖ψ‖ = ${l}) → LR kept`,
      };
      return { lr: s.lr, state: s, events: [ev] };
    }
    const lr = clipLr(p, num(p, "factor") / l);
    return { lr, state: { lr, lambda: l }, events: [] };
  },
  inspect: (_p, s) => [
    { label: "λ_max estimate ‖ψ‖", value: s.lambda ?? "—" },
    { label: "η", value: s.lr },
  ],
};
