/**
 * Where a task's loss is smallest, for the schedule-free convex bound (the seed paper's
 * (2c* + Σγᵢ²‖gᵢ‖²)/(2Σγᵢ) on f(x_T) − f*): f* and c* = ½·min ‖x₀ − x*‖² over the minimisers x*, from a run's
 * initial weights. Plain float64, no tfjs.
 *
 * - Analytic functions: their minimum in closed form (Rastrigin's global one; it has many local ones).
 * - Logistic regression: the model is a 2-class softmax, whose loss depends only on the difference of the two
 *   classes' weights u = (W₁ − W₀, b₁ − b₀). Newton's method finds u*; the minimisers form the affine set
 *   {W₁ − W₀ = u*}, and the nearest one to x₀ lies at ‖u₀ − u*‖²/2 (each pair of coordinates moves half the
 *   difference each way), so c* = ‖u₀ − u*‖²/4. Separable data has no minimiser: null.
 * - Any other task: null (a network's minimisers are unknown, and its loss is not convex).
 */
import type { TaskKind } from "./tasks";

export interface Optimum {
  /** The smallest loss. */
  fStar: number;
  /** ½ of the squared distance from the initial weights to the nearest minimiser. */
  cStar: number;
  /** Whether the task's loss is convex: the bound is a theorem only then. */
  convex: boolean;
}

const ANALYTIC_MIN: Partial<Record<TaskKind, { x: [number, number]; f: number; convex: boolean }>> = {
  quadratic: { x: [0, 0], f: 0, convex: true },
  rosenbrock: { x: [1, 1], f: 0, convex: false },
  survey: { x: [-Math.log(2) / 2, 0], f: 2 * Math.SQRT2 * Math.exp(-0.1), convex: true },
  rastrigin: { x: [0, 0], f: 0, convex: false },
};

/** log(1 + e^v), without overflow. */
const softplus = (v: number) => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));

/**
 * Binary logistic regression's minimiser by Newton's method (float64): rows x [n, d], labels y ∈ {0, 1}.
 * Returns u = (w, b) and the mean loss, or null when the loss has no minimiser within reach (separable data:
 * the weights grow without bound) or Newton does not settle.
 */
export function logisticMinimum(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  d: number,
): { u: number[]; f: number } | null {
  const n = y.length;
  const D = d + 1;
  const u = new Array<number>(D).fill(0);
  const row = (i: number, j: number) => (j < d ? x[i * d + j] : 1);
  const loss = (w: number[]) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < D; j++) z += row(i, j) * w[j];
      s += softplus(y[i] ? -z : z);
    }
    return s / n;
  };
  let f = loss(u);
  for (let it = 0; it < 100; it++) {
    const g = new Array<number>(D).fill(0);
    const H = Array.from({ length: D }, () => new Array<number>(D).fill(0));
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < D; j++) z += row(i, j) * u[j];
      const p = 1 / (1 + Math.exp(-z));
      const r = p - y[i];
      const h = p * (1 - p);
      for (let j = 0; j < D; j++) {
        g[j] += (r * row(i, j)) / n;
        for (let k = 0; k <= j; k++) H[j][k] += (h * row(i, j) * row(i, k)) / n;
      }
    }
    for (let j = 0; j < D; j++) for (let k = 0; k < j; k++) H[k][j] = H[j][k];
    const step = solve(H, g);
    if (!step) return null;
    // Damped Newton: halve until the loss does not rise.
    let t = 1;
    let next = u.map((v, j) => v - t * step[j]);
    let fn = loss(next);
    while (fn > f && t > 1e-10) {
      t /= 2;
      next = u.map((v, j) => v - t * step[j]);
      fn = loss(next);
    }
    const moved = Math.hypot(...step.map((s) => t * s));
    u.splice(0, D, ...next);
    f = fn;
    if (Math.hypot(...u) > 1e6) return null;
    if (moved < 1e-12 * (1 + Math.hypot(...u))) return { u, f };
  }
  return Math.hypot(...u) < 1e3 ? { u, f } : null;
}

/** Solves A s = b (A symmetric positive definite) by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    if (Math.abs(M[p][c]) < 1e-300) return null;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const k = M[r][c] / M[c][c];
      for (let j = c; j <= n; j++) M[r][j] -= k * M[c][j];
    }
  }
  const s = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let v = M[r][n];
    for (let j = r + 1; j < n; j++) v -= M[r][j] * s[j];
    s[r] = v / M[r][r];
  }
  return s;
}

/**
 * The task's optimum as seen from one run's initial weights `init` (the model's variables in order, row-major:
 * for logistic regression W [d, 2] and b [2]; for an analytic function the point [2]). Null where unknown.
 */
export function taskOptimum(
  kind: TaskKind,
  data: { x: ArrayLike<number>; y: ArrayLike<number>; dim: number },
  init: readonly ArrayLike<number>[],
): Optimum | null {
  const a = ANALYTIC_MIN[kind];
  if (a) {
    const p = init[0];
    return { fStar: a.f, cStar: 0.5 * ((p[0] - a.x[0]) ** 2 + (p[1] - a.x[1]) ** 2), convex: a.convex };
  }
  if (kind !== "logistic") return null;
  const d = data.dim;
  const m = logisticMinimum(data.x, data.y, d);
  if (!m) return null;
  const [W, b] = init;
  let dist2 = 0;
  for (let j = 0; j < d; j++) dist2 += (W[j * 2 + 1] - W[j * 2] - m.u[j]) ** 2;
  dist2 += (b[1] - b[0] - m.u[d]) ** 2;
  return { fStar: m.f, cStar: dist2 / 4, convex: true };
}
