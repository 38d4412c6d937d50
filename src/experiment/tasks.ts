/**
 * The task catalogue as plain data: which tasks exist, their names in words, and the fixed facts of their
 * data (MNIST's size, the char-LM's context, the analytic functions). The page, the URL codec and the lessons
 * read it; `src/train/tasks.ts` builds the datasets. No imports: the Vite config loads it (MNIST packer).
 */

export const CLASSIFICATION_TASKS = ["spiral", "xor", "circles", "blobs"] as const;
export const ANALYTIC_TASKS = ["quadratic", "rosenbrock", "survey", "rastrigin"] as const;
export const TASKS = [
  ...CLASSIFICATION_TASKS,
  "sine",
  "logistic",
  "mnist",
  "charlm",
  ...ANALYTIC_TASKS,
] as const;
export type TaskKind = (typeof TASKS)[number];
export type AnalyticKind = (typeof ANALYTIC_TASKS)[number];

export interface TaskOptions {
  kind: TaskKind;
  samples: number;
  noise: number;
}

/** The tasks in words, with their model (task menu, lessons). */
export const TASK_LABELS: Record<TaskKind, string> = {
  spiral: "Spiral (2-D, MLP)",
  xor: "XOR (2-D, MLP)",
  circles: "Circles (2-D, MLP)",
  blobs: "Gaussian blobs (2-D, MLP)",
  sine: "Noisy sine (1-D regression, MLP)",
  logistic: "Logistic regression (20-D, convex)",
  mnist: "MNIST digits (14×14, small CNN)",
  charlm: "Char-level LM (Shakespeare, 1-block transformer)",
  quadratic: "Quadratic bowl (2-D function)",
  rosenbrock: "Rosenbrock valley (2-D function)",
  survey: "Survey's exp function (2-D function)",
  rastrigin: "Rastrigin (2-D function)",
};

/** Tasks whose data and model are fixed (the `samples`, `noise` and `hidden` options do not apply). */
export const FIXED_TASKS: readonly TaskKind[] = ["mnist", "charlm"];

export const isAnalytic = (k: TaskKind): k is AnalyticKind =>
  (ANALYTIC_TASKS as readonly string[]).includes(k);

/** Start point (x₁, x₂) of each analytic function: away from the minimum, where the LR matters. */
export const ANALYTIC_START: Record<AnalyticKind, [number, number]> = {
  quadratic: [2, 1.5],
  rosenbrock: [-1.5, 2],
  survey: [1, 0.6],
  rastrigin: [1.3, -1.6],
};

/** The analytic functions in plain numbers (for contour plots and tests). */
export const ANALYTIC_F: Record<AnalyticKind, (x1: number, x2: number) => number> = {
  quadratic: (a, b) => 0.5 * (a * a + 10 * b * b),
  rosenbrock: (a, b) => (1 - a) ** 2 + 100 * (b - a * a) ** 2,
  survey: (a, b) => Math.exp(a + 3 * b - 0.1) + Math.exp(a - 3 * b - 0.1) + Math.exp(-a - 0.1),
  rastrigin: (a, b) => 20 + a * a - 10 * Math.cos(2 * Math.PI * a) + b * b - 10 * Math.cos(2 * Math.PI * b),
};

/** The analytic functions' Hessians [h₁₁, h₁₂, h₂₂] at (x₁, x₂), in closed form. */
export const ANALYTIC_HESSIAN: Record<AnalyticKind, (x1: number, x2: number) => [number, number, number]> = {
  quadratic: () => [1, 0, 10],
  rosenbrock: (a, b) => [2 - 400 * (b - a * a) + 800 * a * a, -400 * a, 200],
  survey: (a, b) => {
    const p = Math.exp(a + 3 * b - 0.1);
    const m = Math.exp(a - 3 * b - 0.1);
    const n = Math.exp(-a - 0.1);
    return [p + m + n, 3 * (p - m), 9 * (p + m)];
  },
  rastrigin: (a, b) => [
    2 + 40 * Math.PI ** 2 * Math.cos(2 * Math.PI * a),
    0,
    2 + 40 * Math.PI ** 2 * Math.cos(2 * Math.PI * b),
  ],
};

/** The largest eigenvalue of a symmetric 2×2 matrix [h₁₁, h₁₂, h₂₂]. */
export function lambdaMax([a, c, d]: readonly [number, number, number]): number {
  return (a + d) / 2 + Math.hypot((a - d) / 2, c);
}

/**
 * The edge of stability 2/λ_max of gradient descent at (x₁, x₂): on a quadratic, any constant η above it
 * diverges; elsewhere it is the edge for the local quadratic model. Null where λ_max ≤ 0 (no edge).
 */
export function stabilityEdge(kind: AnalyticKind, x1: number, x2: number): number | null {
  const l = lambdaMax(ANALYTIC_HESSIAN[kind](x1, x2));
  return l > 0 && Number.isFinite(l) ? 2 / l : null;
}

/** MNIST digits as bundled: MNIST_SIDE × MNIST_SIDE grey levels, MNIST_PER_CLASS digits of each class. */
export const MNIST_SIDE = 14;
export const MNIST_PER_CLASS = 350;
/** The last MNIST_TEST digits are held out (accuracy in the task view); the rest are the training pool. */
export const MNIST_TEST = 500;
export const MNIST_TRAIN_MAX = MNIST_PER_CLASS * 10 - MNIST_TEST;
/** Characters of context of the char-level language model. */
export const LM_CONTEXT = 32;

/** A task's data as src/train/tasks.ts generates it from the seed: what the model trains on. */
export interface TaskData {
  type: "classification" | "regression" | "analytic" | "sequence";
  /** Row-major inputs [n, dim] (empty for analytic functions; token ids of each window for sequences). */
  x: Float32Array;
  /** Class index per row (classification); next-token ids [n, dim] (sequences). */
  y: Int32Array;
  /** Target per row (regression). */
  target: Float32Array;
  n: number;
  dim: number;
  /** Number of outputs of the model: classes, 1 for regression, the vocabulary size for sequences. */
  outputs: number;
  /** Sequences: the characters, by token id. */
  vocab?: string;
}
