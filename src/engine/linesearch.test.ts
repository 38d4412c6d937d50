import { describe, expect, it } from "vitest";
import { ArmijoLineSearch, ExactLineSearch, type LineState } from "./linesearch";
import { createScheduler } from "./runtime";
import { RobbinsMonro } from "./warmup";

/** f(x) = ½·a·x² at x, gradient a·x: the loss along −g is f(x − ηg) = ½a(x − η·a·x)². */
const quad = (a: number, x: number) => {
  const g = a * x;
  return { f: 0.5 * a * x * x, g2: g * g, along: (eta: number) => 0.5 * a * (x - eta * g) ** 2 };
};

describe("line searches", () => {
  it("Armijo takes the first trial meeting the sufficient-decrease condition", () => {
    const s = createScheduler({ scheduler: "ArmijoLineSearch", params: { eta0: 1, beta: 0.5, c: 0.1 } }, 1);
    const q = quad(10, 1); // stable only for η < 2/a = 0.2
    const cands = ArmijoLineSearch.candidates!(s.params, s.state as LineState);
    expect(cands.slice(0, 4)).toEqual([1, 0.5, 0.25, 0.125]);
    const r = s.step({ step: 0, loss: q.f, gradSq: q.g2, lineLoss: cands.map(q.along) });
    // η = 0.125: f = 5·(1 − 1.25)² = 0.3125 ≤ 5 − 0.1·0.125·100 = 3.75; η = 0.25 gives 5·1.5² = 11.25.
    expect(r.lr).toBe(0.125);
    expect(r.events[0].message).toMatch(/3 backtracks/);
    // The same count next step: no new event.
    expect(s.step({ step: 1, loss: q.f, gradSq: q.g2, lineLoss: cands.map(q.along) }).events).toEqual([]);
  });

  it("Armijo takes the smallest trial, and says so, when none qualifies", () => {
    const s = createScheduler({ scheduler: "ArmijoLineSearch", params: { max_backtracks: 3 } }, 1);
    const r = s.step({ step: 0, loss: 1, gradSq: 1, lineLoss: [2, 2, Number.NaN] });
    expect(r.lr).toBe(0.25);
    expect(r.events[0].kind).toBe("skip");
  });

  it("exact search picks the grid's minimiser along the ray, and skips when nothing lowers the loss", () => {
    const s = createScheduler(
      { scheduler: "ExactLineSearch", params: { eta_min: 0.01, eta_max: 1, points: 41 } },
      1,
    );
    const q = quad(10, 1); // exact minimiser η* = 1/a = 0.1, which is on this grid
    const cands = ExactLineSearch.candidates!(s.params, s.state as LineState);
    expect(cands[0]).toBeCloseTo(0.01, 12);
    expect(cands[40]).toBeCloseTo(1, 12);
    const r = s.step({ step: 0, loss: q.f, lineLoss: cands.map(q.along) });
    expect(r.lr).toBeCloseTo(0.1, 9);
    const stuck = s.step({ step: 1, loss: 0, lineLoss: cands.map(() => 1) });
    expect(stuck.lr).toBe(0);
    expect(stuck.events[0].kind).toBe("skip");
  });
});

describe("Robbins–Monro decay", () => {
  it("is η₀/(1 + t/τ)^p", () => {
    const s = createScheduler({ scheduler: "RobbinsMonro", params: { tau: 10, power: 0.75 } }, 0.5);
    const lrs = [s.lr];
    for (let t = 0; t < 30; t++) lrs.push(s.step({ step: t }).lr);
    lrs.forEach((lr, t) => {
      expect(lr).toBeCloseTo(0.5 * (1 + t / 10) ** -0.75, 14);
    });
    expect(RobbinsMonro.timeBased).toBe(true);
  });
});
