import { describe, expect, it } from "vitest";
import { logisticMinimum, taskOptimum } from "./optimum";
import { ANALYTIC_START } from "./tasks";

/** A small seeded uniform generator (the test's own: experiment/ does not import train/). */
function mulberry32(a: number) {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Noisy labels from a linear rule in d dimensions: not separable, so the loss has a minimiser. */
function data(n: number, d: number, seed = 1) {
  const r = mulberry32(seed);
  const x = Float64Array.from({ length: n * d }, () => r() * 2 - 1);
  const y = Int32Array.from({ length: n }, (_, i) =>
    x[i * d] + 0.5 * x[i * d + 1] + (r() - 0.5) > 0 ? 1 : 0,
  );
  return { x, y, dim: d };
}

const meanLoss = (x: ArrayLike<number>, y: ArrayLike<number>, d: number, u: number[]) => {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    let z = u[d];
    for (let j = 0; j < d; j++) z += x[i * d + j] * u[j];
    s += Math.log1p(Math.exp(y[i] ? -z : z));
  }
  return s / y.length;
};

describe("where a task's loss is smallest", () => {
  it("logistic regression: Newton's minimiser has a zero gradient and no point nearby is lower", () => {
    const { x, y, dim } = data(300, 3);
    const m = logisticMinimum(x, y, dim)!;
    expect(m.f).toBeCloseTo(meanLoss(x, y, dim, m.u), 12);
    const r = mulberry32(7);
    for (let k = 0; k < 20; k++) {
      const v = m.u.map((u) => u + (r() - 0.5) * 1e-3);
      expect(meanLoss(x, y, dim, v)).toBeGreaterThanOrEqual(m.f);
    }
  });

  it("separable data has no minimiser: null, not a huge number", () => {
    const x = Float64Array.from([1, 2, -1, -2]);
    expect(logisticMinimum(x, [1, 1, 0, 0], 1)).toBeNull();
  });

  it("c* is the distance to the nearest minimiser of the 2-class softmax: adding the same to both classes changes nothing", () => {
    const d = data(200, 2);
    const W = [0.3, -0.2, 0.1, 0.4];
    const b = [0, 0];
    const a = taskOptimum("logistic", d, [W, b])!;
    const shifted = taskOptimum("logistic", d, [W.map((w) => w + 5), b.map((v) => v - 3)])!;
    expect(shifted.cStar).toBeCloseTo(a.cStar, 10);
    // Starting at a minimiser (class 1 − class 0 = u*), c* is 0.
    const m = logisticMinimum(d.x, d.y, 2)!;
    const at = taskOptimum("logistic", d, [
      [0, m.u[0], 0, m.u[1]],
      [0, m.u[2]],
    ])!;
    expect(at.cStar).toBeCloseTo(0, 12);
    expect(at.fStar).toBeCloseTo(m.f, 12);
  });

  it("analytic functions: the minimum in closed form; Rosenbrock and Rastrigin are not convex", () => {
    const ros = taskOptimum("rosenbrock", { x: [], y: [], dim: 0 }, [ANALYTIC_START.rosenbrock])!;
    expect(ros).toEqual({ fStar: 0, cStar: 0.5 * (2.5 ** 2 + 1), convex: false });
    const sv = taskOptimum("survey", { x: [], y: [], dim: 0 }, [ANALYTIC_START.survey])!;
    expect(sv.fStar).toBeCloseTo(2 * Math.SQRT2 * Math.exp(-0.1), 14);
    expect(sv.convex).toBe(true);
    expect(taskOptimum("spiral", { x: [], y: [], dim: 2 }, [[0]])).toBeNull();
  });
});
