/**
 * `npm run bench:curvature` — what the curvature facts cost per step, on WASM in Node (the class's usual
 * backend), for 1, 4 and 8 runs of the spiral MLP (2-16-16-2, batch 32) and of the MNIST CNN (batch 32). Each
 * method is timed as a whole race of R runs of it, beside a race of R constant-LR runs:
 * - gᵀHg (the Rayleigh and secant steps): one more gradient on the same batch;
 * - 1/λ_max (the power method): one more gradient, plus ψ's update;
 * - vSGD and SDLM: one more gradient, the per-weight statistics and the η_i quantiles.
 * BENCH_ROUNDS (default 5) interleaved rounds of BENCH_STEPS (default 40) steps after 5 warm-up steps; medians
 * of ms/step, and the ratio to the constant race measured in the same round. Writes bench/out/curvature.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { packMnist } from "../src/cli/mnistPack";
import { experimentSchema, RUN_COLORS } from "../src/experiment/config";
import { median } from "../src/experiment/metrics";
import { provideMnist } from "../src/train/mnist";
import { Trainer } from "../src/train/trainer";
import "../src/train/wasm";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const STEPS = Number(process.env.BENCH_STEPS ?? 40);
const log = console.log;
console.log = () => {};
await tf.setBackend("wasm");
await tf.ready();
provideMnist(packMnist());

const METHODS = [
  { name: "constant LR", scheduler: { scheduler: "Constant" } },
  { name: "gᵀHg (Rayleigh)", scheduler: { scheduler: "Rayleigh" } },
  { name: "1/λ_max (power method)", scheduler: { scheduler: "PowerMethod" } },
  { name: "vSGD", scheduler: { scheduler: "vSGD" } },
  { name: "SDLM", scheduler: { scheduler: "SDLM" } },
];
const TASKS = [
  { model: "MLP (spiral)", task: { kind: "spiral", samples: 400, noise: 0.1 }, hidden: [16, 16] },
  { model: "CNN (MNIST)", task: { kind: "mnist" } },
];

async function msPerStep(task: (typeof TASKS)[number], m: (typeof METHODS)[number], R: number) {
  const e = experimentSchema.parse({
    task: task.task,
    ...(task.hidden ? { hidden: task.hidden } : {}),
    optimizer: "sgd",
    baseLr: 0.01,
    batchSize: 32,
    steps: 100_000,
    runs: Array.from({ length: R }, (_, i) => ({
      name: `r${i}`,
      color: RUN_COLORS[i],
      scheduler: m.scheduler,
    })),
  });
  const t = new Trainer(e);
  for (let k = 0; k < 5; k++) await t.trainStep();
  const t0 = performance.now();
  for (let k = 0; k < STEPS; k++) await t.trainStep();
  const ms = (performance.now() - t0) / STEPS;
  t.dispose();
  return ms;
}

const rows: { model: string; runs: number; method: string; ms: number; ratio: number }[] = [];
for (const task of TASKS)
  for (const R of [1, 4, 8]) {
    const ms: number[][] = METHODS.map(() => []);
    const ratio: number[][] = METHODS.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      const t: number[] = [];
      for (const m of METHODS) t.push(await msPerStep(task, m, R));
      t.forEach((x, i) => {
        ms[i].push(x);
        ratio[i].push(x / t[0]);
      });
    }
    for (const [i, m] of METHODS.entries())
      rows.push({ model: task.model, runs: R, method: m.name, ms: median(ms[i])!, ratio: median(ratio[i])! });
  }

log(`tfjs ${tf.version.tfjs}, WASM in Node ${process.version}, ${ROUNDS} rounds of ${STEPS} steps, medians`);
log("| model | runs | method | ms/step | × constant LR |\n|---|---|---|---|---|");
for (const r of rows)
  log(`| ${r.model} | ${r.runs} | ${r.method} | ${r.ms.toFixed(2)} | ${r.ratio.toFixed(2)} |`);
mkdirSync("bench/out", { recursive: true });
writeFileSync("bench/out/curvature.json", JSON.stringify(rows, null, 2));
