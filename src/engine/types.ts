/**
 * Core types of the scheduler engine. Pure data: every state is a plain JSON-serialisable object,
 * so a scheduler runs identically in a Web Worker, in Node, in tests and in the CLI.
 */

/** What the trainer tells a scheduler about one optimizer step. Only `step` is always present. */
export interface Observation {
  /** Index t of the optimizer step this observation belongs to (0-based). */
  step: number;
  /** Loss (metric) observed at step t. Metric-driven schedulers need it. */
  loss?: number;
  /** ‖g_t‖², squared gradient norm at step t. */
  gradSq?: number;
  /** ‖g_t‖₁, the ℓ1 norm of the gradient at step t (the refined schedule's Adam variant). */
  gradL1?: number;
  /** g_t · g_{t−1}. */
  gradDot?: number;
  /** ‖x_t − x_{t−1}‖. */
  dxNorm?: number;
  /** ‖g_t − g_{t−1}‖. */
  dgNorm?: number;
  /** Secant (lookahead) terms on one sample: s·y and ‖s‖², y = ∇F(x+s) − ∇F(x). */
  secantSY?: number;
  secantSS?: number;
  /** Schedule-free: ⟨g_t, z_t − y_t⟩, the gradient against the step from y to the SGD sequence z. */
  sfDot?: number;
  /** Line search: the loss at x − η_k·g for each candidate η_k the scheduler listed (same batch). */
  lineLoss?: number[];
  /** Schedule-free Adam: ‖g‖² in the metric of Adam's preconditioner, Σ g²/D with D = √(v̂) + ε (v updated with g). */
  gradSqD?: number;
  /** λ_max of the Hessian, from the trainer's running power method (‖ψ‖, LeCun, Simard & Pearlmutter 1993). */
  lambdaMax?: number;
  /** Per-weight methods (vSGD, SDLM): the 10%, 50% and 90% points of this step's per-weight LRs η_i. */
  etaQuantiles?: number[];
  /** vSGD: τ, ḡ², v̄, h̄ of three weights (first, middle, last), in that order. */
  weightStats?: number[];
}

/** Which gradient facts a scheduler needs; the trainer computes only these, so others pay nothing. */
export type Need =
  | "loss"
  | "gradSq"
  | "gradL1"
  | "gradDot"
  | "dx"
  | "dg"
  | "secant"
  | "lineSearch"
  | "sfDot"
  | "gradSqD"
  | "power";

export type EventKind =
  | "increase"
  | "decrease"
  | "plateau"
  | "restart"
  | "cooldown-end"
  | "warmup-end"
  | "reset"
  | "phase"
  | "milestone"
  | "clip"
  | "skip"
  | "param";

/** A decision a teacher wants to see, in words. */
export interface SchedulerEvent {
  step: number;
  kind: EventKind;
  message: string;
  from?: number;
  to?: number;
}

export interface StepResult<S> {
  /** LR to use for the next optimizer step (or, for `timing: "before"` schedulers, this one). */
  lr: number;
  state: S;
  events: SchedulerEvent[];
  /** Momentum in effect for the next step, for schedulers that cycle it (OneCycleLR, CyclicLR). */
  momentum?: number;
}

export type ParamType = "number" | "int" | "bool" | "enum" | "intList";

/** Metadata for one parameter: the UI, the URL codec, validation and the docs all read this. */
export interface ParamMeta {
  key: string;
  label: string;
  type: ParamType;
  default: number | boolean | string | number[] | null;
  min?: number;
  max?: number;
  /** Whether min/max are exclusive bounds. */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  /** Slider granularity (linear scale) — numeric entry accepts anything valid. */
  step?: number;
  scale?: "linear" | "log";
  options?: readonly string[];
  /** null default allowed (e.g. step_size_down = step_size_up). */
  nullable?: boolean;
  help: string;
  /** How a change in the middle of a run behaves (shown in the UI help). */
  live?: string;
  /** UI hint: range for the slider when min/max are open-ended. */
  uiMin?: number;
  uiMax?: number;
}

export type ParamValue = number | boolean | string | number[] | null;
export type Params = Record<string, ParamValue>;

/** The canonical scheduler config, identical to the golden / PyTorch format. */
export interface SchedulerConfig {
  scheduler: string;
  params?: Record<string, unknown>;
  children?: SchedulerConfig[];
}

export class ParamError extends Error {
  constructor(
    readonly scheduler: string,
    readonly param: string,
    detail: string,
  ) {
    super(`${scheduler}: parameter "${param}" ${detail}`);
    this.name = "ParamError";
  }
}

export type Family =
  | "pytorch"
  | "loss-driven"
  | "warmup"
  | "gradient"
  | "optimizer-side"
  | "composite"
  | "constant";

/** Internals shown live in the UI for the selected run. */
export interface Internal {
  label: string;
  value: number | string | boolean;
  /** For counters: the threshold they are compared against. */
  limit?: number;
}

/** A formula's input: the run's live values (see tex.ts for what a spec writes with them). */
export interface FormulaInput {
  id: string;
  params: Params;
  /** LR in effect now, the base LR, the number of steps taken. */
  lr: number;
  baseLr: number;
  step: number;
  internals: readonly Internal[];
  /** The run's most recent decision, if any. */
  last?: SchedulerEvent;
}

export interface Formula {
  /** The rule, general form. */
  rule: string;
  /** The rule with this step's numbers. */
  now: string;
  /** Why the last change happened, in words. */
  because?: string;
}

/** The values a spec's formula is written with: the input plus the ready-formatted common ones. */
export interface TexContext extends FormulaInput {
  p: Params;
  t: number;
  /** The LR now and the base LR, as TeX numbers. */
  eta: string;
  b: string;
  /** The last decision in words with its step ("… (step 12)"), if any. */
  since?: string;
  /** An internal's value by its label (as `inspect` names it). */
  internal(label: string): Internal["value"] | undefined;
}

/** What an example config is sized by: the run's length and base LR; q(f) = max(1, round(steps·f)). */
export interface ExampleArgs {
  steps: number;
  baseLr: number;
  q(fraction: number): number;
}

/**
 * How a scheduler is exported as Python that runs as it stands (experiment/pytorch.ts renders it):
 * - "torch": `torch.optim.lr_scheduler.<torchName>(optimizer, **params)`;
 * - "composite": SequentialLR / ChainedScheduler over PyTorch children;
 * - "lambda": a `LambdaLR` whose `lr_lambda(step)` the lines define (a multiplier of the optimizer's LR), exact
 *   to the engine; `equivalent` names the library call that computes the same schedule (HF transformers);
 * - "class": a self-contained scheduler class (`source`), built as `className(optimizer, **params)`;
 * - "rule": no PyTorch counterpart: a comment block with the rule and the parameters.
 */
export type PythonExport =
  | { kind: "torch" }
  | { kind: "composite" }
  | { kind: "lambda"; lines(p: Params): string[]; equivalent?(p: Params): string }
  | { kind: "class"; className: string; source: string }
  | { kind: "rule" };

/**
 * Everything about one scheduler: its metadata and parameters, its rule as data in / data out, a ready
 * example, its formula, its export and what it needs from the trainer. Adding a scheduler = one spec plus one
 * line in registry.ts (a test walks the registry and checks each part is there).
 */
export interface SchedulerSpec<S = unknown> {
  /** Stable id used in URLs and configs (PyTorch class name where one exists). */
  id: string;
  label: string;
  /** PyTorch class name when it mirrors `torch.optim.lr_scheduler`. */
  torchName?: string;
  family: Family;
  description: string;
  /** Where the reference lives / what it is derived from. */
  reference: string;
  params: readonly ParamMeta[];
  needs: readonly Need[];
  /**
   * "after": step(obs_t) is called after optimizer step t and returns the LR of step t+1 (PyTorch convention).
   * "before": step(obs_t) is called with the facts of step t *before* the update and returns the LR of step t
   * (gradient-driven step sizes such as Polyak, which need the current gradient).
   */
  timing: "after" | "before";
  /** Pure time-based schedule: the LR can be previewed for any horizon without observations. */
  timeBased: boolean;
  /** Validate/normalise raw params (defaults filled); throws ParamError naming the parameter. */
  parse(raw: Record<string, unknown>, children?: SchedulerConfig[]): Params;
  init(p: Params, baseLr: number): S;
  /** LR currently in effect (for step 0 right after init). */
  lr(state: S): number;
  step(p: Params, state: S, obs: Observation): StepResult<S>;
  /** Internals for the UI (counters, best value, phase...). */
  inspect?(p: Params, state: S): Internal[];
  /** Momentum currently in effect, if the scheduler cycles it. */
  momentum?(state: S): number | undefined;
  /** Line searches (`needs` "lineSearch"): the step sizes η_k at which the trainer evaluates f(x − η_k·g). */
  candidates?(p: Params, state: S): number[];
  /**
   * Line searches: the forward passes the method needed for the step it just took (the run's cost). The trainer
   * evaluates every candidate at once; a backtracking search would stop at the first it accepts. Default: all.
   */
  trials?(p: Params, state: S): number;
  /** Optimizer-side methods: which optimizer the trainer must use. */
  optimizer?: string;
  /** A ready configuration for a run of `steps` steps (required parameters filled in proportion). */
  example(x: ExampleArgs): Omit<SchedulerConfig, "scheduler">;
  /** The rule as TeX, the same rule with this step's numbers, and why the last decision happened. */
  formula(v: TexContext): Formula;
  /** Its export as Python (see PythonExport). */
  python: PythonExport;
  /**
   * Capability: the trainer puts the run back at the shared initial weights, with a fresh optimizer state,
   * on the step this scheduler emits a "phase" event (the refined schedule's second phase).
   */
  restartsRun?: boolean;
}
