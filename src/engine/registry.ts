/**
 * The scheduler registry: every scheduler's spec, in the order the UI lists them. The UI, the URL codec, the
 * CLI, the exporters and the docs all read this table instead of repeating it. A new scheduler is one spec
 * (its file) plus one line here.
 */
import { AdGD, Polyak, PowerMethod, Rayleigh, RegrettableDBD, Secant } from "./gradient";
import { ArmijoLineSearch, ExactLineSearch } from "./linesearch";
import { AdaDelta, DeltaBarDelta, ScheduleFree, SDLM } from "./optimizerSide";
import { GreedyLR, ReduceLROnPlateau } from "./plateau";
import { Refined } from "./refined";
import { ScheduleFreePolyak } from "./scheduleFreeAny";
import { texContext } from "./tex";
import { ChainedScheduler, SequentialLR, TORCH_SPECS } from "./torch";
import type { Formula, FormulaInput, SchedulerConfig, SchedulerSpec } from "./types";
import { VSGD } from "./vsgd";
import { Constant, CosineWithWarmup, InverseSqrt, LinearWithWarmup, Noam, RobbinsMonro, WSD } from "./warmup";

// biome-ignore lint/suspicious/noExplicitAny: the registry holds specs of every state type
export type AnySpec = SchedulerSpec<any>;

const torch = (id: string): AnySpec => {
  const s = TORCH_SPECS.find((t) => t.id === id);
  if (!s) throw new Error(`no PyTorch spec "${id}"`);
  return s;
};

/** Every scheduler, in the order the UI lists them: the star first, then the PyTorch family, and so on. */
export const SCHEDULERS: readonly AnySpec[] = [
  GreedyLR,
  Constant,
  torch("StepLR"),
  torch("MultiStepLR"),
  torch("ConstantLR"),
  torch("LinearLR"),
  torch("ExponentialLR"),
  torch("PolynomialLR"),
  torch("CosineAnnealingLR"),
  torch("CosineAnnealingWarmRestarts"),
  torch("CyclicLR"),
  torch("OneCycleLR"),
  ReduceLROnPlateau,
  SequentialLR,
  ChainedScheduler,
  LinearWithWarmup,
  CosineWithWarmup,
  InverseSqrt,
  Noam,
  WSD,
  RobbinsMonro,
  Polyak,
  AdGD,
  Secant,
  Rayleigh,
  PowerMethod,
  RegrettableDBD,
  ArmijoLineSearch,
  ExactLineSearch,
  Refined,
  ScheduleFree,
  ScheduleFreePolyak,
  DeltaBarDelta,
  AdaDelta,
  SDLM,
  VSGD,
];

const byId = new Map<string, AnySpec>(SCHEDULERS.map((s) => [s.id, s]));

export function hasSpec(id: string): boolean {
  return byId.has(id);
}

export function getSpec(id: string): AnySpec {
  const s = byId.get(id);
  if (!s) throw new Error(`unknown scheduler "${id}" (known: ${[...byId.keys()].join(", ")})`);
  return s;
}

/**
 * A ready configuration of a scheduler for a run of `steps` steps: required parameters (T_max, total_steps…)
 * filled in proportion to the run, from the spec's own example. The UI uses it when a run switches scheduler.
 */
export function exampleConfig(id: string, steps = 1000, baseLr = 0.1): SchedulerConfig {
  const q = (f: number) => Math.max(1, Math.round(steps * f));
  return { scheduler: id, params: {}, ...getSpec(id).example({ steps, baseLr, q }) };
}

/** The scheduler's rule as TeX, with this step's numbers, and why its last decision happened. */
export function formulaFor(f: FormulaInput): Formula {
  return getSpec(f.id).formula(texContext(f));
}
