/**
 * The Rayleigh step in the trainer: gᵀHg by a finite difference of two gradients on the same batch (the secant
 * fact), exact on a quadratic. On the bowl ½(x₁² + 10x₂²) the step must be ‖g‖²/gᵀHg = (x₁² + 100x₂²)/(x₁² + 1000x₂²)
 * at every point of the run, up to float32; and in the engine, a non-positive gᵀHg falls back as configured.
 * The power method's ‖ψ‖ is λ_max = 10 on the bowl from the first step (its 10 warm-up iterations), so its LR is
 * factor/10; on the survey's function, one power iteration a step follows the exact λ_max along the path.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createScheduler } from "../engine/runtime";
import { experimentSchema } from "../experiment/config";
import { ANALYTIC_HESSIAN } from "../experiment/tasks";
import { Trainer } from "./trainer";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

describe("the Rayleigh step", () => {
  it("is ‖g‖²/gᵀHg at every step on the quadratic bowl (float32)", async () => {
    const e = experimentSchema.parse({
      task: { kind: "quadratic" },
      optimizer: "sgd",
      steps: 30,
      runs: [{ name: "r", color: "#000000", scheduler: { scheduler: "Rayleigh", params: { max_lr: 10 } } }],
    });
    const tr = new Trainer(e);
    for (let t = 0; t < 30; t++) {
      const r = (await tr.trainStep()).runs[0]!;
      const [a, b] = r.pos!;
      if (a * a + 100 * b * b < 1e-20) break;
      const want = (a * a + 100 * b * b) / (a * a + 1000 * b * b);
      expect(Math.abs(r.lr - want) / want, `step ${t}: ${r.lr} vs ${want}`).toBeLessThan(5e-3);
    }
    tr.dispose();
  });

  it("falls back when gᵀHg ≤ 0: keeps the previous step, or takes max LR, and says so", () => {
    for (const [fallback, want] of [
      ["keep", 0.05],
      ["max", 0.5],
    ] as const) {
      const s = createScheduler({ scheduler: "Rayleigh", params: { fallback, max_lr: 0.5 } }, 0.05);
      const r = s.step({ step: 0, secantSY: -1e-3, secantSS: 1e-4 });
      expect(r.lr).toBe(want);
      expect(r.events[0].message).toMatch(/no minimiser/);
      const z = s.step({ step: 1, secantSY: 0, secantSS: 1e-4 });
      expect(Number.isFinite(z.lr) && z.lr >= 0).toBe(true);
    }
  });
});

describe("1/λ_max by the on-line power method", () => {
  const race = (task: string, params: Record<string, unknown>, steps: number) =>
    new Trainer(
      experimentSchema.parse({
        task: { kind: task },
        optimizer: "sgd",
        steps,
        runs: [
          { name: "p", color: "#000000", scheduler: { scheduler: "PowerMethod", params } },
          { name: "c", color: "#0000ff", scheduler: { scheduler: "Constant" } },
        ],
      }),
    );

  it("is factor/λ_max = factor/10 at every step on the bowl, and converges", async () => {
    const tr = race("quadratic", { factor: 1.5 }, 40);
    let last = Number.NaN;
    for (let t = 0; t < 40; t++) {
      const r = (await tr.trainStep()).runs[0]!;
      expect(Math.abs(r.lr - 0.15) / 0.15, `step ${t}: ${r.lr}`).toBeLessThan(1e-3);
      last = r.loss;
    }
    expect(last).toBeLessThan(1e-4); // 0.5·2²·0.85⁸⁰ ≈ 4e-6: the x₁ error shrinks by 1 − 0.15 a step
    tr.dispose();
  });

  it("with γ = 1 (one power iteration a step) tracks the exact λ_max along the survey's path", async () => {
    const tr = race("survey", { factor: 1, gamma: 1, alpha: 1e-3 }, 30);
    for (let t = 0; t < 30; t++) {
      const r = (await tr.trainStep()).runs[0]!;
      const [a, b, c] = ANALYTIC_HESSIAN.survey(...r.pos!);
      const lmax = (a + c) / 2 + Math.sqrt(((a - c) / 2) ** 2 + b * b);
      const est = 1 / r.lr;
      // One iteration a step lags a Hessian that changes fast: 1.3% at step 2, then under 0.1% (measured).
      expect(Math.abs(est - lmax) / lmax, `step ${t}: ${est} vs ${lmax}`).toBeLessThan(0.02);
    }
    tr.dispose();
  });
});
