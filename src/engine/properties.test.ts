/**
 * Properties every scheduler in the registry keeps, whatever the training throws at it: on random valid
 * parameters and random observation streams — NaN and ±∞ losses, zero, tiny, huge and non-finite gradient
 * facts — the LR stays a finite number ≥ 0 at every step.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exampleConfig, getSpec, SCHEDULERS } from "./registry";
import { createScheduler } from "./runtime";
import type { Observation, SchedulerConfig } from "./types";

/** A registry example with one numeric parameter moved anywhere in its valid range (kept only if valid). */
const configArb = (id: string): fc.Arbitrary<SchedulerConfig> =>
  fc
    .tuple(fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean())
    .map(([k, u, log]) => {
      const cfg = exampleConfig(id, 300, 0.1);
      const nums = getSpec(id).params.filter((m) => m.type === "number" || m.type === "int");
      if (!nums.length) return cfg;
      const m = nums[k % nums.length];
      const lo = m.min ?? m.uiMin ?? 0;
      const hi = m.max ?? m.uiMax ?? lo + 100;
      let v = log && lo > 0 ? lo * (hi / lo) ** u : lo + u * (hi - lo);
      if (m.type === "int") v = Math.round(v);
      const next = { ...cfg, params: { ...cfg.params, [m.key]: v } };
      try {
        createScheduler(next, 0.1);
        return next;
      } catch {
        return cfg;
      }
    });

const wild = fc.oneof(
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.double({ min: 0, max: 1e-12, noNaN: true }),
  fc.constantFrom(0, -0, 1e30, -1e30, 1e300, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const nonNeg = fc.oneof(
  fc.double({ min: 0, max: 10, noNaN: true }),
  fc.constantFrom(0, 1e-20, 1e-9, 1e30, 1e300, Number.NaN, Number.POSITIVE_INFINITY),
);
const obsArb = fc.record({
  loss: wild,
  gradSq: nonNeg,
  gradL1: nonNeg,
  dxNorm: nonNeg,
  dgNorm: nonNeg,
  secantSY: wild,
  secantSS: nonNeg,
  sfDot: wild,
  line: fc.array(wild, { maxLength: 40 }),
});

describe("every scheduler keeps a finite, non-negative LR", () => {
  for (const spec of SCHEDULERS)
    it(spec.id, () => {
      fc.assert(
        fc.property(configArb(spec.id), fc.array(obsArb, { minLength: 1, maxLength: 120 }), (cfg, stream) => {
          const s = createScheduler(cfg, 0.1);
          expect(Number.isFinite(s.lr) && s.lr >= 0, `initial LR ${s.lr}`).toBe(true);
          stream.forEach((r, t) => {
            const n = spec.candidates?.(s.params, s.state).length ?? 0;
            const o: Observation = {
              step: t,
              loss: r.loss,
              gradSq: r.gradSq,
              gradL1: r.gradL1,
              dxNorm: r.dxNorm,
              dgNorm: r.dgNorm,
              secantSY: r.secantSY,
              secantSS: r.secantSS,
              sfDot: r.sfDot,
              lineLoss: Array.from({ length: n }, (_, k) => r.line[k % Math.max(1, r.line.length)] ?? r.loss),
            };
            let lr = s.lr;
            if (spec.timing === "before") lr = s.step(o).lr;
            else {
              s.step(o);
              lr = s.lr;
            }
            if (!(Number.isFinite(lr) && lr >= 0))
              throw new Error(`step ${t}: LR ${lr} after ${JSON.stringify(o)} with ${JSON.stringify(cfg)}`);
          });
        }),
        { numRuns: 150 },
      );
    });
});
