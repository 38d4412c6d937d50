/**
 * The MNIST CNN and the char-LM transformer: they really learn, runs stacked over the run axis stay
 * identical when their schedulers are, and nothing leaks.
 */
import * as tf from "@tensorflow/tfjs";
import "./wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { packMnist } from "../cli/mnistPack";
import { experimentSchema } from "../experiment/config";
import { MNIST_TEST, MNIST_TRAIN_MAX } from "../experiment/tasks";
import { classify, sample } from "./inference";
import { mnistTest, mnistTrain, provideMnist } from "./mnist";
import { createModel } from "./model";
import { makeDataset } from "./tasks";
import { Trainer } from "./trainer";

// WASM, not CPU: tfjs's pure-JS CPU kernels take ~0.3 s (CNN) and ~0.7 s (transformer) per step here,
// XNNPACK-backed WASM ~20-70 ms — and WASM is the backend these models train on in most browsers here.
beforeAll(async () => {
  expect(await tf.setBackend("wasm")).toBe(true);
  provideMnist(packMnist());
});

const exp = (kind: "mnist" | "charlm", lrs: number[], extra: Record<string, unknown> = {}) =>
  experimentSchema.parse({
    task: { kind, samples: 1000 },
    optimizer: "adam",
    baseLr: 0.003,
    batchSize: 32,
    runs: lrs.map((lr, i) => ({
      name: `r${i}`,
      color: "#2563eb",
      scheduler: { scheduler: "Constant", params: {} },
      ...(i === 2
        ? { scheduler: { scheduler: "ConstantLR", params: { factor: lr / lrs[0], total_iters: 1e6 } } }
        : {}),
    })),
    ...extra,
  });

async function train(t: Trainer, steps: number) {
  const losses: number[][] = t.exp.runs.map(() => []);
  for (let i = 0; i < steps; i++) {
    const rep = await t.trainStep();
    rep.runs.forEach((r, k) => {
      losses[k].push(r!.loss);
    });
  }
  return losses;
}

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

describe("MNIST digits", () => {
  it("packs class-balanced 14×14 digits with a held-out set", () => {
    const tr = mnistTrain(100);
    expect(tr.n).toBe(100);
    expect(tr.x.length).toBe(100 * 196);
    expect(Array.from(tr.y.slice(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(mnistTrain(1e6).n).toBe(MNIST_TRAIN_MAX);
    expect(mnistTest().n).toBe(MNIST_TEST);
    expect(Math.max(...tr.x)).toBeLessThanOrEqual(1);
    expect(Math.max(...tr.x)).toBeGreaterThan(0.9);
  });

  it("the CNN learns, identical runs stay identical, and it leaks nothing", async () => {
    const t = new Trainer(exp("mnist", [0.003, 0.003]));
    await train(t, 2);
    const before = tf.memory().numTensors;
    const losses = await train(t, 120);
    expect(tf.memory().numTensors).toBe(before);
    expect(losses[0]).toEqual(losses[1]);
    expect(losses[0][0]).toBeGreaterThan(2); // ≈ ln 10 at the start
    expect(mean(losses[0].slice(-20))).toBeLessThan(1.0);
    const test = mnistTest();
    const preds = await classify(t, test.x, test.n);
    const acc = preds[0].reduce((a, c, i) => a + (c === test.y[i] ? 1 : 0), 0) / test.n;
    expect(acc).toBeGreaterThan(0.6);
    t.dispose();
  });
});

/**
 * On WASM the CNN uses plain 2-D matMuls (stack.ts: runMatMul) and a convolution per run for its layer 2, and
 * both models LR Lab's own WASM kernels (wasm.ts); elsewhere one batched matMul and strided slices. Same maths:
 * the loss and every gradient of 3 runs with different weights agree with the CPU backend's.
 */
describe("the WASM formulation equals the batched one", () => {
  for (const kind of ["mnist", "charlm"] as const)
    it(kind, async () => {
      const e = exp(kind, [1, 1, 1]);
      const data = makeDataset(e.task, e.seed);
      const [x, y] = kind === "mnist" ? [data.x.slice(0, 16 * data.dim), data.y.slice(0, 16)] : [null, null];
      const run = async (backend: "wasm" | "cpu") => {
        expect(await tf.setBackend(backend)).toBe(true);
        const m = createModel(kind, data, e.hidden, 3, e.seed);
        // Different weights per run, so a mixed-up run axis would show.
        m.vars.forEach((v, i) => {
          v.assign(tf.mul(v, tf.reshape(tf.tensor1d([1, 1.3 + 0.01 * i, 0.7]), [3, 1, 1])));
        });
        const xb =
          kind === "mnist"
            ? tf.tensor2d(x as Float32Array, [16, data.dim])
            : tf.tensor2d(
                Array.from({ length: 4 * data.dim }, (_, i) => (i * 7) % data.outputs),
                [4, data.dim],
              );
        const yb =
          kind === "mnist"
            ? tf.oneHot(tf.tensor1d(Array.from(y as ArrayLike<number>), "int32"), 10)
            : tf.oneHot(
                tf.tensor1d(
                  Array.from({ length: 4 * data.dim }, (_, i) => (i * 5) % data.outputs),
                  "int32",
                ),
                data.outputs,
              );
        const { value, grads } = tf.variableGrads(() => tf.sum(m.loss(m.vars, xb, yb)) as tf.Scalar, m.vars);
        const out = {
          loss: await value.data(),
          grads: await Promise.all(m.vars.map((v) => grads[v.name].data())),
        };
        tf.dispose([value, xb, yb, ...Object.values(grads), ...m.vars, ...(m.consts ?? [])]);
        return out;
      };
      const w = await run("wasm");
      const c = await run("cpu");
      await tf.setBackend("wasm");
      const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
        const scale = Math.max(...Array.from(b, Math.abs), 1e-6);
        for (let i = 0; i < a.length; i++)
          expect(Math.abs(a[i] - b[i]) / scale, `${what}[${i}]`).toBeLessThan(2e-4);
      };
      close(w.loss, c.loss, "loss");
      for (const [i, g] of w.grads.entries()) close(g, c.grads[i], `grad ${i}`);
    }, 120_000);
});

describe("char-LM", () => {
  it("windows the corpus into next-character targets", () => {
    const d = makeDataset({ kind: "charlm", samples: 400, noise: 0 }, 1);
    expect(d.type).toBe("sequence");
    expect(d.dim).toBe(32);
    // Targets are the inputs shifted by one character.
    expect(d.y[0]).toBe(d.x[1]);
    expect(d.y[31]).toBe(d.x[32 + 31]);
    expect(d.vocab?.length).toBe(d.outputs);
  });

  it("the transformer learns, runs differ only by their LR, and it leaks nothing", async () => {
    const t = new Trainer(exp("charlm", [0.01, 0.01, 0.003], { batchSize: 8, baseLr: 0.01 }));
    await train(t, 2);
    const before = tf.memory().numTensors;
    const losses = await train(t, 100);
    expect(tf.memory().numTensors).toBe(before);
    expect(losses[0]).toEqual(losses[1]);
    expect(losses[2]).not.toEqual(losses[0]);
    expect(losses[0][0]).toBeGreaterThan(3.2); // near ln 55 ≈ 4.0 at step 0
    expect(mean(losses[0].slice(-20))).toBeLessThan(2.8); // ≈ 2.5 after 100 steps: letters, spaces, common pairs
    const [a, , c] = await sample(t, "Then can I ", 40);
    expect(a).toHaveLength(40);
    expect(c).toHaveLength(40);
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });
});
