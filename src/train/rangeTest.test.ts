import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseRangeTest, runRangeTest } from "../engine/rangeTest";
import { experimentSchema } from "../experiment/config";
import { runRangeTestOn } from "./rangeTest";
import { Trainer } from "./trainer";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

const exp = (over: Record<string, unknown> = {}) =>
  experimentSchema.parse({
    task: { kind: "circles", samples: 200 },
    optimizer: "momentum",
    batchSize: 32,
    noise: { type: "periodic", strength: 2, target: "weights" },
    runs: [
      { name: "a", color: "#000000", scheduler: { scheduler: "Constant" } },
      { name: "b", color: "#0072B2", scheduler: { scheduler: "GreedyLR" } },
    ],
    ...over,
  });

describe("the range test on an experiment (tfjs)", () => {
  it("records what the engine's procedure records from the same losses", async () => {
    for (const flavor of ["fastai", "torch-lr-finder"] as const) {
      const cfg = parseRangeTest({ flavor, params: { start_lr: 1e-4, end_lr: 10 } });
      const r = await runRangeTestOn(exp(), cfg);
      const again = runRangeTest(cfg, r.raw);
      expect(r.lr).toEqual(again.lr);
      expect(r.smoothed).toEqual(again.smoothed);
      expect(r.suggestions).toEqual(again.suggestions);
      expect(r.stop).toBe(r.raw.length);
    }
  });

  it("trains from the race's initial weights on the race's batches, without its noise", async () => {
    const e = exp();
    const cfg = parseRangeTest({ flavor: "fastai", params: { start_lr: 1e-3, end_lr: 1, num_it: 5 } });
    const r = await runRangeTestOn(e, cfg);
    // The race, without noise, with the range test's LRs forced: the same losses, step for step.
    const t = new Trainer({ ...e, noise: { ...e.noise, type: "clean" } });
    for (let k = 0; k < 5; k++) {
      const rep = await t.trainStep(e.runs.map(() => r.lr[k]));
      expect(rep.runs[0]?.loss).toBe(r.raw[k]);
      expect(rep.runs[1]?.loss).toBe(r.raw[k]);
    }
    t.dispose();
  });

  it("stops cleanly at a non-finite loss and says at which LR", async () => {
    const cfg = parseRangeTest({
      flavor: "fastai",
      params: { start_lr: 1e-3, end_lr: 1e30, stop_div: false },
    });
    const r = await runRangeTestOn(exp({ optimizer: "sgd", task: { kind: "quadratic" } }), cfg);
    expect(r.reason).toBe("non-finite");
    expect(r.diverged).not.toBeNull();
    expect(r.diverged!.index).toBe(r.stop);
    expect(r.smoothed.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(r.diverged!.lr)).toBe(true);
  });

  it("can be cancelled and leaves no tensors behind", async () => {
    const before = tf.memory().numTensors;
    let n = 0;
    const r = await runRangeTestOn(exp(), parseRangeTest({ flavor: "fastai", params: {} }), {
      cancelled: () => ++n >= 7,
    });
    expect(r.reason).toBe("cancelled");
    expect(r.stop).toBe(7);
    expect(tf.memory().numTensors).toBe(before);
  });
});
