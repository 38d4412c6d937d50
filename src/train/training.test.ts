import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { type Experiment, experimentSchema } from "../experiment/config";
import { spikePeriod } from "../experiment/noise";
import { ANALYTIC_F, ANALYTIC_START, ANALYTIC_TASKS } from "../experiment/tasks";
import { type LiveChange, replayTrainer, Trainer } from "./trainer";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

const small = (
  runs: { scheduler: string; params?: Record<string, unknown> }[],
  over: Record<string, unknown> = {},
): Experiment =>
  experimentSchema.parse({
    task: { kind: "spiral", samples: 60, noise: 0.1 },
    hidden: [8],
    batchSize: 60,
    baseLr: 0.02,
    ...over,
    runs: runs.map((s, i) => ({ name: `r${i}`, color: "#000000", scheduler: s })),
  });

async function run(e: Experiment, n: number) {
  const tr = new Trainer(e);
  const loss: number[][] = e.runs.map(() => []);
  const lr: number[][] = e.runs.map(() => []);
  for (let i = 0; i < n; i++) {
    const rep = await tr.trainStep();
    rep.runs.forEach((r, k) => {
      loss[k].push(r ? r.loss : Number.NaN);
      lr[k].push(r ? r.lr : Number.NaN);
    });
  }
  const onsets = [...tr.onsets];
  tr.dispose();
  return { loss, lr, onsets };
}

const greedy = { scheduler: "GreedyLR", params: { factor: 0.5, patience: 2, min_lr: 1e-5 } };

describe("noise: where it enters is where it acts", () => {
  it("signal: training is untouched, only the scheduler sees the noise", async () => {
    const clean = await run(small([greedy]), 120);
    const noisy = await run(
      small([greedy], { noise: { type: "gaussian", strength: 0.5, target: "signal" } }),
      120,
    );
    expect(noisy.lr[0]).not.toEqual(clean.lr[0]);
    // Until the noisy scheduler first chooses a different LR, the losses are identical.
    const firstDiff = noisy.lr[0].findIndex((x, i) => x !== clean.lr[0][i]);
    expect(noisy.loss[0].slice(0, firstDiff + 1)).toEqual(clean.loss[0].slice(0, firstDiff + 1));
  });

  it("gradients: a periodic spike really changes training; onsets are recorded at each period", async () => {
    const constant = [{ scheduler: "Constant" }];
    const clean = await run(small(constant), 130);
    const noisy = await run(
      small(constant, { noise: { type: "periodic", strength: 1, target: "gradients" } }),
      130,
    );
    const P = spikePeriod(1);
    expect(noisy.onsets).toEqual([P]);
    expect(noisy.loss[0].slice(0, P + 1)).toEqual(clean.loss[0].slice(0, P + 1));
    expect(noisy.loss[0][P + 2]).not.toBe(clean.loss[0][P + 2]);
  });

  it("weights: a shock makes the loss jump at the spike", async () => {
    const e = small([{ scheduler: "Constant" }], {
      noise: { type: "periodic", strength: 1, target: "weights" },
    });
    const r = await run(e, 110);
    const P = spikePeriod(1);
    expect(r.loss[0][P]).toBeGreaterThan(r.loss[0][P - 1] * 1.05);
  });

  it("data: a label burst raises the loss of that step", async () => {
    const e = small([{ scheduler: "Constant" }], {
      noise: { type: "periodic", strength: 1, target: "data" },
    });
    const r = await run(e, 110);
    const P = spikePeriod(1);
    expect(r.loss[0][P]).toBeGreaterThan(r.loss[0][P - 1] * 1.2);
  });
});

describe("optimizers and gradient-driven schedulers in training", () => {
  it("a Schedule-Free run beside an Adam run does not disturb it (per-run optimizer masks)", async () => {
    const alone = await run(small([{ scheduler: "Constant" }]), 60);
    const mixed = await run(
      small([{ scheduler: "Constant" }, { scheduler: "ScheduleFree", params: { variant: "adamw" } }]),
      60,
    );
    expect(mixed.loss[0]).toEqual(alone.loss[0]);
    expect(mixed.loss[1].every(Number.isFinite)).toBe(true);
    expect(mixed.loss[1][59]).toBeLessThan(mixed.loss[1][0]);
  });

  it("every optimizer kind trains with finite, falling loss", async () => {
    for (const optimizer of ["sgd", "momentum", "adam", "adamw"]) {
      const r = await run(
        small([{ scheduler: "Constant" }, { scheduler: "DeltaBarDelta" }, { scheduler: "AdaDelta" }], {
          optimizer,
          baseLr: 0.05,
        }),
        80,
      );
      for (const l of r.loss) {
        expect(l.every(Number.isFinite), optimizer).toBe(true);
        expect(l[79], optimizer).toBeLessThan(l[0]);
      }
    }
  });

  it("Polyak, AdGD, Secant and Refined get the gradient facts they need and train", async () => {
    const e = small(
      [
        { scheduler: "Polyak", params: { gamma_max: 100 } },
        { scheduler: "AdGD", params: { max_lr: 1 } },
        { scheduler: "Secant", params: { probe: 0.01, max_lr: 50 } },
        { scheduler: "Refined", params: { phase_steps: 40 } },
      ],
      { optimizer: "sgd", baseLr: 0.1 },
    );
    const r = await run(e, 80);
    r.lr.forEach((lrs, k) => {
      expect(
        lrs.every((x) => Number.isFinite(x) && x >= 0),
        `run ${k}`,
      ).toBe(true);
      expect(new Set(lrs).size, `run ${k} adapts its LR: ${lrs.slice(0, 8)}`).toBeGreaterThan(3);
    });
    // Polyak step = (f − f*)/(c‖g‖²): positive from the start.
    expect(r.lr[0][0]).toBeGreaterThan(0);
  });
});

describe("memory", () => {
  it("numTensors stays flat over 20 000 steps (CPU backend, noise and every gradient fact on)", async () => {
    const e = small(
      [
        { scheduler: "AdGD" },
        { scheduler: "Secant" },
        { scheduler: "Polyak" },
        { scheduler: "ScheduleFree" },
      ],
      {
        task: { kind: "xor", samples: 20, noise: 0.1 },
        hidden: [2],
        batchSize: 4,
        noise: { type: "random", strength: 0.5, target: "weights" },
      },
    );
    const tr = new Trainer(e);
    for (let i = 0; i < 10; i++) await tr.trainStep();
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 20_000; i++) await tr.trainStep();
    expect(tf.memory().numTensors).toBe(n0);
    tr.dispose();
  }, 300_000);
});

describe("tasks", () => {
  it("sine regression (MSE) and 20-D logistic regression train", async () => {
    for (const kind of ["sine", "logistic"]) {
      const r = await run(
        small([{ scheduler: "Constant" }], {
          task: { kind, samples: 100, noise: 0.1 },
          batchSize: 100,
          baseLr: 0.05,
        }),
        150,
      );
      expect(r.loss[0][149], kind).toBeLessThan(r.loss[0][0] * 0.7);
    }
  });

  it("analytic 2-D functions: the loss is f at the reported point, and it falls", async () => {
    const lrFor: Record<string, number> = {
      quadratic: 0.05,
      rosenbrock: 0.0005,
      survey: 0.005,
      rastrigin: 0.005,
    };
    for (const kind of ANALYTIC_TASKS) {
      const e = small([{ scheduler: "Constant" }], {
        task: { kind, samples: 20, noise: 0 },
        optimizer: "sgd",
        baseLr: lrFor[kind],
      });
      const tr = new Trainer(e);
      const first = await tr.trainStep();
      expect(first.runs[0]!.pos).toEqual(ANALYTIC_START[kind].map((v) => Math.fround(v)));
      let last = first;
      for (let i = 0; i < 100; i++) last = await tr.trainStep();
      const [a, b] = last.runs[0]!.pos!;
      expect(last.runs[0]!.loss, kind).toBeCloseTo(ANALYTIC_F[kind](a, b), 3);
      expect(last.runs[0]!.loss, kind).toBeLessThan(first.runs[0]!.loss);
      tr.dispose();
    }
  });

  it("the refined schedule's phase 2 retrains from the initial weights (that run only)", async () => {
    const e = small([{ scheduler: "Refined", params: { phase_steps: 30 } }, { scheduler: "Constant" }], {
      task: { kind: "quadratic", samples: 20, noise: 0 },
      optimizer: "sgd",
      baseLr: 0.05,
    });
    const tr = new Trainer(e);
    const loss: number[][] = [[], []];
    for (let i = 0; i < 40; i++) {
      const rep = await tr.trainStep();
      rep.runs.forEach((r, k) => {
        loss[k].push(r!.loss);
      });
    }
    expect(loss[0][29]).toBeLessThan(loss[0][0] / 2);
    expect(loss[0][30]).toBeCloseTo(loss[0][0], 5); // back at the start after the phase event of step 29
    expect(loss[1][30]).toBeLessThan(loss[1][0] / 2); // the other run went on
    tr.dispose();
  });

  it("replaying a race with its live changes reproduces its state exactly (device-loss recovery)", async () => {
    const e = small(
      [
        { scheduler: "GreedyLR", params: { factor: 0.9, patience: 3 } },
        { scheduler: "CosineAnnealingLR", params: { T_max: 60 } },
      ],
      { noise: { type: "random", strength: 0.5, target: "weights" } },
    );
    const live = new Trainer(e);
    const changes: LiveChange[] = [];
    const losses: number[][] = [];
    for (let t = 0; t < 40; t++) {
      if (t === 15) {
        const config = { scheduler: "GreedyLR", params: { factor: 0.5, patience: 2 } };
        live.setScheduler(0, config);
        changes.push({ step: 15, run: 0, config });
      }
      losses.push((await live.trainStep()).runs.map((r) => r!.loss));
    }
    const replayed = (await replayTrainer(e, changes, 30))!;
    for (let t = 30; t < 40; t++)
      expect((await replayed.trainStep()).runs.map((r) => r!.loss)).toEqual(losses[t]);
    expect(replayed.scheds[0].params.factor).toBe(0.5);
    expect(await replayTrainer(e, changes, 30, (k) => k === 5)).toBeNull();
    live.dispose();
    replayed.dispose();
  });
});
