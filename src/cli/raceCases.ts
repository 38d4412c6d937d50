/**
 * The races whose PyTorch exports `npm test` runs in Debian's PyTorch against `npm run race`, step by step
 * (scripts/check_export.py, kind "race"): one per task family and optimizer, with loss-driven, scheduled and
 * composite schedulers, schedule-free runs and every noise type. Each says the tolerance it is held to and why.
 */
import { type Experiment, experimentSchema, RUN_COLORS } from "../experiment/config";

export interface RaceCase {
  id: string;
  experiment: Experiment;
  /** Largest relative difference allowed at any step: LR, and loss. */
  tol: { lr: number; loss: number };
  /** Why the tolerance is what it is. */
  why: string;
}

/** The MLP-family target of issue #24: LRs to 1e-6, losses to 1e-3, at every step of a 100–150-step race. */
const MLP_TOL = { lr: 1e-6, loss: 1e-3 };
const MLP_WHY = "float32 in two frameworks: sums in another order, ~1e-7 per step";

/**
 * The CNN and the char-LM hold the same target. Their races are short (30 and 20 steps) because tfjs's CPU
 * backend takes about 0.4 s a step for them and the check runs on a 2-core CI; docs/fidelity.md gives what
 * holds over longer runs.
 */
const CONV_TOL = MLP_TOL;
const CONV_WHY = "the MLP target: deeper float32 graphs, still summed in another order only";

type Sched = { scheduler: string; params?: Record<string, unknown>; children?: Sched[] };
const run = (
  name: string,
  scheduler: Sched,
  sf?: { variant: "sgd" | "adamw"; averaging?: string; beta?: number },
) => ({
  name,
  scheduler,
  ...(sf ? { sf } : {}),
});

function race(
  id: string,
  e: Record<string, unknown>,
  runs: ReturnType<typeof run>[],
  tol = MLP_TOL,
  why = MLP_WHY,
): RaceCase {
  const experiment = experimentSchema.parse({
    ...e,
    runs: runs.map((r, i) => ({ ...r, color: RUN_COLORS[i % RUN_COLORS.length] })),
  });
  return { id, experiment, tol, why };
}

const greedy = (p: Record<string, unknown> = {}) =>
  run("GreedyLR", {
    scheduler: "GreedyLR",
    params: { factor: 0.9, patience: 3, min_lr: 1e-4, max_lr: 0.1, ...p },
  });
const plateau = run("Plateau", { scheduler: "ReduceLROnPlateau", params: { patience: 5, factor: 0.5 } });
const constant = run("Constant", { scheduler: "Constant" });

const spiral = { task: { kind: "spiral", samples: 200, noise: 0.1 }, batchSize: 32, steps: 120, seed: 3 };

export const RACE_CASES: RaceCase[] = [
  // A 2-D classification MLP, every optimizer.
  race("spiral-sgd", { ...spiral, optimizer: "sgd", baseLr: 0.3 }, [
    constant,
    greedy({ max_lr: 2 }),
    run("Step", { scheduler: "StepLR", params: { step_size: 30, gamma: 0.5 } }),
    run("OneCycle", { scheduler: "OneCycleLR", params: { max_lr: 1, total_steps: 120 } }),
  ]),
  race("spiral-momentum", { ...spiral, optimizer: "momentum", baseLr: 0.05 }, [
    greedy(),
    plateau,
    run("OneCycle", { scheduler: "OneCycleLR", params: { max_lr: 0.2, total_steps: 120 } }),
    run("Warmup+cosine", {
      scheduler: "SequentialLR",
      params: { milestones: [20] },
      children: [
        { scheduler: "LinearLR", params: { start_factor: 0.1, total_iters: 20 } },
        { scheduler: "CosineAnnealingLR", params: { T_max: 100 } },
      ],
    }),
  ]),
  race("spiral-adam", { ...spiral, optimizer: "adam", baseLr: 0.01 }, [
    constant,
    greedy(),
    run("Cosine", { scheduler: "CosineAnnealingLR", params: { T_max: 120 } }),
    plateau,
    run("Cyclic", {
      scheduler: "CyclicLR",
      params: { base_lr: 0.001, max_lr: 0.02, step_size_up: 20, cycle_momentum: false },
    }),
  ]),
  race("spiral-adamw", { ...spiral, optimizer: "adamw", baseLr: 0.01, weightDecay: 0.05 }, [
    greedy({ smooth: true, window_size: 5 }),
    run("WSD", {
      scheduler: "WSD",
      params: { num_warmup_steps: 10, num_stable_steps: 70, num_decay_steps: 40 },
    }),
    run("OneCycle", { scheduler: "OneCycleLR", params: { max_lr: 0.03, total_steps: 120 } }),
  ]),
  race("spiral-schedule-free-sgd", { ...spiral, optimizer: "sgd", baseLr: 0.5 }, [
    run("SF-SGD constant", { scheduler: "Constant" }, { variant: "sgd" }),
    run(
      "SF-SGD cosine",
      { scheduler: "CosineAnnealingLR", params: { T_max: 120 } },
      { variant: "sgd", averaging: "schedulet" },
    ),
    run(
      "SF-SGD GreedyLR",
      { scheduler: "GreedyLR", params: { factor: 0.9, patience: 3, min_lr: 1e-3, max_lr: 2 } },
      { variant: "sgd", averaging: "reference" },
    ),
  ]),
  race("spiral-schedule-free-adamw", { ...spiral, optimizer: "adam", baseLr: 0.01 }, [
    run(
      "SF-AdamW warmup",
      { scheduler: "LinearWithWarmup", params: { num_warmup_steps: 10, num_training_steps: 120 } },
      { variant: "adamw", averaging: "reference" },
    ),
    run(
      "SF-AdamW GreedyLR",
      { scheduler: "GreedyLR", params: { factor: 0.9, patience: 3, min_lr: 1e-3, max_lr: 0.1 } },
      { variant: "adamw", averaging: "theory" },
    ),
    run(
      "SF-AdamW OneCycle",
      { scheduler: "OneCycleLR", params: { max_lr: 0.03, total_steps: 120 } },
      { variant: "adamw", averaging: "schedulet", beta: 0.95 },
    ),
    run("Schedule-Free AdamW", {
      scheduler: "ScheduleFree",
      params: { variant: "adamw", warmup_steps: 10, r: 0.5, weight_decay: 0.01 },
    }),
    run("Schedule-Free SGD", {
      scheduler: "ScheduleFree",
      params: { variant: "sgd", warmup_steps: 5, beta: 0.8 },
    }),
  ]),
  // The methods LR Lab computes from the training itself that a race exports: delta-bar-delta and AdaDelta
  // (optimizers), the Polyak step and AdGD (decided before each step from its gradient facts).
  race("spiral-rule-optimizers", { ...spiral, optimizer: "sgd", baseLr: 0.1 }, [
    run("Delta-bar-delta", { scheduler: "DeltaBarDelta", params: { kappa: 0.001, phi: 0.2, theta: 0.7 } }),
    run("AdaDelta", { scheduler: "AdaDelta", params: { rho: 0.9, eps: 1e-6 } }),
  ]),
  race(
    "spiral-gradient-rules",
    { ...spiral, optimizer: "sgd", baseLr: 0.1 },
    [
      run("Polyak", { scheduler: "Polyak", params: { c: 0.5, gamma_max: 2 } }),
      run("AdGD", { scheduler: "AdGD", params: { lambda0: 1e-4 } }),
    ],
    { lr: 1e-4, loss: 1e-3 },
    "the Polyak step is (loss − f*)/(c‖g‖²): its LR carries the loss's own float32 difference (9.8e-6 measured), not 1e-6",
  ),
  race(
    "logistic-gradient-rules",
    {
      task: { kind: "logistic", samples: 400, noise: 0.1 },
      optimizer: "momentum",
      baseLr: 0.5,
      batchSize: 400,
      steps: 100,
      seed: 2,
    },
    [
      run("Polyak", { scheduler: "Polyak", params: { c: 1, gamma_max: 5 } }),
      run("AdGD", { scheduler: "AdGD", params: { lambda0: 1e-4, max_lr: 10 } }),
    ],
  ),
  race(
    "logistic-curvature-steps",
    {
      task: { kind: "logistic", samples: 400, noise: 0.1 },
      optimizer: "sgd",
      baseLr: 0.5,
      batchSize: 40,
      steps: 120,
      seed: 2,
    },
    [
      run("Secant", { scheduler: "Secant", params: { probe: 1, beta: 0.5, min_lr: 1e-3, max_lr: 20 } }),
      run("Rayleigh", {
        scheduler: "Rayleigh",
        params: { factor: 1, probe: 1, min_lr: 1e-3, max_lr: 20 },
      }),
      run("Schedule-free Polyak", { scheduler: "ScheduleFreePolyak", params: { M: 0 } }),
    ],
    { lr: 1e-4, loss: 1e-3 },
    "the secant and Rayleigh LRs are quotients of a gradient difference over a probe step: float32 cancellation leaves 1e-7–1e-6 of rounding in each step's LR, which the run carries (measured 5.7e-6 and 2.3e-5; the schedule-free Polyak step 8e-7)",
  ),
  race(
    "spiral-curvature-steps",
    { ...spiral, optimizer: "momentum", baseLr: 0.05 },
    [
      run("Rayleigh (max)", {
        scheduler: "Rayleigh",
        params: { factor: 0.5, probe: 0.1, max_lr: 0.5, fallback: "max" },
      }),
      run("Schedule-free Polyak", { scheduler: "ScheduleFreePolyak", params: { beta: 0.8, M: 1 } }),
    ],
    { lr: 1e-3, loss: 1e-3 },
    "Rayleigh's quotient from a probe of 0.1·g on a non-convex MLP: more cancellation than on the convex case (measured 2.5e-4 on the LR, 1.5e-4 on the loss)",
  ),
  race(
    "sf-polyak-adam",
    {
      task: { kind: "logistic", samples: 400, noise: 0.1 },
      optimizer: "adam",
      baseLr: 0.01,
      batchSize: 40,
      steps: 120,
      seed: 2,
    },
    [
      run("SF Polyak (Adam, M = 0)", { scheduler: "ScheduleFreePolyak", params: { variant: "adam", M: 0 } }),
      run("SF Polyak (Adam, M = 1)", { scheduler: "ScheduleFreePolyak", params: { variant: "adam", M: 1 } }),
      run("SF Polyak (SGD)", { scheduler: "ScheduleFreePolyak", params: { M: 0 } }),
    ],
    { lr: 1e-5, loss: 1e-3 },
    "the Polyak step's LR is the loss gap plus ⟨g, z − y⟩ over a sum of g²/D: float32 sums in another order leave about 1e-6 in it (measured 1.4e-6 with Adam, 7e-7 with SGD)",
  ),
  race(
    "spiral-curvature-per-weight",
    { ...spiral, optimizer: "sgd", baseLr: 0.3, steps: 60 },
    [
      run("vSGD", { scheduler: "vSGD", params: { probe: 0.1, slow_constant: 10 } }),
      run("vSGD_original", {
        scheduler: "vSGD",
        params: { variant: "vSGD_original", probe: 0.1, slow_constant: 10 },
      }),
      run("vSGDfd", { scheduler: "vSGD", params: { variant: "vSGDfd", epsilon: 1e-3 } }),
      run("SDLM", { scheduler: "SDLM", params: { mu: 1 } }),
      run("1/λ_max", { scheduler: "PowerMethod", params: { max_lr: 5 } }),
    ],
    { lr: 3e-3, loss: 1e-3 },
    "each per-weight LR is a quotient of float32 gradient differences (Hutchinson's over δ = 0.1, vSGDfd's over ḡ + ε, ε raised to 1e-3 from the authors' 1e-9, which float32 cannot resolve) summed in another order, and vSGD reports their median: measured 1.2e-3 on vSGD's median LR with its loss at 5e-6, vSGDfd 3.9e-4, SDLM 8.3e-6, 1/λ_max 1.1e-6",
  ),
  race("spiral-regrettable-dbd", { ...spiral, optimizer: "sgd", baseLr: 0.05 }, [
    run("RDBD", { scheduler: "RegrettableDBD", params: { kappa: 0.005, phi: 0.2, max_lr: 0.5 } }),
    run("RDBD, gentle", { scheduler: "RegrettableDBD", params: { kappa: 1e-3, phi: 0.05 } }),
  ]),
  race(
    "survey-line-searches",
    {
      task: { kind: "survey", samples: 400, noise: 0.1 },
      optimizer: "sgd",
      baseLr: 0.005,
      batchSize: 32,
      steps: 14,
      seed: 1,
    },
    [
      run("Armijo", { scheduler: "ArmijoLineSearch", params: { eta0: 1, beta: 0.5, c: 0.1 } }),
      run("Exact (grid)", {
        scheduler: "ExactLineSearch",
        params: { eta_min: 0.001, eta_max: 2, points: 48 },
      }),
    ],
    MLP_TOL,
    "14 steps: from step 15 the loss is within 1e-5 of f* and every trial's loss ties within float32's resolution (2.4e-7 at 2.56), so which η each framework picks is rounding (its loss stays equal to 1e-7)",
  ),
  race(
    "spiral-line-searches",
    { ...spiral, optimizer: "sgd", baseLr: 0.1, noise: { type: "periodic", strength: 0.5, target: "data" } },
    [
      run("Armijo", { scheduler: "ArmijoLineSearch", params: { eta0: 2, beta: 0.5, c: 0.1 } }),
      run("Exact (grid)", {
        scheduler: "ExactLineSearch",
        params: { eta_min: 0.01, eta_max: 4, points: 24 },
      }),
    ],
  ),
  race(
    "rosenbrock-polyak-chaotic",
    {
      task: { kind: "rosenbrock", samples: 400, noise: 0.1 },
      optimizer: "sgd",
      baseLr: 0.001,
      batchSize: 32,
      steps: 20,
      seed: 1,
    },
    [run("Polyak", { scheduler: "Polyak", params: { c: 0.5, gamma_max: 0.01 } })],
    { lr: 1e-3, loss: 2e-3 },
    "chaotic: Polyak steps bounce across Rosenbrock's valley and the two frameworks' roundings grow by orders of magnitude within 15 steps (measured over these 20: LR 1.8e-4, loss 8.4e-4; the loss passes 1e-2 later): held to 1e-3 and 2e-3",
  ),
  // Regression, logistic regression, analytic functions.
  race(
    "sine-adam",
    {
      task: { kind: "sine", samples: 200, noise: 0.1 },
      optimizer: "adam",
      baseLr: 0.01,
      batchSize: 25,
      steps: 150,
      seed: 5,
    },
    [constant, greedy(), run("Exponential", { scheduler: "ExponentialLR", params: { gamma: 0.98 } })],
  ),
  race(
    "sine-sgd",
    {
      task: { kind: "sine", samples: 200, noise: 0.1 },
      optimizer: "sgd",
      baseLr: 0.1,
      batchSize: 25,
      steps: 150,
      seed: 5,
    },
    [
      greedy({ max_lr: 1 }),
      run("Polynomial", { scheduler: "PolynomialLR", params: { total_iters: 150, power: 2 } }),
    ],
  ),
  race(
    "logistic-momentum",
    {
      task: { kind: "logistic", samples: 400, noise: 0.1 },
      optimizer: "momentum",
      baseLr: 0.5,
      batchSize: 40,
      steps: 120,
      seed: 2,
    },
    [
      constant,
      greedy({ max_lr: 5 }),
      run("Robbins–Monro", { scheduler: "RobbinsMonro", params: { tau: 20 } }),
      run("Inverse sqrt", { scheduler: "InverseSqrt", params: { num_warmup_steps: 10 } }),
    ],
  ),
  race(
    "logistic-sgd",
    {
      task: { kind: "logistic", samples: 400, noise: 0.1 },
      optimizer: "sgd",
      baseLr: 1,
      batchSize: 40,
      steps: 120,
      seed: 2,
    },
    [plateau, run("MultiStep", { scheduler: "MultiStepLR", params: { milestones: [40, 80], gamma: 0.3 } })],
  ),
  race(
    "rosenbrock-adam",
    {
      task: { kind: "rosenbrock", samples: 400, noise: 0.1 },
      optimizer: "adam",
      baseLr: 0.05,
      batchSize: 32,
      steps: 150,
      seed: 1,
    },
    [
      constant,
      greedy({ max_lr: 0.5 }),
      run("Warm restarts", { scheduler: "CosineAnnealingWarmRestarts", params: { T_0: 30, T_mult: 2 } }),
    ],
  ),
  race(
    "quadratic-sgd",
    {
      task: { kind: "quadratic", samples: 400, noise: 0.1 },
      optimizer: "sgd",
      baseLr: 0.15,
      batchSize: 32,
      steps: 100,
      seed: 1,
    },
    [
      constant,
      greedy({ max_lr: 0.19 }),
      run("Linear decay", {
        scheduler: "LinearLR",
        params: { start_factor: 1, end_factor: 0.1, total_iters: 100 },
      }),
    ],
  ),
  // The CNN and the char-LM: short runs (see why).
  race(
    "mnist-cnn-adam",
    {
      task: { kind: "mnist", samples: 600, noise: 0 },
      optimizer: "adam",
      baseLr: 0.003,
      batchSize: 32,
      steps: 30,
      seed: 1,
    },
    [
      constant,
      greedy({ patience: 2, max_lr: 0.03 }),
      run("OneCycle, then held", { scheduler: "OneCycleLR", params: { max_lr: 0.01, total_steps: 20 } }),
    ],
    CONV_TOL,
    CONV_WHY,
  ),
  race(
    "charlm-adam",
    {
      task: { kind: "charlm", samples: 400, noise: 0 },
      optimizer: "adam",
      baseLr: 0.003,
      batchSize: 8,
      steps: 20,
      seed: 1,
    },
    [
      constant,
      greedy({ patience: 2, max_lr: 0.03 }),
      run("Warmup", {
        scheduler: "LinearWithWarmup",
        params: { num_warmup_steps: 8, num_training_steps: 20 },
      }),
    ],
    CONV_TOL,
    CONV_WHY,
  ),
  // Every noise type, and every place it enters.
  race(
    "noise-gaussian-signal",
    {
      ...spiral,
      optimizer: "adam",
      baseLr: 0.01,
      noise: { type: "gaussian", strength: 0.3, target: "signal" },
    },
    [greedy(), plateau],
  ),
  race(
    "noise-periodic-gradients",
    {
      ...spiral,
      optimizer: "momentum",
      baseLr: 0.05,
      noise: { type: "periodic", strength: 0.5, target: "gradients" },
    },
    [constant, greedy()],
  ),
  race(
    "noise-random-weights",
    { ...spiral, optimizer: "adam", baseLr: 0.01, noise: { type: "random", strength: 2, target: "weights" } },
    [constant, greedy()],
  ),
  race(
    "noise-adversarial-data",
    {
      ...spiral,
      optimizer: "adam",
      baseLr: 0.01,
      noise: { type: "adversarial", strength: 2, target: "data" },
    },
    [constant, greedy()],
  ),
  race(
    "noise-periodic-data-regression",
    {
      task: { kind: "sine", samples: 200, noise: 0.1 },
      optimizer: "adam",
      baseLr: 0.01,
      batchSize: 25,
      steps: 120,
      seed: 5,
      noise: { type: "periodic", strength: 0.2, target: "data" },
    },
    [greedy()],
  ),
];
