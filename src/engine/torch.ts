/**
 * The PyTorch family, simulated exactly as `torch.optim.lr_scheduler` 1.13 runs it.
 *
 * PyTorch's schedulers are *chainable*: most compute the next LR recursively from the optimizer's current
 * `group["lr"]`, not from a closed form, and several schedulers can act on one shared param group
 * (SequentialLR, ChainedScheduler). To be exact in every composition we simulate that shared group
 * (`Group`) and each scheduler's counters (`ChildState`) as plain data. The quirks this reproduces on purpose:
 * - CosineAnnealingLR has no restart: past T_max the cosine climbs back up (period 2·T_max).
 * - ConstantLR with total_iters = 0 keeps base·factor forever (the recursive form never undoes the factor).
 * - SequentialLR restarts the next child at its step-0 value (closed form) exactly at each milestone.
 * - CyclicLR / OneCycleLR overwrite the optimizer's LR at construction (base_lr / max_lr÷div_factor).
 * - OneCycleLR past its schedule: PyTorch extrapolates its last phase at step total_steps (linear annealing
 *   goes below min_lr there, even below 0) and raises after; LR Lab holds the LR of the last step,
 *   total_steps − 1, and emits an event.
 */
import { num, parseParams, str } from "./params";
import { tn } from "./tex";
import {
  type Internal,
  ParamError,
  type ParamMeta,
  type Params,
  type SchedulerConfig,
  type SchedulerEvent,
  type SchedulerSpec,
  type StepResult,
} from "./types";

/** The optimizer's param group as PyTorch's schedulers see it (one group). */
export interface Group {
  lr: number;
  initialLr: number | null;
  momentum: number;
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
}

/** One PyTorch scheduler's own counters. */
export interface ChildState {
  lastEpoch: number;
  stepCount: number;
  baseLr: number;
  /** Class-specific extras (T_cur, T_i, base momentum...). */
  x: Record<string, number>;
}

/** The momentum an optimizer is built with in the golden convention (SGD, momentum 0.9). */
export const OPTIMIZER_MOMENTUM = 0.9;

interface TorchImpl extends Pick<SchedulerSpec, "example" | "formula"> {
  name: string;
  label: string;
  description: string;
  params: readonly ParamMeta[];
  /** Cross-parameter checks PyTorch makes in __init__. */
  check?(p: Params): void;
  /** __init__ work done before `super().__init__` (may write the group). */
  setup?(p: Params, g: Group): void;
  /** Extra counters created before the initial step. */
  initX?(p: Params): Record<string, number>;
  /** __init__ work done after `super().__init__`. */
  post?(p: Params, cs: ChildState, g: Group): void;
  /** Chainable form at cs.lastEpoch (may set g.momentum). */
  getLr?(p: Params, cs: ChildState, g: Group): number;
  /** Closed form, used by step(epoch) (SequentialLR milestones). */
  closed?(p: Params, cs: ChildState): number;
  /** Classes that override step() entirely (CosineAnnealingWarmRestarts). */
  customStep?(p: Params, cs: ChildState, g: Group, epoch: number | undefined): void;
  /** Words for what happened on this step, if anything notable. */
  describe?(p: Params, cs: ChildState, before: number, after: number): SchedulerEvent["kind"] | null;
  inspect?(p: Params, cs: ChildState, g: Group): Internal[];
  cyclesMomentum?(p: Params): boolean;
}

const pyMod = (a: number, m: number): number => ((a % m) + m) % m;

function stepChild(impl: TorchImpl, p: Params, cs: ChildState, g: Group, epoch?: number): void {
  cs.stepCount += 1;
  if (impl.customStep) {
    impl.customStep(p, cs, g, epoch);
    return;
  }
  if (epoch === undefined) {
    cs.lastEpoch += 1;
    g.lr = impl.getLr!(p, cs, g);
  } else {
    cs.lastEpoch = epoch;
    g.lr = impl.closed ? impl.closed(p, cs) : impl.getLr!(p, cs, g);
  }
}

function initialStep(impl: TorchImpl, p: Params, cs: ChildState, g: Group): void {
  cs.stepCount = 0;
  stepChild(impl, p, cs, g);
}

/** Runs a scheduler's constructor against the group: returns its counters, mutates `g`. */
function construct(impl: TorchImpl, p: Params, g: Group): ChildState {
  impl.setup?.(p, g);
  if (g.initialLr === null) g.initialLr = g.lr;
  const cs: ChildState = { lastEpoch: -1, stepCount: 0, baseLr: g.initialLr, x: impl.initX?.(p) ?? NO_X };
  initialStep(impl, p, cs, g);
  impl.post?.(p, cs, g);
  return cs;
}

// Explicit field copies: object spread of these small records measured ~20× slower in V8 (bench:engine).
const NO_X: Record<string, number> = Object.freeze({}) as Record<string, number>;
function cloneCs(cs: ChildState): ChildState {
  let x = NO_X;
  for (const k in cs.x) {
    if (x === NO_X) x = {};
    x[k] = cs.x[k];
  }
  return { lastEpoch: cs.lastEpoch, stepCount: cs.stepCount, baseLr: cs.baseLr, x };
}
const cloneG = (g: Group): Group => ({
  lr: g.lr,
  initialLr: g.initialLr,
  momentum: g.momentum,
  maxLr: g.maxLr,
  minLr: g.minLr,
  maxMomentum: g.maxMomentum,
  baseMomentum: g.baseMomentum,
});

// ---------------------------------------------------------------------------------------------------------
// Parameter tables (PyTorch keyword names and defaults)

const gammaMeta = (def: number | null, help: string): ParamMeta => ({
  key: "gamma",
  label: "γ (decay factor)",
  type: "number",
  default: def,
  min: 0,
  minExclusive: true,
  uiMin: 0.5,
  uiMax: 1,
  step: 0.001,
  scale: "linear",
  help,
  live: "Applies from the next decay; the LR already reached is kept.",
});

const totalItersMeta = (def: number, help: string): ParamMeta => ({
  key: "total_iters",
  label: "total_iters",
  type: "int",
  default: def,
  min: 0,
  uiMax: 2000,
  step: 1,
  help,
});

const IMPLS: TorchImpl[] = [
  {
    name: "StepLR",
    example: (x) => ({ params: { step_size: x.q(0.3), gamma: 0.5 } }),
    formula: (v) => {
      const { p, t, eta, b } = v;
      return {
        rule: String.raw`\eta_t = \eta_0 \cdot \gamma^{\lfloor t / s \rfloor}`,
        now: String.raw`\eta_{${t}} = ${b} \cdot ${tn(p.gamma)}^{\lfloor ${t} / ${p.step_size} \rfloor} = ${eta}`,
      };
    },
    label: "Step decay",
    description: "Multiply the LR by γ every step_size steps.",
    params: [
      {
        key: "step_size",
        label: "step_size",
        type: "int",
        default: 30,
        min: 1,
        uiMax: 1000,
        step: 1,
        help: "Steps between two decays.",
      },
      gammaMeta(0.1, "Factor applied at each decay (0.1 = divide by 10)."),
    ],
    getLr: (p, cs, g) =>
      cs.lastEpoch === 0 || cs.lastEpoch % num(p, "step_size") !== 0 ? g.lr : g.lr * num(p, "gamma"),
    closed: (p, cs) => cs.baseLr * num(p, "gamma") ** Math.floor(cs.lastEpoch / num(p, "step_size")),
    describe: (_p, _cs, a, b) => (b < a ? "decrease" : b > a ? "increase" : null),
  },
  {
    name: "MultiStepLR",
    example: (x) => ({ params: { milestones: [x.q(0.5), x.q(0.75)], gamma: 0.3 } }),
    formula: (v) => {
      const { p, t, eta, b } = v;
      return {
        rule: String.raw`\eta_t = \eta_0 \cdot \gamma^{\#\{m \in M : m \le t\}}`,
        now: String.raw`\eta_{${t}} = ${b} \cdot ${tn(p.gamma)}^{${(p.milestones as number[]).filter((m) => m <= t).length}} = ${eta}`,
      };
    },
    label: "Multi-step decay",
    description: "Multiply the LR by γ at each milestone (a repeated milestone counts twice).",
    params: [
      {
        key: "milestones",
        label: "milestones",
        type: "intList",
        default: [30, 60, 90],
        min: 0,
        help: "Steps at which the LR is multiplied by γ.",
      },
      gammaMeta(0.1, "Factor applied at each milestone."),
    ],
    getLr: (p, cs, g) => {
      const hits = (p.milestones as number[]).filter((m) => m === cs.lastEpoch).length;
      return hits === 0 ? g.lr : g.lr * num(p, "gamma") ** hits;
    },
    closed: (p, cs) =>
      cs.baseLr * num(p, "gamma") ** (p.milestones as number[]).filter((m) => m <= cs.lastEpoch).length,
    describe: (_p, _cs, a, b) => (b < a ? "decrease" : b > a ? "increase" : null),
  },
  {
    name: "ConstantLR",
    example: (x) => ({ params: { factor: 0.25, total_iters: x.q(0.1) } }),
    formula: (v) => {
      const { p, t, eta, b } = v;
      return {
        rule: String.raw`\eta_t = \eta_0 \cdot \begin{cases} f & t < T \\ 1 & t \ge T \end{cases}`,
        now: String.raw`\eta_{${t}} = ${b} \cdot ${t < (p.total_iters as number) ? tn(p.factor) : 1} = ${eta}`,
      };
    },
    label: "Constant factor (warm-up)",
    description: "Use base·factor for the first total_iters steps, then base.",
    params: [
      {
        key: "factor",
        label: "factor",
        type: "number",
        default: 1 / 3,
        min: 0,
        max: 1,
        step: 0.01,
        help: "Multiplier during the first total_iters steps (0..1).",
      },
      totalItersMeta(5, "Steps run at the reduced LR."),
    ],
    getLr: (p, cs, g) => {
      const f = num(p, "factor");
      const T = num(p, "total_iters");
      if (cs.lastEpoch === 0) return g.lr * f;
      if (cs.lastEpoch !== T) return g.lr;
      return g.lr * (1 / f);
    },
    closed: (p, cs) => {
      const f = num(p, "factor");
      return cs.baseLr * (f + (cs.lastEpoch >= num(p, "total_iters") ? 1 : 0) * (1 - f));
    },
  },
  {
    name: "LinearLR",
    example: (x) => ({ params: { start_factor: 0.1, end_factor: 1, total_iters: x.q(0.1) } }),
    formula: (v) => {
      const { p, t, eta, b } = v;
      return {
        rule: String.raw`\eta_t = \eta_0 \left(f_s + (f_e - f_s)\,\tfrac{\min(t, T)}{T}\right)`,
        now: String.raw`\eta_{${t}} = ${b} \left(${tn(p.start_factor)} + (${tn(p.end_factor)} - ${tn(p.start_factor)})\,\tfrac{${Math.min(t, p.total_iters as number)}}{${p.total_iters}}\right) = ${eta}`,
      };
    },
    label: "Linear ramp",
    description: "Scale the LR linearly from start_factor·base to end_factor·base over total_iters steps.",
    params: [
      {
        key: "start_factor",
        label: "start_factor",
        type: "number",
        default: 1 / 3,
        min: 0,
        minExclusive: true,
        max: 1,
        step: 0.01,
        help: "Multiplier at step 0 (0 < f ≤ 1).",
      },
      {
        key: "end_factor",
        label: "end_factor",
        type: "number",
        default: 1,
        min: 0,
        max: 1,
        step: 0.01,
        help: "Multiplier reached at total_iters (0 ≤ f ≤ 1).",
      },
      totalItersMeta(5, "Length of the ramp in steps."),
    ],
    getLr: (p, cs, g) => {
      const sf = num(p, "start_factor");
      const ef = num(p, "end_factor");
      const T = num(p, "total_iters");
      if (cs.lastEpoch === 0) return g.lr * sf;
      if (cs.lastEpoch > T) return g.lr;
      return g.lr * (1 + (ef - sf) / (T * sf + (cs.lastEpoch - 1) * (ef - sf)));
    },
    closed: (p, cs) => {
      const sf = num(p, "start_factor");
      const ef = num(p, "end_factor");
      const T = num(p, "total_iters");
      return cs.baseLr * (sf + ((ef - sf) * Math.min(T, cs.lastEpoch)) / T);
    },
  },
  {
    name: "ExponentialLR",
    example: (x) => ({ params: { gamma: Number((0.01 ** (1 / x.steps)).toFixed(5)) } }),
    formula: (v) => {
      const { p, t, eta, b } = v;
      return {
        rule: String.raw`\eta_t = \eta_0 \cdot \gamma^{t}`,
        now: String.raw`\eta_{${t}} = ${b} \cdot ${tn(p.gamma)}^{${t}} = ${eta}`,
      };
    },
    label: "Exponential decay",
    description: "Multiply the LR by γ after every step.",
    params: [gammaMeta(null, "Factor applied every step (0.99 halves the LR in ~69 steps).")],
    check: (p) => {
      if (p.gamma === null) throw new ParamError("ExponentialLR", "gamma", "is required");
    },
    getLr: (p, cs, g) => (cs.lastEpoch === 0 ? g.lr : g.lr * num(p, "gamma")),
    closed: (p, cs) => cs.baseLr * num(p, "gamma") ** cs.lastEpoch,
  },
  {
    name: "PolynomialLR",
    example: (x) => ({ params: { total_iters: x.steps, power: 2 } }),
    formula: (v) => {
      const { p, t, eta, b } = v;
      return {
        rule: String.raw`\eta_t = \eta_0 \left(1 - \tfrac{\min(t, T)}{T}\right)^{p}`,
        now: String.raw`\eta_{${t}} = ${b} \left(1 - \tfrac{${Math.min(t, p.total_iters as number)}}{${p.total_iters}}\right)^{${tn(p.power)}} = ${eta}`,
      };
    },
    label: "Polynomial decay",
    description: "Decay the LR as (1 − t/total_iters)^power, reaching exactly 0 at total_iters.",
    params: [
      totalItersMeta(5, "Steps until the LR reaches 0."),
      {
        key: "power",
        label: "power",
        type: "number",
        default: 1,
        min: 0,
        uiMax: 5,
        step: 0.1,
        help: "1 = linear decay; 2 = quadratic.",
      },
    ],
    getLr: (p, cs, g) => {
      const T = num(p, "total_iters");
      const t = cs.lastEpoch;
      if (t === 0 || t > T) return g.lr;
      return g.lr * ((1 - t / T) / (1 - (t - 1) / T)) ** num(p, "power");
    },
    closed: (p, cs) =>
      cs.baseLr *
      (1 - Math.min(num(p, "total_iters"), cs.lastEpoch) / num(p, "total_iters")) ** num(p, "power"),
  },
  {
    name: "CosineAnnealingLR",
    example: (x) => ({ params: { T_max: x.steps, eta_min: 0 } }),
    formula: (v) => {
      const { p, t, eta, b } = v;
      return {
        rule: String.raw`\eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})\left(1 + \cos\frac{\pi t}{T_{\max}}\right)`,
        now: String.raw`\eta_{${t}} = ${tn(p.eta_min)} + \tfrac12(${b} - ${tn(p.eta_min)})\left(1 + \cos\frac{\pi \cdot ${t}}{${p.T_max}}\right) = ${eta}`,
      };
    },
    label: "Cosine annealing",
    description:
      "Follow a half cosine from base down to eta_min over T_max steps (no restart: it climbs back).",
    params: [
      {
        key: "T_max",
        label: "T_max",
        type: "int",
        default: null,
        min: 1,
        uiMax: 5000,
        step: 1,
        help: "Half-period in steps: the LR reaches eta_min at T_max.",
      },
      {
        key: "eta_min",
        label: "eta_min",
        type: "number",
        default: 0,
        min: 0,
        uiMax: 0.1,
        scale: "linear",
        step: 0.0001,
        help: "Lowest LR of the cosine.",
      },
    ],
    check: (p) => {
      if (p.T_max === null) throw new ParamError("CosineAnnealingLR", "T_max", "is required");
    },
    getLr: (p, cs, g) => {
      const T = num(p, "T_max");
      const eta = num(p, "eta_min");
      const t = cs.lastEpoch;
      if (t === 0) return g.lr;
      if (cs.stepCount === 1 && t > 0)
        return eta + ((cs.baseLr - eta) * (1 + Math.cos((t * Math.PI) / T))) / 2;
      if (pyMod(t - 1 - T, 2 * T) === 0) return g.lr + ((cs.baseLr - eta) * (1 - Math.cos(Math.PI / T))) / 2;
      return (
        ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (g.lr - eta) + eta
      );
    },
    closed: (p, cs) => {
      const eta = num(p, "eta_min");
      return eta + ((cs.baseLr - eta) * (1 + Math.cos((Math.PI * cs.lastEpoch) / num(p, "T_max")))) / 2;
    },
  },
  {
    name: "CosineAnnealingWarmRestarts",
    example: (x) => ({ params: { T_0: x.q(0.25), T_mult: 1, eta_min: 0 } }),
    formula: (v) => {
      const { p, t, eta, since } = v;
      return {
        rule: String.raw`\eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})\left(1 + \cos\frac{\pi T_{\text{cur}}}{T_i}\right),\ T_{i+1} = T_{\text{mult}} T_i`,
        now: String.raw`\eta_{${t}} = ${eta},\ T_0 = ${p.T_0},\ T_{\text{mult}} = ${p.T_mult}`,
        because: since,
      };
    },
    label: "Cosine with warm restarts (SGDR)",
    description:
      "Cosine from base to eta_min over T_i steps, then restart; each period is T_mult times longer.",
    params: [
      {
        key: "T_0",
        label: "T_0",
        type: "int",
        default: null,
        min: 1,
        uiMax: 2000,
        step: 1,
        help: "First period.",
      },
      {
        key: "T_mult",
        label: "T_mult",
        type: "int",
        default: 1,
        min: 1,
        uiMax: 4,
        step: 1,
        help: "Growth of the period after each restart.",
      },
      {
        key: "eta_min",
        label: "eta_min",
        type: "number",
        default: 0,
        min: 0,
        uiMax: 0.1,
        step: 0.0001,
        help: "Lowest LR of each cosine.",
      },
    ],
    check: (p) => {
      if (p.T_0 === null) throw new ParamError("CosineAnnealingWarmRestarts", "T_0", "is required");
    },
    initX: (p) => ({ T_cur: -1, T_i: num(p, "T_0") }),
    customStep: (p, cs, g, epoch) => {
      const T0 = num(p, "T_0");
      const Tm = num(p, "T_mult");
      let e: number;
      if (epoch === undefined && cs.lastEpoch < 0) epoch = 0;
      if (epoch === undefined) {
        e = cs.lastEpoch + 1;
        cs.x.T_cur += 1;
        if (cs.x.T_cur >= cs.x.T_i) {
          cs.x.T_cur -= cs.x.T_i;
          cs.x.T_i *= Tm;
          cs.x.restarts = (cs.x.restarts ?? 0) + 1;
        }
      } else {
        e = epoch;
        if (e >= T0) {
          if (Tm === 1) cs.x.T_cur = e % T0;
          else {
            const n = Math.trunc(Math.log((e / T0) * (Tm - 1) + 1) / Math.log(Tm));
            cs.x.T_cur = e - (T0 * (Tm ** n - 1)) / (Tm - 1);
            cs.x.T_i = T0 * Tm ** n;
          }
        } else {
          cs.x.T_i = T0;
          cs.x.T_cur = e;
        }
      }
      cs.lastEpoch = Math.floor(e);
      const eta = num(p, "eta_min");
      g.lr = eta + ((cs.baseLr - eta) * (1 + Math.cos((Math.PI * cs.x.T_cur) / cs.x.T_i))) / 2;
    },
    describe: (_p, cs, a, b) => (cs.x.T_cur === 0 && b > a ? "restart" : null),
    inspect: (_p, cs) => [
      { label: "T_cur", value: cs.x.T_cur, limit: cs.x.T_i },
      { label: "period T_i", value: cs.x.T_i },
    ],
  },
  {
    name: "CyclicLR",
    example: (x) => ({
      params: { base_lr: x.baseLr / 10, max_lr: x.baseLr, step_size_up: x.q(0.1), cycle_momentum: false },
    }),
    formula: (v) => {
      const { p, t, eta } = v;
      return {
        rule: String.raw`\eta_t = \eta_{\text{base}} + (\eta_{\max} - \eta_{\text{base}}) \max(0, 1 - x)\, s(\text{cycle}),\ x = \left|\tfrac{t}{S} - 2\,\text{cycle} + 1\right|`,
        now: String.raw`\eta_{${t}} = ${eta},\ [\eta_{\text{base}}, \eta_{\max}] = [${tn(p.base_lr)}, ${tn(p.max_lr)}],\ S = ${p.step_size_up},\ \text{mode} = \text{${p.mode}}`,
      };
    },
    label: "Cyclical LR (CLR)",
    description: "Sweep the LR between base_lr and max_lr in triangular cycles (optionally shrinking).",
    params: [
      {
        key: "base_lr",
        label: "base_lr",
        type: "number",
        default: null,
        min: 0,
        scale: "log",
        uiMin: 1e-5,
        uiMax: 1,
        help: "Lower bound of the cycle (overrides the optimizer's LR).",
      },
      {
        key: "max_lr",
        label: "max_lr",
        type: "number",
        default: null,
        min: 0,
        scale: "log",
        uiMin: 1e-5,
        uiMax: 1,
        help: "Upper bound of the cycle.",
      },
      {
        key: "step_size_up",
        label: "step_size_up",
        type: "int",
        default: 2000,
        min: 1,
        uiMax: 2000,
        step: 1,
        help: "Steps from base_lr up to max_lr.",
      },
      {
        key: "step_size_down",
        label: "step_size_down",
        type: "int",
        default: null,
        nullable: true,
        min: 1,
        uiMax: 2000,
        step: 1,
        help: "Steps back down (empty = step_size_up).",
      },
      {
        key: "mode",
        label: "mode",
        type: "enum",
        default: "triangular",
        options: ["triangular", "triangular2", "exp_range"],
        help: "triangular: constant amplitude; triangular2: halves each cycle; exp_range: amplitude × γ^t.",
      },
      gammaMeta(1, "Amplitude decay per step in exp_range mode."),
      {
        key: "scale_fn",
        label: "scale_fn",
        type: "enum",
        default: null,
        nullable: true,
        options: [],
        help: "Custom Python scale functions cannot be expressed here; leave empty.",
      },
      {
        key: "scale_mode",
        label: "scale_mode",
        type: "enum",
        default: "cycle",
        options: ["cycle", "iterations"],
        help: "Only used with a custom scale_fn (ignored, as in PyTorch).",
      },
      {
        key: "cycle_momentum",
        label: "cycle momentum",
        type: "bool",
        default: true,
        help: "Cycle momentum inversely to the LR (max_momentum at base_lr).",
      },
      {
        key: "base_momentum",
        label: "base_momentum",
        type: "number",
        default: 0.8,
        min: 0,
        max: 1,
        step: 0.01,
        help: "Momentum at the LR peak.",
      },
      {
        key: "max_momentum",
        label: "max_momentum",
        type: "number",
        default: 0.9,
        min: 0,
        max: 1,
        step: 0.01,
        help: "Momentum at the LR trough.",
      },
    ],
    check: (p) => {
      if (p.base_lr === null) throw new ParamError("CyclicLR", "base_lr", "is required");
      if (p.max_lr === null) throw new ParamError("CyclicLR", "max_lr", "is required");
    },
    setup: (p, g) => {
      g.lr = num(p, "base_lr");
      if (p.cycle_momentum) g.momentum = num(p, "base_momentum");
    },
    initX: () => ({}),
    post: (p, cs) => {
      cs.baseLr = num(p, "base_lr");
    },
    getLr: (p, cs, g) => {
      const up = num(p, "step_size_up");
      const down = p.step_size_down === null ? up : num(p, "step_size_down");
      const total = up + down;
      const ratio = up / total;
      const t = cs.lastEpoch;
      const cycle = Math.floor(1 + t / total);
      const x = 1 + t / total - cycle;
      const s = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
      const mode = str(p, "mode");
      const scale =
        mode === "triangular" ? 1 : mode === "triangular2" ? 1 / 2 ** (cycle - 1) : num(p, "gamma") ** t;
      if (p.cycle_momentum) {
        const bm = num(p, "base_momentum");
        const mm = num(p, "max_momentum");
        g.momentum = mm - (mm - bm) * s * scale;
      }
      return cs.baseLr + (num(p, "max_lr") - cs.baseLr) * s * scale;
    },
    cyclesMomentum: (p) => p.cycle_momentum === true,
    describe: (p, cs) => {
      const up = num(p, "step_size_up");
      const down = p.step_size_down === null ? up : num(p, "step_size_down");
      return cs.lastEpoch > 0 && cs.lastEpoch % (up + down) === 0 ? "restart" : null;
    },
  },
  {
    name: "OneCycleLR",
    example: (x) => ({ params: { max_lr: x.baseLr, total_steps: x.steps } }),
    formula: (v) => {
      const { p, t, eta } = v;
      return {
        rule: String.raw`\eta: \tfrac{\eta_{\max}}{d} \nearrow \eta_{\max} \text{ (first } p_{\text{start}} \text{ of the run)} \searrow \tfrac{\eta_{\max}}{d\, d_{\text{final}}},\quad \beta \text{ moves the opposite way}`,
        now: String.raw`\eta_{${t}} = ${eta},\ \eta_{\max} = ${tn(p.max_lr)},\ d = ${tn(p.div_factor)},\ p_{\text{start}} = ${tn(p.pct_start)}`,
      };
    },
    label: "One-cycle",
    description:
      "Warm up from max_lr/div_factor to max_lr, then anneal far below the start (momentum mirrors it).",
    params: [
      {
        key: "max_lr",
        label: "max_lr",
        type: "number",
        default: null,
        min: 0,
        minExclusive: true,
        scale: "log",
        uiMin: 1e-4,
        uiMax: 1,
        help: "Peak LR.",
      },
      {
        key: "total_steps",
        label: "total_steps",
        type: "int",
        default: null,
        nullable: true,
        min: 1,
        uiMax: 20000,
        step: 1,
        help: "Length of the cycle (or epochs × steps_per_epoch).",
      },
      {
        key: "epochs",
        label: "epochs",
        type: "int",
        default: null,
        nullable: true,
        min: 1,
        help: "See total_steps.",
      },
      {
        key: "steps_per_epoch",
        label: "steps_per_epoch",
        type: "int",
        default: null,
        nullable: true,
        min: 1,
        help: "See total_steps.",
      },
      {
        key: "pct_start",
        label: "pct_start",
        type: "number",
        default: 0.3,
        min: 0,
        max: 1,
        step: 0.01,
        help: "Fraction of the cycle spent increasing the LR.",
      },
      {
        key: "anneal_strategy",
        label: "anneal strategy",
        type: "enum",
        default: "cos",
        options: ["cos", "linear"],
        help: "Shape of each phase.",
      },
      {
        key: "cycle_momentum",
        label: "cycle momentum",
        type: "bool",
        default: true,
        help: "Move momentum opposite to the LR.",
      },
      {
        key: "base_momentum",
        label: "base_momentum",
        type: "number",
        default: 0.85,
        min: 0,
        max: 1,
        step: 0.01,
        help: "Momentum at the LR peak.",
      },
      {
        key: "max_momentum",
        label: "max_momentum",
        type: "number",
        default: 0.95,
        min: 0,
        max: 1,
        step: 0.01,
        help: "Momentum at the start and the end.",
      },
      {
        key: "div_factor",
        label: "div_factor",
        type: "number",
        default: 25,
        min: 0,
        minExclusive: true,
        scale: "log",
        uiMin: 1,
        uiMax: 1000,
        help: "Initial LR = max_lr / div_factor.",
      },
      {
        key: "final_div_factor",
        label: "final_div_factor",
        type: "number",
        default: 1e4,
        min: 0,
        minExclusive: true,
        scale: "log",
        uiMin: 1,
        uiMax: 1e6,
        help: "Final LR = initial LR / final_div_factor.",
      },
      {
        key: "three_phase",
        label: "three phases",
        type: "bool",
        default: false,
        help: "Up, back down to the initial LR symmetrically, then annihilate.",
      },
    ],
    check: (p) => {
      if (p.max_lr === null) throw new ParamError("OneCycleLR", "max_lr", "is required");
      if (p.total_steps === null && (p.epochs === null || p.steps_per_epoch === null))
        throw new ParamError("OneCycleLR", "total_steps", "is required (or both epochs and steps_per_epoch)");
    },
    setup: (p, g) => {
      const max = num(p, "max_lr");
      g.initialLr = max / num(p, "div_factor");
      g.maxLr = max;
      g.minLr = g.initialLr / num(p, "final_div_factor");
      if (p.cycle_momentum) {
        g.momentum = num(p, "max_momentum");
        g.maxMomentum = num(p, "max_momentum");
        g.baseMomentum = num(p, "base_momentum");
      }
    },
    getLr: (p, cs, g) => {
      const T = oneCycleTotal(p);
      const pct = num(p, "pct_start");
      const phases: [number, keyof Group, keyof Group, keyof Group, keyof Group][] = p.three_phase
        ? [
            [pct * T - 1, "initialLr", "maxLr", "maxMomentum", "baseMomentum"],
            [2 * pct * T - 2, "maxLr", "initialLr", "baseMomentum", "maxMomentum"],
            [T - 1, "initialLr", "minLr", "maxMomentum", "maxMomentum"],
          ]
        : [
            [pct * T - 1, "initialLr", "maxLr", "maxMomentum", "baseMomentum"],
            [T - 1, "maxLr", "minLr", "baseMomentum", "maxMomentum"],
          ];
      // Past the schedule LR Lab holds its last LR, that of step T − 1 (documented): PyTorch extrapolates the
      // last phase one step further at step T (with linear annealing below min_lr, even below 0) and raises after.
      const t = Math.min(cs.lastEpoch, T - 1);
      const anneal =
        str(p, "anneal_strategy") === "cos"
          ? (a: number, b: number, q: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * q) + 1)
          : (a: number, b: number, q: number) => (b - a) * q + a;
      let start = 0;
      for (let i = 0; i < phases.length; i++) {
        const [end, sl, el, sm, em] = phases[i];
        if (t <= end || i === phases.length - 1) {
          const q = (t - start) / (end - start);
          if (p.cycle_momentum) g.momentum = anneal(g[sm] as number, g[em] as number, q);
          return anneal(g[sl] as number, g[el] as number, q);
        }
        start = end;
      }
      return g.lr;
    },
    cyclesMomentum: (p) => p.cycle_momentum === true,
    describe: (p, cs) => {
      const T = oneCycleTotal(p);
      const pct = num(p, "pct_start");
      const ends = p.three_phase ? [pct * T - 1, 2 * pct * T - 2] : [pct * T - 1];
      if (cs.lastEpoch === T) return "clip";
      return ends.some((e) => cs.lastEpoch - 1 <= e && cs.lastEpoch > e) ? "phase" : null;
    },
  },
];

function oneCycleTotal(p: Params): number {
  return p.total_steps !== null ? num(p, "total_steps") : num(p, "epochs") * num(p, "steps_per_epoch");
}

export const TORCH_IMPLS: ReadonlyMap<string, TorchImpl> = new Map(IMPLS.map((i) => [i.name, i]));

function parseTorch(impl: TorchImpl, raw: Record<string, unknown>): Params {
  const p = parseParams(impl.name, impl.params, raw);
  impl.check?.(p);
  return p;
}

function eventFor(
  impl: TorchImpl,
  p: Params,
  cs: ChildState,
  before: number,
  after: number,
  step: number,
): SchedulerEvent | null {
  const kind = impl.describe?.(p, cs, before, after) ?? null;
  if (!kind) return null;
  const words: Record<string, string> = {
    decrease: `${impl.name}: step ${step} is a decay point → LR × ${p.gamma ?? ""}`.trim(),
    increase: `${impl.name}: LR raised`,
    restart: `${impl.name}: warm restart — LR back to its peak`,
    phase: `${impl.name}: phase boundary`,
    clip: `${impl.name}: past total_steps — PyTorch would extrapolate, then raise; holding the final LR`,
  };
  return { step, kind, message: words[kind] ?? `${impl.name}: ${kind}`, from: before, to: after };
}

export interface TorchState {
  g: Group;
  cs: ChildState;
}

function torchSpec(impl: TorchImpl): SchedulerSpec<TorchState> {
  return {
    id: impl.name,
    torchName: impl.name,
    label: impl.label,
    family: "pytorch",
    description: impl.description,
    reference: `torch.optim.lr_scheduler.${impl.name} (PyTorch 1.13)`,
    params: impl.params,
    needs: [],
    timing: "after",
    timeBased: true,
    example: impl.example,
    formula: impl.formula,
    python: { kind: "torch" },
    parse: (raw) => parseTorch(impl, raw),
    init: (p, baseLr) => {
      const g: Group = { lr: baseLr, initialLr: null, momentum: OPTIMIZER_MOMENTUM };
      const cs = construct(impl, p, g);
      return { g, cs };
    },
    lr: (s) => s.g.lr,
    momentum: (s) => s.g.momentum,
    step: (p, s, obs): StepResult<TorchState> => {
      const g = cloneG(s.g);
      const cs = cloneCs(s.cs);
      const before = g.lr;
      stepChild(impl, p, cs, g);
      const ev = eventFor(impl, p, cs, before, g.lr, obs.step + 1);
      return { lr: g.lr, state: { g, cs }, events: ev ? [ev] : [], momentum: g.momentum };
    },
    inspect: (p, s) => [
      { label: "step count (last_epoch)", value: s.cs.lastEpoch },
      // The momentum (SGD) or β₁ (Adam) a OneCycleLR or CyclicLR sets this step, for the class to watch cycle.
      ...(p.cycle_momentum === true && s.g.momentum !== undefined && Number.isFinite(s.g.momentum)
        ? [{ label: "momentum / β₁", value: s.g.momentum }]
        : []),
      ...(impl.inspect?.(p, s.cs, s.g) ?? []),
    ],
  };
}

export const TORCH_SPECS: SchedulerSpec<TorchState>[] = IMPLS.map(torchSpec);

// ---------------------------------------------------------------------------------------------------------
// Composites: SequentialLR and ChainedScheduler, sharing one group among PyTorch children.

interface Child {
  impl: TorchImpl;
  p: Params;
}

export interface CompositeState {
  g: Group;
  last: number;
  children: ChildState[];
}

function parseChildren(owner: string, children: SchedulerConfig[] | undefined): Child[] {
  if (!Array.isArray(children) || children.length === 0)
    throw new ParamError(owner, "children", "must list at least one child scheduler");
  return children.map((c, i) => {
    const impl = c && typeof c === "object" ? TORCH_IMPLS.get(c.scheduler) : undefined;
    if (!impl)
      throw new ParamError(
        owner,
        `children[${i}]`,
        `must be one of ${[...TORCH_IMPLS.keys()].join(", ")} (got ${JSON.stringify(c?.scheduler)})`,
      );
    return { impl, p: parseTorch(impl, c.params ?? {}) };
  });
}

/** Composite params carry their parsed children (plain data) so the spec functions stay pure. */
const childCache = new WeakMap<object, Child[]>();
const childrenOf = (p: Params): Child[] => {
  const key = p.children as unknown as object;
  let ch = childCache.get(key);
  if (!ch) {
    ch = (p.children as unknown as { scheduler: string; params: Params }[]).map((c) => ({
      impl: TORCH_IMPLS.get(c.scheduler)!,
      p: c.params,
    }));
    childCache.set(key, ch);
  }
  return ch;
};

function compositeParams(children: Child[], extra: Params): Params {
  return {
    ...extra,
    children: children.map((c) => ({ scheduler: c.impl.name, params: c.p })) as unknown as number[],
  };
}

const milestonesMeta: ParamMeta = {
  key: "milestones",
  label: "milestones",
  type: "intList",
  default: [],
  min: 0,
  help: "Steps at which the next child scheduler takes over (one fewer than children).",
};

export const SequentialLR: SchedulerSpec<CompositeState> = {
  id: "SequentialLR",
  python: { kind: "composite" },
  example: (x) => ({
    params: { milestones: [x.q(0.1)] },
    children: [
      { scheduler: "LinearLR", params: { start_factor: 0.01, total_iters: x.q(0.1) } },
      { scheduler: "CosineAnnealingLR", params: { T_max: x.steps - x.q(0.1) } },
    ],
  }),
  formula: (v) => {
    const { p, t, eta, since } = v;
    return {
      rule: String.raw`\eta_t = \text{child}_i(t - m_i) \text{ for } m_i \le t < m_{i+1}`,
      now: String.raw`\eta_{${t}} = ${eta},\ \text{milestones} = [${(p.milestones as number[]).join(", ")}]`,
      because: since,
    };
  },
  torchName: "SequentialLR",
  label: "Sequential (phases)",
  family: "composite",
  description: "Run child schedulers one after another; each starts fresh at its milestone.",
  reference: "torch.optim.lr_scheduler.SequentialLR (PyTorch 1.13)",
  params: [milestonesMeta],
  needs: [],
  timing: "after",
  timeBased: true,
  parse: (raw, children) => {
    const p = parseParams("SequentialLR", [milestonesMeta], raw);
    const ch = parseChildren("SequentialLR", children);
    const ms = p.milestones as number[];
    if (ms.length !== ch.length - 1)
      throw new ParamError(
        "SequentialLR",
        "milestones",
        `must have exactly one fewer entry than children (${ch.length - 1}, got ${ms.length})`,
      );
    return compositeParams(ch, p);
  },
  init: (p, baseLr) => {
    const g: Group = { lr: baseLr, initialLr: null, momentum: OPTIMIZER_MOMENTUM };
    const ch = childrenOf(p);
    const states = ch.map((c) => construct(c.impl, c.p, g));
    // SequentialLR.__init__: reset the LR, undo each child's initial step, redo the first child's only.
    g.lr = g.initialLr!;
    for (const cs of states) cs.lastEpoch -= 1;
    initialStep(ch[0].impl, ch[0].p, states[0], g);
    return { g, last: 0, children: states };
  },
  lr: (s) => s.g.lr,
  momentum: (s) => s.g.momentum,
  step: (p, s, obs) => {
    const ch = childrenOf(p);
    const ms = p.milestones as number[];
    const g = cloneG(s.g);
    const last = s.last + 1;
    let idx = 0;
    while (idx < ms.length && ms[idx] <= last) idx++;
    const children = s.children.slice();
    const cs = cloneCs(children[idx]);
    children[idx] = cs;
    const before = g.lr;
    const events: SchedulerEvent[] = [];
    if (idx > 0 && ms[idx - 1] === last) {
      stepChild(ch[idx].impl, ch[idx].p, cs, g, 0);
      events.push({
        step: obs.step + 1,
        kind: "milestone",
        message: `SequentialLR: milestone ${last} → ${ch[idx].impl.name} starts`,
        from: before,
        to: g.lr,
      });
    } else {
      stepChild(ch[idx].impl, ch[idx].p, cs, g);
      const ev = eventFor(ch[idx].impl, ch[idx].p, cs, before, g.lr, obs.step + 1);
      if (ev) events.push(ev);
    }
    return { lr: g.lr, state: { g, last, children }, events, momentum: g.momentum };
  },
  inspect: (p, s) => {
    const ms = p.milestones as number[];
    let idx = 0;
    while (idx < ms.length && ms[idx] <= s.last) idx++;
    return [
      { label: "active child", value: `${idx + 1}: ${childrenOf(p)[idx].impl.name}` },
      { label: "step", value: s.last },
    ];
  },
};

export const ChainedScheduler: SchedulerSpec<CompositeState> = {
  id: "ChainedScheduler",
  python: { kind: "composite" },
  example: (x) => ({
    children: [
      { scheduler: "LinearLR", params: { start_factor: 0.1, total_iters: x.q(0.05) } },
      { scheduler: "ExponentialLR", params: { gamma: 0.999 } },
    ],
  }),
  formula: (v) => {
    const { t, eta } = v;
    return {
      rule: String.raw`\eta_t = \text{every child's step applied in turn to the same } \eta`,
      now: String.raw`\eta_{${t}} = ${eta}`,
    };
  },
  torchName: "ChainedScheduler",
  label: "Chained (multiplied)",
  family: "composite",
  description: "Step every child on the same LR each step, so their multiplicative effects compose.",
  reference: "torch.optim.lr_scheduler.ChainedScheduler (PyTorch 1.13)",
  params: [],
  needs: [],
  timing: "after",
  timeBased: true,
  parse: (raw, children) =>
    compositeParams(parseChildren("ChainedScheduler", children), parseParams("ChainedScheduler", [], raw)),
  init: (p, baseLr) => {
    const g: Group = { lr: baseLr, initialLr: null, momentum: OPTIMIZER_MOMENTUM };
    const states = childrenOf(p).map((c) => construct(c.impl, c.p, g));
    return { g, last: 0, children: states };
  },
  lr: (s) => s.g.lr,
  momentum: (s) => s.g.momentum,
  step: (p, s, obs) => {
    const g = cloneG(s.g);
    const events: SchedulerEvent[] = [];
    const children = childrenOf(p).map((c, i) => {
      const cs = cloneCs(s.children[i]);
      const before = g.lr;
      stepChild(c.impl, c.p, cs, g);
      const ev = eventFor(c.impl, c.p, cs, before, g.lr, obs.step + 1);
      if (ev) events.push(ev);
      return cs;
    });
    return { lr: g.lr, state: { g, last: s.last + 1, children }, events, momentum: g.momentum };
  },
};
