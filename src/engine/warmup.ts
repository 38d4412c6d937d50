/**
 * Warmup-and-decay schedules from the transformer world (HF transformers `optimization.py`, the annotated
 * Transformer's Noam rate, WSD), built from the pure combinators in `schedules.ts`. λ multiplies the base LR,
 * except Noam, which is absolute. W = warmup steps, N = total steps.
 */
import { num, parseParams, str } from "./params";
import { py } from "./python";
import { cosine, type Schedule, withWarmup } from "./schedules";
import { lambdaNow, tn } from "./tex";
import { ParamError, type ParamMeta, type Params, type PythonExport, type SchedulerSpec } from "./types";

export interface TimeState {
  t: number;
  lr: number;
  base: number;
}

const warmupMeta: ParamMeta = {
  key: "num_warmup_steps",
  label: "warmup steps",
  type: "int",
  default: 100,
  min: 0,
  uiMax: 5000,
  step: 1,
  help: "LR rises linearly from 0 during these steps (λ(0) = 0).",
  live: "The curve is recomputed from the next step.",
};
const totalMeta: ParamMeta = {
  key: "num_training_steps",
  label: "total steps",
  type: "int",
  default: 1000,
  min: 1,
  uiMax: 20000,
  step: 1,
  help: "Step at which the LR reaches 0; it stays 0 after it.",
};

interface TimeDef extends Pick<SchedulerSpec, "example" | "formula"> {
  /** Its `LambdaLR` lines (the engine's λ in Python) and the library call it equals, if any. */
  python: Extract<PythonExport, { kind: "lambda" }>;
  id: string;
  label: string;
  description: string;
  reference: string;
  params: ParamMeta[];
  check?(p: Params): void;
  /** Multiplier of the base LR (or the absolute LR when `absolute`). */
  lambda(p: Params): Schedule;
  absolute?: boolean;
}

/** A spec for a stateless time-based schedule: the state is only the step counter. */
export function timeSpec(d: TimeDef): SchedulerSpec<TimeState> {
  const value = (p: Params, base: number, t: number) => (d.absolute ? 1 : base) * d.lambda(p)(t);
  return {
    id: d.id,
    label: d.label,
    family: "warmup",
    description: d.description,
    reference: d.reference,
    params: d.params,
    needs: [],
    timing: "after",
    timeBased: true,
    example: d.example,
    formula: d.formula,
    python: d.python,
    parse: (raw) => {
      const p = parseParams(d.id, d.params, raw);
      d.check?.(p);
      return p;
    },
    init: (p, base) => ({ t: 0, lr: value(p, base, 0), base }),
    lr: (s) => s.lr,
    step: (p, s) => {
      const t = s.t + 1;
      const lr = value(p, s.base, t);
      return { lr, state: { t, lr, base: s.base }, events: [] };
    },
    inspect: (_p, s) => [{ label: "step", value: s.t }],
  };
}

export const Constant = timeSpec({
  id: "Constant",
  python: { kind: "lambda", lines: () => ["def lr_lambda(step):", "    return 1.0"] },
  example: () => ({}),
  formula: (v) => {
    const { t, b } = v;
    return { rule: String.raw`\eta_t = \eta_0`, now: String.raw`\eta_{${t}} = ${b}` };
  },
  label: "Constant",
  description: "The base LR at every step: the baseline every schedule is compared against.",
  reference: "—",
  params: [],
  lambda: () => () => 1,
});

/**
 * Robbins–Monro step sizes λ_t = η₀ / (1 + t/τ)^p. Stochastic approximation converges when Σλ_t = ∞ (the steps
 * can travel any distance) and Σλ_t² < ∞ (the noise they add stays bounded): both hold exactly for
 * ½ < p ≤ 1. p = ½ (inverse square root) breaks the second, p > 1 the first.
 */
export const RobbinsMonro = timeSpec({
  id: "RobbinsMonro",
  python: {
    kind: "lambda",
    lines: (p) => ["def lr_lambda(step):", `    return (1 + step / ${py(p.tau)}) ** -${py(p.power)}`],
  },
  example: (x) => ({ params: { tau: x.q(0.1), power: 1 } }),
  formula: (v) => {
    const { p, t, eta, b } = v;
    return {
      rule: String.raw`\eta_t = \frac{\eta_0}{(1 + t/\tau)^{p}},\qquad \textstyle\sum_t \eta_t = \infty \iff p \le 1,\quad \sum_t \eta_t^2 < \infty \iff p > \tfrac12`,
      now: String.raw`\eta_{${t}} = \frac{${b}}{(1 + ${t}/${tn(p.tau)})^{${tn(p.power)}}} = ${eta}`,
    };
  },
  label: "Robbins–Monro decay",
  description: "η₀/(1 + t/τ)^p — the classic stochastic-approximation step; converges for ½ < p ≤ 1.",
  reference: "Robbins & Monro 1951, A Stochastic Approximation Method",
  params: [
    {
      key: "tau",
      label: "τ (time scale)",
      type: "number",
      default: 100,
      min: 0,
      minExclusive: true,
      scale: "log",
      uiMin: 1,
      uiMax: 10000,
      help: "Steps until the LR has fallen by 2^p: larger τ = a longer high-LR phase.",
    },
    {
      key: "power",
      label: "p (power)",
      type: "number",
      default: 1,
      min: 0,
      max: 3,
      step: 0.05,
      help: "Decay exponent. Σλ = ∞ needs p ≤ 1; Σλ² < ∞ needs p > ½.",
    },
  ],
  lambda: (p) => {
    const tau = num(p, "tau");
    const pw = num(p, "power");
    return (t) => (1 + t / tau) ** -pw;
  },
});

export const LinearWithWarmup = timeSpec({
  id: "LinearWithWarmup",
  python: {
    kind: "lambda",
    lines: (p) => [
      `W, N = ${py(p.num_warmup_steps)}, ${py(p.num_training_steps)}`,
      "",
      "def lr_lambda(step):",
      "    if step < W:",
      "        return step / max(1, W)",
      "    return max(0.0, (N - step) / max(1, N - W))",
    ],
    equivalent: (p) =>
      `transformers.get_linear_schedule_with_warmup(optimizer, num_warmup_steps=${py(p.num_warmup_steps)}, num_training_steps=${py(p.num_training_steps)})`,
  },
  example: (x) => ({ params: { num_warmup_steps: x.q(0.05), num_training_steps: x.steps } }),
  formula: (v) => {
    const { p } = v;
    return {
      rule: String.raw`\eta_t = \eta_0 \cdot \begin{cases} t / W & t < W \\ \max\!\left(0, \frac{N - t}{N - W}\right) & t \ge W \end{cases}`,
      now: String.raw`${lambdaNow(v)},\ W = ${p.num_warmup_steps},\ N = ${p.num_training_steps}`,
    };
  },
  label: "Linear decay with warmup",
  description: "Warm up linearly to the base LR, then decay linearly to 0 at the last step.",
  reference: "transformers.get_linear_schedule_with_warmup",
  params: [warmupMeta, totalMeta],
  lambda: (p) => {
    const W = num(p, "num_warmup_steps");
    const N = num(p, "num_training_steps");
    return withWarmup(W, (t) => Math.max(0, (N - t) / Math.max(1, N - W)));
  },
});

export const CosineWithWarmup = timeSpec({
  id: "CosineWithWarmup",
  python: {
    kind: "lambda",
    lines: (p) => [
      `W, N, CYCLES = ${py(p.num_warmup_steps)}, ${py(p.num_training_steps)}, ${py(p.num_cycles)}`,
      "",
      "def lr_lambda(step):",
      "    if step < W:",
      "        return step / max(1, W)",
      "    q = (step - W) / max(1, N - W)",
      "    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * CYCLES * 2 * q)))",
    ],
    equivalent: (p) =>
      `transformers.get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=${py(p.num_warmup_steps)}, num_training_steps=${py(p.num_training_steps)}, num_cycles=${py(p.num_cycles)})`,
  },
  example: (x) => ({ params: { num_warmup_steps: x.q(0.05), num_training_steps: x.steps } }),
  formula: (v) => {
    const { p } = v;
    return {
      rule: String.raw`\eta_t = \eta_0 \cdot \begin{cases} t / W & t < W \\ \max\!\left(0, \tfrac12\left(1 + \cos 2\pi c\,\tfrac{t - W}{N - W}\right)\right) & t \ge W \end{cases}`,
      now: String.raw`${lambdaNow(v)},\ W = ${p.num_warmup_steps},\ N = ${p.num_training_steps},\ c = ${tn(p.num_cycles)}`,
    };
  },
  label: "Cosine decay with warmup",
  description:
    "Warm up linearly to the base LR, then follow a cosine down to 0 at num_training_steps (and up again past it, as HF's).",
  reference: "transformers.get_cosine_schedule_with_warmup",
  params: [
    warmupMeta,
    {
      ...totalMeta,
      help: "Step at which the cosine (0.5 cycles) reaches 0. Past it the cosine goes on and the LR rises again, as HF's does: set it to the run's length.",
    },
    {
      key: "num_cycles",
      label: "cycles",
      type: "number",
      default: 0.5,
      min: 0,
      uiMax: 5,
      step: 0.5,
      help: "Number of cosine waves after warmup (0.5 = one half cosine down to 0).",
    },
  ],
  lambda: (p) => {
    const W = num(p, "num_warmup_steps");
    const N = num(p, "num_training_steps");
    const c = num(p, "num_cycles");
    return withWarmup(W, (t) => {
      const q = (t - W) / Math.max(1, N - W);
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * c * 2 * q)));
    });
  },
});

export const InverseSqrt = timeSpec({
  id: "InverseSqrt",
  python: {
    kind: "lambda",
    lines: (p) => [
      `W, TAU = ${py(p.num_warmup_steps)}, ${py((p.timescale as number | null) || (p.num_warmup_steps as number) || 10_000)}`,
      "",
      "def lr_lambda(step):",
      "    if step < W:",
      "        return step / max(1, W)",
      "    return 1 / math.sqrt((step + TAU - W) / TAU)",
    ],
    equivalent: (p) =>
      `transformers.get_inverse_sqrt_schedule(optimizer, num_warmup_steps=${py(p.num_warmup_steps)}${p.timescale ? `, timescale=${py(p.timescale)}` : ""})`,
  },
  example: (x) => ({ params: { num_warmup_steps: x.q(0.05) } }),
  formula: (v) => {
    const { p } = v;
    return {
      rule: String.raw`\eta_t = \eta_0 \cdot \begin{cases} t / W & t < W \\ 1/\sqrt{(t + \tau - W)/\tau} & t \ge W \end{cases}`,
      now: String.raw`${lambdaNow(v)},\ W = ${p.num_warmup_steps}`,
    };
  },
  label: "Inverse square root",
  description: "Warm up, then decay as 1/√t (λ = 1 at the end of warmup).",
  reference: "transformers.get_inverse_sqrt_schedule",
  params: [
    { ...warmupMeta, default: 100 },
    {
      key: "timescale",
      label: "timescale τ",
      type: "int",
      default: null,
      nullable: true,
      min: 1,
      uiMax: 10000,
      step: 1,
      help: "Decay time scale (empty = warmup steps, or 10 000 without warmup).",
    },
  ],
  lambda: (p) => {
    const W = num(p, "num_warmup_steps");
    const tau = (p.timescale as number | null) || W || 10_000;
    return withWarmup(W, (t) => 1 / Math.sqrt((t + tau - W) / tau));
  },
});

export const Noam = timeSpec({
  id: "Noam",
  // The Annotated Transformer's rate is absolute: divided by the optimizer's LR, LambdaLR gives it exactly.
  python: {
    kind: "lambda",
    lines: (p) => [
      `D_MODEL, WARMUP, FACTOR = ${py(p.d_model)}, ${py(p.warmup)}, ${py(p.factor)}`,
      "",
      "def lr_lambda(step, base_lr=optimizer.param_groups[0]['lr']):",
      "    s = max(step, 1)",
      "    return FACTOR * D_MODEL ** -0.5 * min(s ** -0.5, s * WARMUP ** -1.5) / base_lr",
    ],
  },
  example: (x) => ({ params: { d_model: 64, warmup: x.q(0.1), factor: x.baseLr * 8 } }),
  formula: (v) => {
    const { p, t, eta } = v;
    return {
      rule: String.raw`\eta_t = \text{factor} \cdot d^{-1/2} \min\!\left(s^{-1/2},\ s\,W^{-3/2}\right),\ s = \max(t, 1)`,
      now: String.raw`\eta_{${t}} = ${tn(p.factor)} \cdot ${p.d_model}^{-1/2} \min\!\left(${Math.max(t, 1)}^{-1/2},\ ${Math.max(t, 1)} \cdot ${p.warmup}^{-3/2}\right) = ${eta}`,
    };
  },
  label: "Noam (Transformer)",
  description:
    "The original Transformer rate: factor·d_model^−½·min(s^−½, s·W^−1.5). Absolute: ignores the base LR.",
  reference: "Vaswani et al. 2017; the annotated Transformer (s = 0 is mapped to 1)",
  absolute: true,
  params: [
    {
      key: "d_model",
      label: "d_model",
      type: "int",
      default: 512,
      min: 1,
      uiMax: 4096,
      step: 1,
      help: "Model width.",
    },
    { ...warmupMeta, key: "warmup", label: "warmup", default: 4000, min: 1, help: "Steps of linear warmup." },
    {
      key: "factor",
      label: "factor",
      type: "number",
      default: 1,
      min: 0,
      minExclusive: true,
      scale: "log",
      uiMin: 0.01,
      uiMax: 10,
      help: "Overall multiplier.",
    },
  ],
  lambda: (p) => {
    const d = num(p, "d_model");
    const W = num(p, "warmup");
    const f = num(p, "factor");
    return (t) => {
      const s = Math.max(t, 1);
      return f * d ** -0.5 * Math.min(s ** -0.5, s * W ** -1.5);
    };
  },
});

const DECAYS: Record<string, (q: number) => number> = {
  linear: (q) => 1 - q,
  cosine: (q) => cosine(1, 0, 1)(q),
  "1-sqrt": (q) => 1 - Math.sqrt(q),
};

export const WSD = timeSpec({
  id: "WSD",
  python: {
    kind: "lambda",
    lines: (p) => [
      `W, S, D, MIN_RATIO = ${py(p.num_warmup_steps)}, ${py(p.num_stable_steps)}, ${py(p.num_decay_steps)}, ${py(p.min_lr_ratio)}`,
      "",
      "def decay(q):",
      p.decay_type === "linear"
        ? "    return 1 - q"
        : p.decay_type === "1-sqrt"
          ? "    return 1 - math.sqrt(q)"
          : "    return (1 + math.cos(math.pi * min(max(q, 0), 1))) / 2",
      "",
      "def lr_lambda(step):",
      "    if step < W:",
      "        return max(0.0, step / max(1, W) * (1 - MIN_RATIO) + MIN_RATIO)",
      "    if step < W + S:",
      "        return 1.0",
      "    if step < W + S + D:",
      "        return max(0.0, decay((step - W - S) / max(1, D)) * (1 - MIN_RATIO) + MIN_RATIO)",
      "    return MIN_RATIO",
    ],
    equivalent: (p) =>
      `transformers.get_wsd_schedule(optimizer, num_warmup_steps=${py(p.num_warmup_steps)}, num_stable_steps=${py(p.num_stable_steps)}, num_decay_steps=${py(p.num_decay_steps)}, min_lr_ratio=${py(p.min_lr_ratio)}, decay_type=${py(p.decay_type)})`,
  },
  example: (x) => ({
    params: { num_warmup_steps: x.q(0.05), num_stable_steps: x.q(0.75), num_decay_steps: x.q(0.2) },
  }),
  formula: (v) => {
    const { p } = v;
    return {
      rule: String.raw`\eta_t = \eta_0 \cdot \begin{cases} t / W & \text{warmup} \\ 1 & \text{stable} \\ r + (1 - r)\,d(q) & \text{decay, } q \in [0, 1] \\ r & \text{after} \end{cases}`,
      now: String.raw`${lambdaNow(v)},\ r = ${tn(p.min_lr_ratio)},\ d = \text{${p.decay_type}}`,
    };
  },
  label: "Warmup–stable–decay",
  description:
    "Warm up from min_lr_ratio·base, hold the base LR for a long stable phase, then decay quickly to min_lr_ratio·base.",
  reference: "transformers.get_wsd_schedule, linear warmup (MiniCPM / Hägele et al.)",
  params: [
    {
      ...warmupMeta,
      help: "LR rises linearly from min_lr_ratio·base to the base during these steps (from 0 when min_lr_ratio = 0), as in HF.",
    },
    {
      key: "num_stable_steps",
      label: "stable steps",
      type: "int",
      default: 700,
      min: 0,
      uiMax: 20000,
      step: 1,
      help: "Steps held at the base LR.",
    },
    {
      key: "num_decay_steps",
      label: "decay steps",
      type: "int",
      default: 200,
      min: 0,
      uiMax: 20000,
      step: 1,
      help: "Length of the final decay.",
    },
    {
      key: "min_lr_ratio",
      label: "min LR ratio",
      type: "number",
      default: 0,
      min: 0,
      max: 1,
      step: 0.01,
      help: "Floor of the schedule as a fraction of the base: where the warmup starts and the decay ends.",
    },
    {
      key: "decay_type",
      label: "decay shape",
      type: "enum",
      default: "cosine",
      options: ["linear", "cosine", "1-sqrt"],
      help: "Shape of the decay phase.",
    },
  ],
  lambda: (p) => {
    const W = num(p, "num_warmup_steps");
    const S = num(p, "num_stable_steps");
    const D = num(p, "num_decay_steps");
    const m = num(p, "min_lr_ratio");
    const f = DECAYS[str(p, "decay_type")];
    // As HF transformers' _get_wsd_scheduler_lambda (linear warmup): warmup and decay both run between
    // min_lr_ratio and 1, so with min_lr_ratio > 0 the warmup starts at min_lr_ratio·base, not at 0.
    const between = (x: number) => Math.max(0, x * (1 - m) + m);
    return (t) => {
      if (t < W) return between(t / Math.max(1, W));
      if (t < W + S) return 1;
      if (t < W + S + D) return between(f((t - W - S) / Math.max(1, D)));
      return m;
    };
  },
  check: (p) => {
    if (!(str(p, "decay_type") in DECAYS)) throw new ParamError("WSD", "decay_type", "is unknown");
  },
});
