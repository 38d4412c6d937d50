/** Line searches in the real loop, on the survey's 2-D function with plain SGD. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, expect, it } from "vitest";
import { experimentSchema } from "../experiment/config";
import { ANALYTIC_F } from "../experiment/tasks";
import { Trainer } from "./trainer";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

it("Armijo and exact line search descend the survey function; every Armijo step decreases f enough", async () => {
  const t = new Trainer(
    experimentSchema.parse({
      task: { kind: "survey" },
      optimizer: "sgd",
      baseLr: 0.01,
      steps: 40,
      runs: [
        {
          name: "Armijo",
          color: "#2563eb",
          scheduler: { scheduler: "ArmijoLineSearch", params: { c: 0.1 } },
        },
        { name: "exact", color: "#dc2626", scheduler: { scheduler: "ExactLineSearch", params: {} } },
        { name: "constant", color: "#16a34a", scheduler: { scheduler: "Constant", params: {} } },
      ],
    }),
  );
  const loss: number[][] = [[], [], []];
  for (let i = 0; i < 40; i++) {
    const rep = await t.trainStep();
    // Each trial is one more forward pass in the run's cost; the exact search pays for its whole grid.
    // Armijo pays for the trials up to the one it accepted.
    expect(rep.runs[0]!.cost.fwds).toBe((t.scheds[0].state as { k: number }).k + 1);
    expect(rep.runs[1]!.cost).toEqual({ grads: 1, fwds: 40 }); // its default grid of 40 points
    expect(rep.runs[2]!.cost).toEqual({ grads: 1, fwds: 0 });
    rep.runs.forEach((r, k) => {
      loss[k].push(r!.loss);
      if (k === 0 && r!.pos) {
        // The reported point is where the loss was taken: f(pos) = loss.
        expect(ANALYTIC_F.survey(r!.pos[0], r!.pos[1])).toBeCloseTo(r!.loss, 4);
      }
    });
  }
  const fStar = 2 * Math.sqrt(2) * Math.exp(-0.1); // min of the survey function ≈ 2.559
  for (let i = 1; i < 40; i++) expect(loss[0][i]).toBeLessThanOrEqual(loss[0][i - 1] + 1e-6);
  expect(loss[0][39] - fStar).toBeLessThan(1e-3);
  expect(loss[1][39] - fStar).toBeLessThan(1e-3);
  expect(loss[2][39] - fStar).toBeGreaterThan(loss[0][39] - fStar);
  t.dispose();
});
