import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultExperiment, type Experiment, experimentSchema } from "../experiment/config";
import { Trainer } from "./trainer";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

const exp = (over: Partial<Experiment> = {}): Experiment => ({ ...defaultExperiment(), ...over });

async function train(e: Experiment, n: number) {
  const tr = new Trainer(e);
  const losses: number[][] = e.runs.map(() => []);
  const lrs: number[][] = e.runs.map(() => []);
  for (let i = 0; i < n; i++) {
    const rep = await tr.trainStep();
    rep.runs.forEach((r, k) => {
      if (r) {
        losses[k].push(r.loss);
        lrs[k].push(r.lr);
      }
    });
  }
  return { tr, losses, lrs };
}

describe("Trainer", () => {
  it("trains the spiral: loss falls for both runs", async () => {
    const { tr, losses } = await train(exp({ optimizer: "adam", baseLr: 0.05 }), 600);
    const mean = (a: number[]) => a.reduce((x, y) => x + y) / a.length;
    for (const l of losses) expect(mean(l.slice(-20))).toBeLessThan(mean(l.slice(0, 20)) * 0.8);
    tr.dispose();
  });

  it("gives identical curves to runs with identical schedulers (same weights, same batches)", async () => {
    const e = experimentSchema.parse({
      runs: [0, 1, 2].map((i) => ({
        name: `r${i}`,
        color: "#000000",
        scheduler: { scheduler: "StepLR", params: { step_size: 20, gamma: 0.5 } },
      })),
    });
    const { tr, losses } = await train(e, 60);
    expect(losses[1]).toEqual(losses[0]);
    expect(losses[2]).toEqual(losses[0]);
    tr.dispose();
  });

  it("is reproducible: same config and seed ⇒ same curves; another seed ⇒ different", async () => {
    const a = await train(exp(), 40);
    const b = await train(exp(), 40);
    const c = await train(exp({ seed: 2 }), 40);
    expect(b.losses).toEqual(a.losses);
    expect(c.losses[0]).not.toEqual(a.losses[0]);
    for (const x of [a, b, c]) x.tr.dispose();
  });

  it("applies the scheduler's LR: lr[t] follows StepLR exactly", async () => {
    const e = experimentSchema.parse({
      runs: [
        {
          name: "s",
          color: "#000000",
          scheduler: { scheduler: "StepLR", params: { step_size: 5, gamma: 0.5 } },
        },
      ],
      baseLr: 0.1,
    });
    const { tr, lrs } = await train(e, 12);
    expect(lrs[0]).toEqual([0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025]);
    tr.dispose();
  });

  it("marks a diverging run at the step it happened and keeps training the others", async () => {
    const e = experimentSchema.parse({
      baseLr: 0.1,
      runs: [
        { name: "ok", color: "#000000", scheduler: { scheduler: "Constant" } },
        { name: "boom", color: "#000000", scheduler: { scheduler: "ExponentialLR", params: { gamma: 3 } } },
      ],
    });
    const tr = new Trainer(e);
    let divergedStep = -1;
    for (let i = 0; i < 120; i++) {
      const rep = await tr.trainStep();
      if (rep.runs[1]?.diverged) divergedStep = rep.step;
      expect(Number.isFinite(rep.runs[0]!.loss)).toBe(true);
    }
    expect(divergedStep).toBeGreaterThan(0);
    expect(tr.divergedAt[1]).toBe(divergedStep);
    expect(tr.divergedAt[0]).toBeNull();
    tr.dispose();
  });

  it("leaks no tensors: numTensors is flat across steps", async () => {
    const tr = new Trainer(exp({ optimizer: "adam" }));
    for (let i = 0; i < 5; i++) await tr.trainStep();
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 300; i++) await tr.trainStep();
    expect(tf.memory().numTensors).toBe(n0);
    tr.dispose();
  });
});
