/**
 * `bench/webgpuDawn.ts` — hardware WebGPU on a machine with a GPU but no browser: the app's Trainer in Node on
 * tfjs's WebGPU backend, through Dawn's Node bindings (the `webgpu` npm package, which is not a dependency of
 * LR Lab: DAWN_NODE=<path to its index.js>). For each model at batch 32 and 64, with 1 and 8 runs: ms per step
 * as medians of BENCH_ROUNDS (default 5) interleaved rounds of BENCH_STEPS (default 30) steps after a warm-up,
 * the cost of 8 runs against one (median of the per-round ratios), the adapter's name, and what one small
 * kernel and its readback cost alone. The MNIST digits come
 * from MNIST_PACK (a file of `packMnist()`'s bytes) or are packed here. BENCH_MODELS picks models by name.
 * Run it bundled where node_modules do not travel (a GPU machine): docs/benchmarks.md ("Hardware WebGPU") has
 * the esbuild command, the figures, and what the machine needs.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { median } from "../src/experiment/metrics";
import { provideMnist } from "../src/train/mnist";
import { Trainer } from "../src/train/trainer";
import { constantRuns, interleavedMs } from "./constantRuns";

const DAWN = process.env.DAWN_NODE;
if (!DAWN) throw new Error("DAWN_NODE=<path to the webgpu package's index.js> is required");
const dawn = (await import(DAWN)) as { create(flags: string[]): unknown; globals: object };
Object.assign(globalThis, dawn.globals);
Object.defineProperty(globalThis, "navigator", {
  value: { gpu: dawn.create([]) },
  configurable: true,
});
await import("@tensorflow/tfjs-backend-webgpu");
if (!(await tf.setBackend("webgpu"))) throw new Error("tfjs's WebGPU backend did not start on Dawn");
await tf.ready();
const gpu = (globalThis as unknown as { navigator: { gpu: GPU } }).navigator.gpu;
const adapter = await gpu.requestAdapter();
const info = adapter?.info;
console.log(
  `adapter: ${[info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(" / ")}`,
);

// What one small kernel and its readback cost here, alone: a step waits for one readback (its loss and facts),
// whatever the model. 4096 elements, above the size tfjs's WebGPU backend hands to the CPU.
const reads: number[] = [];
const ones = tf.ones([4096]);
for (let i = 0; i < 40; i++) {
  const t0 = performance.now();
  const x = tf.add(ones, i);
  await x.data();
  reads.push(performance.now() - t0);
  x.dispose();
}
ones.dispose();
console.log(`one kernel and its readback: ${(median(reads.slice(10)) ?? 0).toFixed(2)} ms (median of 30)`);

if (process.env.MNIST_PACK) provideMnist(new Uint8Array(readFileSync(process.env.MNIST_PACK)));
else provideMnist((await import("../src/cli/mnistPack")).packMnist());

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const STEPS = Number(process.env.BENCH_STEPS ?? 30);
const MODELS = [
  { name: "MLP 2-16-16-2 (spiral)", task: { kind: "spiral", samples: 400, noise: 0.1 } },
  { name: "CNN (MNIST 14×14)", task: { kind: "mnist" } },
  { name: "char-LM (1-block transformer)", task: { kind: "charlm" } },
].filter((m) =>
  (process.env.BENCH_MODELS ?? "")
    .split(",")
    .some((w) => m.name.toLowerCase().includes(w.trim().toLowerCase())),
);
const trainer = (task: object, batchSize: number, runs: number) =>
  new Trainer(constantRuns(task, batchSize, runs));

const rows: Record<string, unknown>[] = [];
for (const m of MODELS)
  for (const batch of [32, 64]) {
    const pair = [trainer(m.task, batch, 1), trainer(m.task, batch, 8)];
    for (const t of pair) for (let i = 0; i < 10; i++) await t.trainStep();
    const {
      ms: [one, eight],
      cost,
    } = await interleavedMs(pair, ROUNDS, STEPS);
    rows.push({
      model: m.name,
      batch,
      "1 run ms/step": Number(one.toPrecision(3)),
      "8 runs ms/step": Number(eight.toPrecision(3)),
      "cost 8 vs 1": Number(cost.toPrecision(3)),
    });
    for (const t of pair) t.dispose();
  }
console.log(
  `tfjs WebGPU through Dawn in Node; Adam, constant LR; medians of ${ROUNDS} interleaved rounds of ${STEPS} steps`,
);
console.table(rows);
