/**
 * `npm run bench:replay` — how fast replay recomputes, the figure behind "drag a slider and every trajectory
 * recomputes at once": a 1 000 000-point synthetic loss log (noisy, flattening), 4 schedulers (GreedyLR with
 * patience 10, 50 and smoothed, ReduceLROnPlateau), medians of 7 rounds; each round replays the 4 in turn, so
 * the per-scheduler figures are interleaved. Also times reading the same log as a 1 000 000-row CSV.
 */
import { logSeries, readLog } from "../src/experiment/logs";
import { replayRun } from "../src/experiment/replay";

const N = 1_000_000;
let seed = 7;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};
const values = new Float64Array(N);
for (let i = 0; i < N; i++) values[i] = (0.4 + 2 * Math.exp(-i / 50_000)) * (1 + 0.2 * (rand() - 0.5));

const g = { factor: 0.9, min_lr: 1e-7, max_lr: 1e-3 };
const runs = [
  { scheduler: "GreedyLR", params: { ...g, patience: 10 } },
  { scheduler: "GreedyLR", params: { ...g, patience: 50 } },
  { scheduler: "GreedyLR", params: { ...g, patience: 10, smooth: true, window_size: 50 } },
  { scheduler: "ReduceLROnPlateau", params: { patience: 10 } },
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const per: number[][] = runs.map(() => []);
const total: number[] = [];
for (let round = 0; round < 7; round++) {
  let sum = 0;
  runs.forEach((r, k) => {
    const t0 = performance.now();
    replayRun(r, 1e-4, values);
    const ms = performance.now() - t0;
    per[k].push(ms);
    sum += ms;
  });
  total.push(sum);
}
console.log(
  `replay of a ${N.toLocaleString("en")}-point log (Node ${process.version}, medians of 7 rounds):`,
);
runs.forEach((r, k) => {
  console.log(
    `  ${r.scheduler.padEnd(18)} ${JSON.stringify(r.params).padEnd(78)} ${median(per[k]).toFixed(0)} ms`,
  );
});
console.log(`  all 4 schedulers: ${median(total).toFixed(0)} ms`);

const csv = ["step,loss", ...Array.from(values, (v, i) => `${i},${v.toFixed(6)}`)].join("\n");
const parse: number[] = [];
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  logSeries(readLog("big.csv", csv), "step", "loss");
  parse.push(performance.now() - t0);
}
console.log(
  `reading the same log as a ${(csv.length / 1e6).toFixed(0)} MB, ${N.toLocaleString("en")}-row CSV (papaparse): ${median(parse).toFixed(0)} ms (median of 3)`,
);
