/**
 * `npm run bench:kernels` — where a stacked race's time goes, kernel by kernel, in Node on WASM (the class's
 * usual backend): the app's Trainer for 1 and for 8 runs of one model (BENCH_TASK: spiral, the default, mnist
 * or charlm; BENCH_BATCH, default 64; Adam, constant LR). First ms per step, medians of BENCH_ROUNDS (default 5)
 * interleaved rounds of BENCH_STEPS steps; then `tf.profile` of 10 steps of each, and the kernels (by name and
 * input shapes, the run axis written R) whose time grows most from 1 run to 8 (BENCH_TOP rows, default 15):
 * what stacking costs.
 */
import * as tf from "@tensorflow/tfjs";
import { packMnist } from "../src/cli/mnistPack";
import { provideMnist } from "../src/train/mnist";
import { Trainer } from "../src/train/trainer";
import "../src/train/wasm";
import { constantRuns, interleavedMs } from "./constantRuns";

const TASK = process.env.BENCH_TASK ?? "spiral";
const BATCH = Number(process.env.BENCH_BATCH ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const STEPS = Number(process.env.BENCH_STEPS ?? (TASK === "spiral" ? 300 : 20));
const PROFILED = 10;

await tf.setBackend("wasm");
await tf.ready();
if (TASK === "mnist") provideMnist(packMnist());
const trainer = (runs: number) =>
  new Trainer(
    constantRuns(
      TASK === "spiral" ? { kind: "spiral", samples: 400, noise: 0.1 } : { kind: TASK },
      BATCH,
      runs,
    ),
  );
const RUNS = [1, 8];
const trainers = RUNS.map(trainer);
for (const t of trainers) for (let i = 0; i < STEPS / 2; i++) await t.trainStep();

const {
  ms: [one, eight],
  cost: ratio,
} = await interleavedMs(trainers, ROUNDS, STEPS);
console.log(
  `${TASK}, batch ${BATCH}, WASM in Node: ${one.toFixed(3)} ms/step for 1 run, ${eight.toFixed(3)} for 8 runs; ` +
    `8 runs cost ${ratio.toFixed(2)}× one (medians of ${ROUNDS} interleaved rounds of ${STEPS} steps)`,
);

/** Per kernel (name and input shapes, the run axis as R): ms per step and calls per step. */
async function profile(t: Trainer, runs: number): Promise<Map<string, { ms: number; n: number }>> {
  const agg = new Map<string, { ms: number; n: number }>();
  const runAxis = (shape: number[]) =>
    shape[0] === runs || shape[0] === 1 ? ["R", ...shape.slice(1)] : shape;
  for (let i = 0; i < PROFILED; i++) {
    const p = await tf.profile(() => t.trainStep() as unknown as tf.TensorContainer);
    for (const k of p.kernels) {
      const key = `${k.name} ${JSON.stringify(k.inputShapes.map((s) => (s ? runAxis(s) : s))).replaceAll('"', "")}`;
      const e = agg.get(key) ?? { ms: 0, n: 0 };
      e.ms += ((await k.kernelTimeMs) as number) / PROFILED;
      e.n += 1 / PROFILED;
      agg.set(key, e);
    }
  }
  return agg;
}
const [p1, p8] = [await profile(trainers[0], 1), await profile(trainers[1], 8)];
const rows = [...new Set([...p1.keys(), ...p8.keys()])].map((key) => {
  const a = p1.get(key) ?? { ms: 0, n: 0 };
  const b = p8.get(key) ?? { ms: 0, n: 0 };
  return {
    kernel: key,
    "calls (1 / 8 runs)": `${Math.round(a.n)} / ${Math.round(b.n)}`,
    "1 run ms": a.ms,
    "8 runs ms": b.ms,
    added: b.ms - a.ms,
  };
});
rows.sort((x, y) => y.added - x.added);
const total = (p: Map<string, { ms: number }>) => [...p.values()].reduce((s, e) => s + e.ms, 0);
console.log(
  `Kernel time per step (tf.profile, ${PROFILED} steps): ${total(p1).toFixed(3)} ms for 1 run, ${total(p8).toFixed(3)} ms for 8 runs. Largest additions:`,
);
const f = (x: number) => Number(x.toFixed(4));
console.table(
  rows
    .slice(0, Number(process.env.BENCH_TOP ?? 15))
    .map((r) => ({ ...r, "1 run ms": f(r["1 run ms"]), "8 runs ms": f(r["8 runs ms"]), added: f(r.added) })),
);
process.exit(0);
