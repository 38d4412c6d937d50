/**
 * Per-parameter, optimizer-side methods. Their adaptation lives in the trainer's optimizers; the engine holds
 * their LR-side parameters (so the UI and URL codec read them from the registry like any other) and the
 * global LR sequence they are driven with.
 */
import { num, parseParams } from "./params";
import { SF_BETA_META } from "./scheduleFreeAny";
import { tn } from "./tex";
import type { ParamMeta, SchedulerEvent, SchedulerSpec } from "./types";
import type { TimeState } from "./warmup";

/** Schedule-Free warmup multiplier (facebookresearch/schedule_free v1.4): (k+1)/W for k < W, else 1. */
export const scheduleFreeWarmup = (k: number, W: number): number => (k < W ? (k + 1) / W : 1);

/** Schedule-Free averaging weight c_k = w_k / Σw with w_k = (k+1)^r · lr_max^p. */
export function scheduleFreeWeight(k: number, lrMax: number, r: number, p: number, weightSum: number) {
  const w = (k + 1) ** r * lrMax ** p;
  const sum = weightSum + w;
  return { c: sum > 0 ? w / sum : 0, weightSum: sum };
}

function optimizerSpec(
  d: Pick<SchedulerSpec, "example" | "formula"> & {
    id: string;
    label: string;
    optimizer: (p: Record<string, unknown>) => string;
    description: string;
    reference: string;
    params: ParamMeta[];
    multiplier?: (p: Record<string, unknown>, t: number) => number;
  },
): SchedulerSpec<TimeState> {
  const m = d.multiplier ?? (() => 1);
  return {
    id: d.id,
    label: d.label,
    family: "optimizer-side",
    description: d.description,
    reference: d.reference,
    params: d.params,
    needs: [],
    timing: "after",
    timeBased: true,
    optimizer: "from-params",
    example: d.example,
    formula: d.formula,
    python: { kind: "rule" },
    parse: (raw) => {
      const p = parseParams(d.id, d.params, raw);
      return { ...p, optimizer: d.optimizer(p) };
    },
    init: (p, base) => ({ t: 0, lr: base * m(p, 0), base }),
    lr: (s) => s.lr,
    step: (p, s) => {
      const t = s.t + 1;
      const lr = s.base * m(p, t);
      return { lr, state: { t, lr, base: s.base }, events: [] };
    },
  };
}

export const ScheduleFree = optimizerSpec({
  id: "ScheduleFree",
  example: () => ({}),
  formula: (v) => {
    const { p, eta } = v;
    return {
      rule: String.raw`y = (1-\beta) z + \beta x,\quad z \leftarrow z - \eta\, \nabla f(y),\quad x \leftarrow (1 - c)\,x + c\, z`,
      now: String.raw`\eta = ${eta},\ \beta = ${tn(p.beta)}`,
    };
  },
  label: "Schedule-Free (SGD / AdamW)",
  optimizer: (p) => (p.variant === "adamw" ? "schedulefree-adamw" : "schedulefree-sgd"),
  description: "No decay schedule at all: iterate averaging with interpolation replaces it (warmup only).",
  reference: "Defazio et al. 2024, facebookresearch/schedule_free v1.4",
  params: [
    {
      key: "variant",
      label: "variant",
      type: "enum",
      default: "sgd",
      options: ["sgd", "adamw"],
      help: "SGD (reference lr 1.0) or AdamW (reference lr 0.0025).",
    },
    {
      key: "warmup_steps",
      label: "warmup steps",
      type: "int",
      default: 0,
      min: 0,
      uiMax: 5000,
      step: 1,
      help: "LR multiplier (k+1)/W during warmup.",
    },
    SF_BETA_META,
    {
      key: "r",
      label: "r",
      type: "number",
      default: 0,
      min: 0,
      uiMax: 2,
      step: 0.1,
      help: "Averaging weights grow as (k+1)^r.",
    },
    {
      key: "weight_lr_power",
      label: "weight LR power",
      type: "number",
      default: 2,
      min: 0,
      uiMax: 4,
      step: 0.5,
      help: "Averaging weights scale with lr_max^power.",
    },
    {
      key: "weight_decay",
      label: "weight decay",
      type: "number",
      default: 0,
      min: 0,
      uiMax: 0.1,
      step: 0.001,
      help: "Decoupled weight decay (AdamW variant).",
    },
  ],
  multiplier: (p, t) => scheduleFreeWarmup(t, num(p as never, "warmup_steps")),
});

export const DeltaBarDelta = optimizerSpec({
  id: "DeltaBarDelta",
  example: () => ({}),
  formula: (v) => {
    const { p, eta } = v;
    return {
      rule: String.raw`\eta_i \leftarrow \begin{cases} \eta_i + \kappa & \bar\delta_i \delta_i > 0 \\ (1 - \phi)\,\eta_i & \bar\delta_i \delta_i < 0 \end{cases},\ \bar\delta_i \leftarrow (1-\theta)\delta_i + \theta\bar\delta_i`,
      now: String.raw`\eta_0 = ${eta},\ \kappa = ${tn(p.kappa)},\ \phi = ${tn(p.phi)},\ \theta = ${tn(p.theta)}`,
    };
  },
  label: "Delta-bar-delta (per weight)",
  optimizer: () => "delta-bar-delta",
  description: "Each weight has its own LR: +κ while its gradient keeps its sign, ×(1−φ) when it flips.",
  reference: "Jacobs 1988",
  params: [
    {
      key: "kappa",
      label: "κ (increase)",
      type: "number",
      default: 1e-4,
      min: 0,
      scale: "log",
      uiMin: 1e-7,
      uiMax: 0.1,
      help: "Additive increase of a weight's LR.",
    },
    {
      key: "phi",
      label: "φ (decrease)",
      type: "number",
      default: 0.1,
      min: 0,
      max: 1,
      step: 0.01,
      help: "Multiplicative decrease on a sign flip.",
    },
    {
      key: "theta",
      label: "θ (averaging)",
      type: "number",
      default: 0.7,
      min: 0,
      max: 1,
      maxExclusive: true,
      step: 0.01,
      help: "δ̄ = (1−θ)δ + θδ̄: memory of the gradient's sign.",
    },
  ],
});

export const AdaDelta = optimizerSpec({
  id: "AdaDelta",
  example: () => ({}),
  formula: (v) => {
    const { p, eta } = v;
    return {
      rule: String.raw`\Delta x = -\eta\,\frac{\sqrt{E[\Delta x^2] + \epsilon}}{\sqrt{E[g^2] + \epsilon}}\, g,\ E[\cdot] \text{ running averages with } \rho`,
      now: String.raw`\eta = ${eta},\ \rho = ${tn(p.rho)},\ \epsilon = ${tn(p.eps)}`,
    };
  },
  label: "AdaDelta (per weight)",
  optimizer: () => "adadelta",
  description: "Per-weight step sizes from running averages of squared gradients and squared updates.",
  reference: "Zeiler 2012 (torch.optim.Adadelta defaults)",
  params: [
    {
      key: "rho",
      label: "ρ",
      type: "number",
      default: 0.9,
      min: 0,
      max: 1,
      maxExclusive: true,
      step: 0.01,
      help: "Decay of the running averages.",
    },
    {
      key: "eps",
      label: "eps",
      type: "number",
      default: 1e-6,
      min: 0,
      minExclusive: true,
      scale: "log",
      uiMin: 1e-10,
      uiMax: 1e-2,
      help: "Keeps the first steps from being zero.",
    },
  ],
});

/** A per-weight method's state: what it showed last (η_i's 10/50/90% points, and a few weights' statistics). */
export interface PerWeightState {
  lr: number;
  quantiles: number[] | null;
  stats: number[] | null;
}

/**
 * A curvature-driven per-weight method (vSGD, SDLM): the trainer's optimizer computes every η_i from the
 * step's gradient and a curvature estimate; the spec holds its parameters and reports the median η_i as the
 * run's LR (what the LR chart draws), with the spread and the statistics in its internals. `timing: "before"`:
 * the step's own η is known when the scheduler is asked.
 */
export function perWeightSpec(
  d: Pick<SchedulerSpec, "id" | "label" | "description" | "reference" | "example" | "formula" | "python"> & {
    params: ParamMeta[];
    optimizer: string;
    parse?: (p: Record<string, unknown>) => void;
    inspectStats?: (stats: number[]) => { label: string; value: number | string }[];
  },
): SchedulerSpec<PerWeightState> {
  return {
    ...d,
    family: "optimizer-side",
    needs: [],
    timing: "before",
    timeBased: false,
    optimizer: "from-params",
    parse: (raw) => {
      const p = parseParams(d.id, d.params, raw);
      d.parse?.(p);
      return { ...p, optimizer: d.optimizer };
    },
    init: (_p, base) => ({ lr: base, quantiles: null, stats: null }),
    lr: (s) => s.lr,
    step: (_p, s, obs) => {
      const q = obs.etaQuantiles;
      const med = q?.[1];
      if (med === undefined) return { lr: s.lr, state: s, events: [] };
      if (!(Number.isFinite(med) && med >= 0)) {
        const ev: SchedulerEvent = {
          step: obs.step,
          kind: "skip",
          message: `${d.id}: per-weight LRs not finite (curvature or variance estimate broke down)`,
        };
        return { lr: s.lr, state: { ...s, quantiles: q ?? null }, events: [ev] };
      }
      return {
        lr: med,
        state: { lr: med, quantiles: q ?? null, stats: obs.weightStats ?? null },
        events: [],
      };
    },
    inspect: (_p, s) => [
      { label: "η_i median", value: s.quantiles?.[1] ?? "—" },
      {
        label: "η_i 10% / 90%",
        value: s.quantiles ? `${fmt(s.quantiles[0])} / ${fmt(s.quantiles[2])}` : "—",
      },
      ...(s.stats && d.inspectStats ? d.inspectStats(s.stats) : []),
    ],
  };
}

/** The finite-difference step of Hutchinson's curvature estimate |z ⊙ Hz| (`who`: the variants that use it). */
export const hutchinsonProbe = (who: string): ParamMeta => ({
  key: "probe",
  label: "Hutchinson δ",
  type: "number",
  default: 1e-3,
  min: 0,
  minExclusive: true,
  scale: "log",
  uiMin: 1e-6,
  uiMax: 1,
  help: `${who}Hz is taken as (∇f(θ + δz) − ∇f(θ))/δ on the same batch, z a random ±1 vector (the same for every run).`,
});

const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : String(x));

export const SDLM = perWeightSpec({
  id: "SDLM",
  label: "Diagonal preconditioning (SDLM)",
  description:
    "Each weight's LR is ε/(⟨h_ii⟩ + μ): the reciprocal of its own curvature, from a running average of Hutchinson estimates of the Hessian's diagonal (one more gradient per step). ε is the run's base LR.",
  reference:
    "Stochastic diagonal Levenberg–Marquardt, LeCun, Bottou, Orr & Müller 1998 ('Efficient BackProp'), with Hutchinson's z⊙Hz in place of the Gauss–Newton backprop",
  python: { kind: "rule" },
  optimizer: "sdlm",
  example: () => ({}),
  formula: (v) => {
    const { p, eta } = v;
    return {
      rule: String.raw`\eta_i = \frac{\varepsilon}{\langle h_{ii}\rangle + \mu},\quad \langle h_{ii}\rangle \leftarrow (1-\gamma)\langle h_{ii}\rangle + \gamma\,\lvert z_i (Hz)_i\rvert`,
      now: String.raw`\text{median}\ \eta_i = ${eta},\ \mu = ${tn(p.mu)},\ \gamma = ${tn(p.gamma)}`,
    };
  },
  params: [
    {
      key: "mu",
      label: "μ",
      type: "number",
      default: 0.1,
      min: 0,
      minExclusive: true,
      scale: "log",
      uiMin: 1e-4,
      uiMax: 100,
      help: "Added to the curvature: caps each weight's LR at ε/μ where the curvature is near 0.",
    },
    {
      key: "gamma",
      label: "γ (averaging)",
      type: "number",
      default: 0.05,
      min: 0,
      minExclusive: true,
      max: 1,
      step: 0.01,
      help: "⟨h⟩ ← (1−γ)⟨h⟩ + γ·h: how fast the curvature estimate follows the newest batch.",
    },
    hutchinsonProbe(""),
  ],
});
