/**
 * A ready configuration of every scheduler for a run of `steps` steps: required parameters (T_max,
 * total_steps...) are filled in proportion to the run. The UI uses it when a run switches scheduler.
 */
import type { SchedulerConfig } from "./types";

export function exampleConfig(id: string, steps = 1000, baseLr = 0.1): SchedulerConfig {
  const q = (f: number) => Math.max(1, Math.round(steps * f));
  switch (id) {
    case "StepLR":
      return { scheduler: id, params: { step_size: q(0.3), gamma: 0.5 } };
    case "MultiStepLR":
      return { scheduler: id, params: { milestones: [q(0.5), q(0.75)], gamma: 0.3 } };
    case "ExponentialLR":
      return { scheduler: id, params: { gamma: Number((0.01 ** (1 / steps)).toFixed(5)) } };
    case "ConstantLR":
      return { scheduler: id, params: { factor: 0.25, total_iters: q(0.1) } };
    case "LinearLR":
      return { scheduler: id, params: { start_factor: 0.1, end_factor: 1, total_iters: q(0.1) } };
    case "PolynomialLR":
      return { scheduler: id, params: { total_iters: steps, power: 2 } };
    case "CosineAnnealingLR":
      return { scheduler: id, params: { T_max: steps, eta_min: 0 } };
    case "CosineAnnealingWarmRestarts":
      return { scheduler: id, params: { T_0: q(0.25), T_mult: 1, eta_min: 0 } };
    case "CyclicLR":
      return {
        scheduler: id,
        params: { base_lr: baseLr / 10, max_lr: baseLr, step_size_up: q(0.1), cycle_momentum: false },
      };
    case "OneCycleLR":
      return { scheduler: id, params: { max_lr: baseLr, total_steps: steps } };
    case "RobbinsMonro":
      return { scheduler: id, params: { tau: q(0.1), power: 1 } };
    case "ReduceLROnPlateau":
      return { scheduler: id, params: { factor: 0.5, patience: 20 } };
    case "SequentialLR":
      return {
        scheduler: id,
        params: { milestones: [q(0.1)] },
        children: [
          { scheduler: "LinearLR", params: { start_factor: 0.01, total_iters: q(0.1) } },
          { scheduler: "CosineAnnealingLR", params: { T_max: steps - q(0.1) } },
        ],
      };
    case "ChainedScheduler":
      return {
        scheduler: id,
        children: [
          { scheduler: "LinearLR", params: { start_factor: 0.1, total_iters: q(0.05) } },
          { scheduler: "ExponentialLR", params: { gamma: 0.999 } },
        ],
      };
    case "GreedyLR":
      return {
        scheduler: id,
        params: { factor: 0.9, patience: 10, min_lr: baseLr / 1000, max_lr: baseLr * 10 },
      };
    case "LinearWithWarmup":
    case "CosineWithWarmup":
      return { scheduler: id, params: { num_warmup_steps: q(0.05), num_training_steps: steps } };
    case "InverseSqrt":
      return { scheduler: id, params: { num_warmup_steps: q(0.05) } };
    case "Noam":
      return { scheduler: id, params: { d_model: 64, warmup: q(0.1), factor: baseLr * 8 } };
    case "WSD":
      return {
        scheduler: id,
        params: { num_warmup_steps: q(0.05), num_stable_steps: q(0.75), num_decay_steps: q(0.2) },
      };
    case "Refined":
      return { scheduler: id, params: { phase_steps: Math.max(2, q(0.5)) } };
    default:
      return { scheduler: id, params: {} };
  }
}
