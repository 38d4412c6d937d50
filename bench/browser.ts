/**
 * Runs inside headless Chromium (bench/bench.html, built with the app). Measures, on one backend and in one
 * page: steps/s of LR Lab's Trainer vs a bare tfjs loop of the same model (tf.train.adam + minimize), and the
 * cost of 4 runs vs 1 in LR Lab's stacked trainer (medians of three interleaved rounds).
 */
import * as tf from "@tensorflow/tfjs";
import { experimentSchema } from "../src/experiment/config";
import { selectBackend } from "../src/train/backend";
import { loadMnist } from "../src/train/mnist";
import { makeDataset } from "../src/train/tasks";
import { Trainer } from "../src/train/trainer";

const TASK = { kind: "spiral" as const, samples: 400, noise: 0.1 };
const HIDDEN = [16, 16];
const BATCH = 64;

function experiment(runs: number) {
  return experimentSchema.parse({
    task: TASK,
    hidden: HIDDEN,
    batchSize: BATCH,
    optimizer: "adam",
    baseLr: 0.01,
    steps: 100000,
    runs: Array.from({ length: runs }, (_, i) => ({
      name: `r${i}`,
      color: "#000000",
      scheduler: { scheduler: "Constant" },
    })),
  });
}

async function labStepsPerSecond(runs: number, steps: number, exp = experiment): Promise<number> {
  const tr = new Trainer(exp(runs));
  for (let i = 0; i < 10; i++) await tr.trainStep();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await tr.trainStep();
  const sps = (steps * 1000) / (performance.now() - t0);
  tr.dispose();
  return sps;
}

/** The same MLP (2-16-16-2, tanh, softmax CE, Adam) with plain tfjs: variables + tf.train.adam + minimize. */
async function bareStepsPerSecond(steps: number): Promise<number> {
  const d = makeDataset(TASK, 1);
  const X = tf.tensor2d(d.x, [d.n, 2]);
  const Y = tf.tidy(() => tf.oneHot(tf.tensor1d(d.y, "int32"), 2).toFloat());
  const sizes = [2, ...HIDDEN, 2];
  const vars: tf.Variable[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    vars.push(
      tf.variable(tf.randomUniform([sizes[l], sizes[l + 1]], -0.5, 0.5)),
      tf.variable(tf.zeros([sizes[l + 1]])),
    );
  }
  const opt = tf.train.adam(0.01);
  let cursor = 0;
  const step = async () => {
    const idx = new Int32Array(BATCH);
    for (let i = 0; i < BATCH; i++) idx[i] = (cursor++ * 7919) % d.n;
    const loss = tf.tidy(() => {
      const it = tf.tensor1d(idx, "int32");
      const xb = tf.gather(X, it);
      const yb = tf.gather(Y, it);
      return opt.minimize(() => {
        let h: tf.Tensor = xb;
        for (let l = 0; l < vars.length / 2; l++) {
          h = tf.add(tf.matMul(h, vars[2 * l]), vars[2 * l + 1]);
          if (l < vars.length / 2 - 1) h = tf.tanh(h);
        }
        return tf.losses.softmaxCrossEntropy(yb, h) as tf.Scalar;
      }, true)!;
    });
    await loss.data(); // read the loss back every step, as a scheduler needs
    loss.dispose();
  };
  for (let i = 0; i < 10; i++) await step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const sps = (steps * 1000) / (performance.now() - t0);
  tf.dispose([X, Y, ...vars]);
  opt.dispose();
  return sps;
}

async function runBench(backend: "webgpu" | "webgl" | "wasm" | "cpu", steps: number) {
  const info = await selectBackend(backend);
  if (info.backend !== backend) return { backend, error: `could not start (${info.reason})` };
  // Interleave three rounds and take medians: the loops being compared share any drift of the machine
  // (single measurements here vary by ±15% from run to run).
  const bares: number[] = [];
  const labs: number[] = [];
  const lab4s: number[] = [];
  for (let round = 0; round < 3; round++) {
    bares.push(await bareStepsPerSecond(steps));
    labs.push(await labStepsPerSecond(1, steps));
    lab4s.push(await labStepsPerSecond(4, steps));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
  const bare = med(bares);
  const lab = med(labs);
  const lab4 = med(lab4s);
  return {
    backend,
    webgpu: info.webgpu,
    bareStepsPerSec: bare,
    labStepsPerSec: lab,
    labVsBare: lab / bare,
    lab4StepsPerSec: lab4,
    cost4vs1: lab / lab4,
  };
}

/** The two bigger models: ms per step of LR Lab's loop with 1 and 4 runs (MNIST CNN, char-LM transformer). */
async function runModels(backend: "webgpu" | "webgl" | "wasm" | "cpu", steps: number) {
  const info = await selectBackend(backend);
  if (info.backend !== backend) return { backend, error: `could not start (${info.reason})` };
  await loadMnist();
  const out: Record<string, unknown> = { backend };
  for (const [kind, batch] of [
    ["mnist", 32],
    ["charlm", 8],
  ] as const) {
    const exp = (runs: number) =>
      experimentSchema.parse({
        ...experiment(runs),
        task: { kind, samples: 1000, noise: 0 },
        batchSize: batch,
      });
    const one = await labStepsPerSecond(1, steps, exp);
    const four = await labStepsPerSecond(4, steps, exp);
    out[`${kind} ms/step, 1 run`] = 1000 / one;
    out[`${kind} ms/step, 4 runs`] = 1000 / four;
    out[`${kind} cost 4 vs 1`] = one / four;
  }
  return out;
}

(window as unknown as { runBench: typeof runBench }).runBench = runBench;
(window as unknown as { runModels: typeof runModels }).runModels = runModels;
document.title = "bench ready";
