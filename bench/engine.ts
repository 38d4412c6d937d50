/**
 * `npm run bench:engine` — nanoseconds per scheduler step() for every scheduler in the registry
 * (pure function call: params + state + observation → LR + new state). Target: < 1 µs.
 */
import { exampleConfig, SCHEDULERS } from "../src/engine";
import { getSpec } from "../src/engine/registry";

const N = Number(process.env.BENCH_STEPS ?? 200_000);
const obs = Array.from({ length: 1024 }, (_, t) => ({
  step: t,
  loss: 1 / (1 + 0.01 * t) + 0.05 * Math.sin(t),
  gradSq: 1.3,
  dxNorm: 0.01,
  dgNorm: 0.02,
  secantSY: 0.7,
  secantSS: 1,
}));

const rows: { scheduler: string; nsPerStep: number }[] = [];
for (const s of SCHEDULERS) {
  const cfg = exampleConfig(s.id, 20_000); // a long in-app run; Refined switches phase once at 10 000
  const spec = getSpec(s.id);
  const p = spec.parse(cfg.params ?? {}, cfg.children);
  const run = (n: number) => {
    let st = spec.init(p, 0.1);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const o = obs[i & 1023];
      const r = spec.step(p, st, { ...o, step: i });
      st = r.state;
      acc += r.lr;
    }
    return acc;
  };
  run(20_000); // warm up the JIT
  const t0 = process.hrtime.bigint();
  run(N);
  const ns = Number(process.hrtime.bigint() - t0) / N;
  rows.push({ scheduler: s.id, nsPerStep: Math.round(ns) });
}
console.table(rows);
const worst = rows.reduce((a, b) => (a.nsPerStep > b.nsPerStep ? a : b));
console.log(
  `steps per scheduler: ${N}; slowest: ${worst.scheduler} ${worst.nsPerStep} ns/step; target < 1000 ns: ${worst.nsPerStep < 1000 ? "met" : "NOT met"}`,
);
