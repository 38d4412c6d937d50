/**
 * Per-parameter, optimizer-side methods. Their adaptation lives in the trainer's optimizers; the engine holds
 * their LR-side parameters (so the UI and URL codec read them from the registry like any other) and the
 * global LR sequence they are driven with.
 */
import { num, parseParams } from "./params";
import { SF_BETA_META } from "./scheduleFreeAny";
import { tn } from "./tex";
import type { ParamMeta, SchedulerSpec } from "./types";
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
