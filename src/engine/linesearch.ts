/**
 * Line searches along −g: the step size comes from evaluating the loss itself at trial points, not from a
 * schedule. The trainer evaluates f(x − η_k·g) for every candidate η_k the scheduler lists (`candidates`,
 * one batched pass per candidate, same batch) and hands the losses over as `obs.lineLoss`; the scheduler
 * picks η for this very step (`timing: "before"`). They assume plain SGD (the update is −η·g): with Adam the
 * step taken is not the one that was searched.
 *
 * - Armijo backtracking (Armijo 1966; Nocedal & Wright, Alg. 3.1): η = η₀·βᵏ for the first k with
 *   f(x − ηg) ≤ f(x) − c·η·‖g‖².
 * - "Exact" line search: argmin of f(x − ηg) over a log-spaced grid of η — exact up to the grid's spacing
 *   (the textbook exact search minimises over all η > 0, which no finite probe can do).
 */
import { num, parseParams } from "./params";
import { tn } from "./tex";
import type { Internal, ParamMeta, SchedulerEvent, SchedulerSpec } from "./types";

export interface LineState {
  lr: number;
  /** Armijo: backtracks of the last step; exact: index of the chosen grid point. */
  k: number;
  /** Loss of the last step and the loss at the chosen point. */
  f: number | null;
  fNew: number | null;
}

const ARMIJO_METAS: ParamMeta[] = [
  {
    key: "eta0",
    label: "η₀ (first trial)",
    type: "number",
    default: 1,
    min: 0,
    minExclusive: true,
    scale: "log",
    uiMin: 1e-3,
    uiMax: 10,
    help: "Every step starts its search here and shrinks by β until the Armijo condition holds.",
  },
  {
    key: "beta",
    label: "β (shrink)",
    type: "number",
    default: 0.5,
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
    step: 0.05,
    help: "Backtracking factor: η ← β·η after each failed trial.",
  },
  {
    key: "c",
    label: "c (sufficient decrease)",
    type: "number",
    default: 1e-4,
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
    scale: "log",
    uiMin: 1e-6,
    uiMax: 0.5,
    help: "Accept η when f(x − ηg) ≤ f(x) − c·η·‖g‖²: the loss must drop by a fraction c of the linear prediction.",
  },
  {
    key: "max_backtracks",
    label: "trials (max_backtracks)",
    type: "int",
    default: 20,
    min: 1,
    max: 40,
    step: 1,
    help: "Number of trial steps η₀·βᵏ, k = 0 … max_backtracks − 1 — despite the name, trials, not backtracks (at most max_backtracks − 1 backtracks). Each costs one forward pass. If none is accepted, the smallest trial is taken.",
  },
];

const EXACT_METAS: ParamMeta[] = [
  {
    key: "eta_min",
    label: "smallest η",
    type: "number",
    default: 1e-4,
    min: 0,
    minExclusive: true,
    scale: "log",
    uiMin: 1e-8,
    uiMax: 1,
    help: "Lower end of the searched range.",
  },
  {
    key: "eta_max",
    label: "largest η",
    type: "number",
    default: 10,
    min: 0,
    minExclusive: true,
    scale: "log",
    uiMin: 1e-3,
    uiMax: 100,
    help: "Upper end of the searched range.",
  },
  {
    key: "points",
    label: "grid points",
    type: "int",
    default: 40,
    min: 2,
    max: 64,
    step: 1,
    help: "Log-spaced trial step sizes per step (each costs one forward pass).",
  },
];

const fmt = (x: number) => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(3) : x.toExponential(2));

const inspectLine = (s: LineState, kLabel: string): Internal[] => [
  { label: "η (this step)", value: s.lr },
  { label: kLabel, value: s.k },
  { label: "f(x)", value: s.f ?? "—" },
  { label: "f(x − ηg)", value: s.fNew ?? "—" },
];

export const ArmijoLineSearch: SchedulerSpec<LineState> = {
  id: "ArmijoLineSearch",
  python: { kind: "rule" },
  example: () => ({}),
  formula: (v) => {
    const { p, eta, since } = v;
    return {
      rule: String.raw`\eta = \eta_0 \beta^{k},\ k = \min\{k : f(x - \eta_0\beta^k g) \le f(x) - c\,\eta_0\beta^k \lVert g\rVert^2\}`,
      now: String.raw`\eta = ${tn(p.eta0)} \cdot ${tn(p.beta)}^{${tn(v.internal("backtracks"))}} = ${eta},\ f: ${tn(v.internal("f(x)"))} \to ${tn(v.internal("f(x − ηg)"))}`,
      because: since,
    };
  },
  label: "Armijo backtracking line search",
  family: "gradient",
  description:
    "Try η₀, then β·η₀, β²·η₀… and take the first step that lowers the loss enough (Armijo's condition). Use with SGD.",
  reference: "Armijo 1966; Nocedal & Wright, Numerical Optimization, Algorithm 3.1",
  params: ARMIJO_METAS,
  needs: ["gradSq", "lineSearch"],
  timing: "before",
  timeBased: false,
  parse: (raw) => parseParams("ArmijoLineSearch", ARMIJO_METAS, raw),
  init: (p) => ({ lr: num(p, "eta0"), k: 0, f: null, fNew: null }),
  lr: (s) => s.lr,
  candidates: (p) => {
    const eta0 = num(p, "eta0");
    const beta = num(p, "beta");
    return Array.from({ length: num(p, "max_backtracks") }, (_, k) => eta0 * beta ** k);
  },
  step(p, s, obs) {
    const cands = ArmijoLineSearch.candidates!(p, s);
    const f = obs.loss ?? Number.NaN;
    const g2 = obs.gradSq ?? Number.NaN;
    const c = num(p, "c");
    const losses = obs.lineLoss ?? [];
    let k = cands.findIndex((eta, i) => losses[i] <= f - c * eta * g2);
    const events: SchedulerEvent[] = [];
    const accepted = k >= 0;
    if (!accepted) k = cands.length - 1;
    const lr = cands[k];
    if (!accepted)
      events.push({
        step: obs.step,
        kind: "skip",
        message: `Armijo: no trial met f(x−ηg) ≤ f(x) − c·η·‖g‖² → took the smallest, η = ${fmt(lr)}`,
      });
    else if (k !== s.k)
      events.push({
        step: obs.step,
        kind: k > s.k ? "decrease" : "increase",
        message: `Armijo: ${k} backtrack${k === 1 ? "" : "s"} → η = ${fmt(lr)} (f ${fmt(f)} → ${fmt(losses[k])})`,
        from: s.lr,
        to: lr,
      });
    return { lr, state: { lr, k, f, fNew: losses[k] ?? null }, events };
  },
  inspect: (_p, s) => inspectLine(s, "backtracks"),
  // Backtracking stops at the accepted trial k (k + 1 forward passes); none accepted: every trial was tried.
  trials: (_p, s) => s.k + 1,
};

export const ExactLineSearch: SchedulerSpec<LineState> = {
  id: "ExactLineSearch",
  python: { kind: "rule" },
  example: () => ({}),
  formula: (v) => {
    const { eta, since } = v;
    return {
      rule: String.raw`\eta = \arg\min_{\eta \in \text{grid}} f(x - \eta g)`,
      now: String.raw`\eta = ${eta},\ f: ${tn(v.internal("f(x)"))} \to ${tn(v.internal("f(x − ηg)"))}`,
      because: since,
    };
  },
  label: "Exact line search (dense grid)",
  family: "gradient",
  description:
    "Take the η that minimises the loss along −g, searched over a log-spaced grid. Use with SGD; one forward pass per grid point.",
  reference: "Nocedal & Wright, Numerical Optimization §3.1 (exact minimisation along the ray)",
  params: EXACT_METAS,
  needs: ["lineSearch"],
  timing: "before",
  timeBased: false,
  parse: (raw) => parseParams("ExactLineSearch", EXACT_METAS, raw),
  init: (p) => ({ lr: num(p, "eta_min"), k: 0, f: null, fNew: null }),
  lr: (s) => s.lr,
  candidates: (p) => {
    const lo = Math.log(num(p, "eta_min"));
    const hi = Math.log(Math.max(num(p, "eta_max"), num(p, "eta_min")));
    const n = num(p, "points");
    return Array.from({ length: n }, (_, i) => Math.exp(lo + ((hi - lo) * i) / (n - 1)));
  },
  step(p, s, obs) {
    const cands = ExactLineSearch.candidates!(p, s);
    const f = obs.loss ?? Number.NaN;
    const losses = obs.lineLoss ?? [];
    let k = -1;
    for (let i = 0; i < cands.length; i++)
      if (Number.isFinite(losses[i]) && (k < 0 || losses[i] < losses[k])) k = i;
    const events: SchedulerEvent[] = [];
    if (k < 0 || !(losses[k] < f)) {
      // No trial lowers the loss (at a minimum, or the grid is too coarse): take no step.
      events.push({
        step: obs.step,
        kind: "skip",
        message: "exact line search: no η on the grid lowers the loss → step skipped (η = 0)",
      });
      return { lr: 0, state: { lr: 0, k: Math.max(0, k), f, fNew: f }, events };
    }
    const lr = cands[k];
    if (k === 0 || k === cands.length - 1)
      events.push({
        step: obs.step,
        kind: "clip",
        message: `exact line search: the best η is at the grid's ${k === 0 ? "lower" : "upper"} end (${fmt(lr)}) — widen the range`,
      });
    return { lr, state: { lr, k, f, fNew: losses[k] }, events };
  },
  inspect: (_p, s) => inspectLine(s, "grid index"),
};
