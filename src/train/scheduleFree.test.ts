/**
 * Schedule-free in the trainer (tfjs, float32) against the engine's float64 reference (engine/scheduleFreeAny.ts,
 * itself exact to the co-author's optimizers): on the quadratic bowl, whose gradient is known in closed form,
 * every averaging mode driven by a WSD schedule and by GreedyLR, and the schedule-free Polyak step, give the same
 * LRs and the same loss at x, step for step, up to float32.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createScheduler } from "../engine/runtime";
import { initAveraging, type SfMode, sfAverage, sfPolyak, sfUpdate, sfX } from "../engine/scheduleFreeAny";
import type { SchedulerConfig } from "../engine/types";
import { experimentSchema } from "../experiment/config";
import { ANALYTIC_START } from "../experiment/tasks";
import { Trainer } from "./trainer";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

const f = (p: number[]) => 0.5 * (p[0] * p[0] + 10 * p[1] * p[1]);
const grad = (p: number[]) => [p[0], 10 * p[1]];

/** The float64 reference: the engine's scheduler for the LR, the engine's schedule-free step. */
function reference(cfg: SchedulerConfig, mode: SfMode, steps: number, baseLr: number) {
  const s = createScheduler(cfg, baseLr);
  const y = [...ANALYTIC_START.quadratic];
  const z = [...y];
  let avg = initAveraging();
  let M = typeof cfg.params?.M === "number" ? (cfg.params.M as number) : 1;
  const out = { lr: [] as number[], lossX: [] as number[], lossY: [] as number[] };
  for (let t = 0; t < steps; t++) {
    const g = grad(y);
    const fy = f(y);
    let lr: number;
    if (s.spec.timing === "before") {
      const dot = g[0] * (z[0] - y[0]) + g[1] * (z[1] - y[1]);
      const r = sfPolyak(fy, dot, g[0] * g[0] + g[1] * g[1], 0, M);
      M = r.M;
      lr = r.gamma;
    } else lr = s.lr;
    const { c, next } = sfAverage(mode, avg, lr);
    avg = next;
    out.lossY.push(fy);
    out.lossX.push(f(sfX(y, z, 0.9)));
    out.lr.push(lr);
    sfUpdate(y, z, g, lr, c, 0.9);
    if (s.spec.timing === "after") s.step({ step: t, loss: fy });
  }
  return out;
}

const close = (a: number, b: number, rel = 2e-4) => Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-6);

describe("schedule-free in the trainer matches the engine's float64 reference", () => {
  const wsd: SchedulerConfig = {
    scheduler: "WSD",
    params: { num_warmup_steps: 5, num_stable_steps: 25, num_decay_steps: 10 },
  };
  const greedy: SchedulerConfig = { scheduler: "GreedyLR", params: { patience: 2, max_lr: 0.15 } };
  const cases: [string, SchedulerConfig, SfMode][] = [
    ["WSD, schedulet", wsd, "schedulet"],
    ["WSD, reference", wsd, "reference"],
    ["WSD, theory", wsd, "theory"],
    ["GreedyLR, schedulet", greedy, "schedulet"],
  ];
  for (const [name, cfg, mode] of cases)
    it(name, async () => {
      const e = experimentSchema.parse({
        task: { kind: "quadratic" },
        optimizer: "sgd",
        baseLr: 0.08,
        steps: 40,
        runs: [
          {
            name: "sf",
            color: "#000000",
            scheduler: cfg,
            sf: { variant: "sgd", averaging: mode, beta: 0.9 },
          },
          { name: "plain", color: "#0072B2", scheduler: { scheduler: "Constant" } },
        ],
      });
      const tr = new Trainer(e);
      const want = reference(cfg, mode, 40, 0.08);
      for (let t = 0; t < 40; t++) {
        const rep = await tr.trainStep();
        const r = rep.runs[0]!;
        expect(close(r.lr, want.lr[t], 1e-6), `lr[${t}] ${r.lr} vs ${want.lr[t]}`).toBe(true);
        expect(close(r.loss, want.lossX[t]), `loss at x [${t}] ${r.loss} vs ${want.lossX[t]}`).toBe(true);
        expect(close(r.lossY!, want.lossY[t]), `loss at y [${t}] ${r.lossY} vs ${want.lossY[t]}`).toBe(true);
        expect(rep.runs[1]!.lossY).toBeUndefined();
      }
      tr.dispose();
    });

  it("the schedule-free Polyak step (ℓ* = 0, M = 1)", async () => {
    const cfg: SchedulerConfig = { scheduler: "ScheduleFreePolyak", params: { M: 1 } };
    const e = experimentSchema.parse({
      task: { kind: "quadratic" },
      optimizer: "sgd",
      steps: 40,
      runs: [{ name: "polyak", color: "#000000", scheduler: cfg }],
    });
    const tr = new Trainer(e);
    const want = reference(cfg, "theory", 40, 0.05);
    for (let t = 0; t < 40; t++) {
      const r = (await tr.trainStep()).runs[0]!;
      expect(close(r.lr, want.lr[t], 5e-4), `γ[${t}] ${r.lr} vs ${want.lr[t]}`).toBe(true);
      expect(close(r.loss, want.lossX[t], 5e-4), `loss at x [${t}] ${r.loss} vs ${want.lossX[t]}`).toBe(true);
    }
    tr.dispose();
  });
});

describe("the convex bound beside a schedule-free run", () => {
  /** Plays a logistic-regression race (full batch, so the batch loss is the loss) and returns its steps. */
  async function play(averaging: string, steps: number) {
    const e = experimentSchema.parse({
      task: { kind: "logistic", samples: 200, noise: 0.5 },
      optimizer: "sgd",
      baseLr: 4,
      batchSize: 200,
      steps,
      runs: [
        {
          name: "cosine",
          color: "#1f77b4",
          scheduler: { scheduler: "CosineAnnealingLR", params: { T_max: steps } },
          sf: { variant: "sgd", averaging, beta: 0.9 },
        },
        { name: "plain", color: "#ff7f0e", scheduler: { scheduler: "Constant" } },
      ],
    });
    const tr = new Trainer(e);
    const out = [];
    for (let t = 0; t < steps; t++) out.push((await tr.trainStep()).runs);
    const at = tr.optimum;
    const has = [tr.hasBound(0), tr.hasBound(1)];
    tr.dispose();
    return { out, at, has };
  }

  it("is f* + (2c* + Σγᵢ²‖gᵢ‖²)/(2Σγᵢ) over the steps before, from the run's own LRs and gradients", async () => {
    const { out, at, has } = await play("schedulet", 40);
    expect(has).toEqual([true, false]);
    expect(at?.convex).toBe(true);
    let sg = 0;
    let sg2 = 0;
    for (const [t, runs] of out.entries()) {
      const r = runs[0]!;
      if (t === 0) expect(r.bound).toBeUndefined();
      else expect(r.bound).toBeCloseTo(at!.fStar + (2 * at!.cStar + sg2) / (2 * sg), 10);
      // The theorem, on a convex loss: the loss at x never exceeds it.
      if (r.bound !== undefined) expect(r.loss).toBeLessThanOrEqual(r.bound);
      sg += r.lr;
      sg2 += r.lr * r.lr * r.gradNorm! ** 2;
      expect(runs[1]!.bound).toBeUndefined();
      // The loss at x is one more forward pass, counted in the run's cost; the plain run pays only its gradient.
      expect(r.cost).toEqual({ grads: 1, fwds: 1 });
      expect(runs[1]!.cost).toEqual({ grads: 1, fwds: 0 });
    }
  });

  it("is drawn only where it is the theorem: schedulet averaging", async () => {
    for (const averaging of ["reference", "theory"])
      expect((await play(averaging, 2)).has).toEqual([false, false]);
  });
});
