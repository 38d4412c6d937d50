/** The page-smoothness load shared by bench:ui and bench:compare: 8 runs, 20 000 steps, random weight spikes. */
import { defaultExperiment, experimentSchema, RUN_COLORS } from "../src/experiment/config";

export const EIGHT_RUNS = experimentSchema.parse({
  ...defaultExperiment(),
  steps: 20000,
  batchSize: 64,
  noise: { type: "random", strength: 0.5, target: "weights" },
  runs: [
    { scheduler: "Constant" },
    { scheduler: "GreedyLR", params: { factor: 0.9, min_lr: 1e-4 } },
    { scheduler: "CosineAnnealingLR", params: { T_max: 20000 } },
    { scheduler: "CosineAnnealingWarmRestarts", params: { T_0: 2000 } },
    { scheduler: "OneCycleLR", params: { max_lr: 0.05, total_steps: 20000 } },
    { scheduler: "ReduceLROnPlateau", params: { factor: 0.5, patience: 20 } },
    { scheduler: "ExponentialLR", params: { gamma: 0.9999 } },
    { scheduler: "StepLR", params: { step_size: 3000, gamma: 0.5 } },
  ].map((s, i) => ({ name: s.scheduler, color: RUN_COLORS[i], scheduler: s })),
});
