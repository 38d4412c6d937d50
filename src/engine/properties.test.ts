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

/**
 * A registry example with one numeric parameter moved anywhere in its valid range, and every enum and boolean
 * parameter drawn among its values (CyclicLR's mode, OneCycle's three_phase and anneal_strategy, WSD's
 * decay_type, Plateau's mode, …). A draw the spec refuses falls back to the numeric change alone, then to the
 * example.
 */
const configArb = (id: string): fc.Arbitrary<SchedulerConfig> =>
  fc
    .tuple(
      fc.integer({ min: 0, max: 30 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.boolean(),
      fc.array(fc.nat({ max: 1000 }), { minLength: 16, maxLength: 16 }),
    )
    .map(([k, u, log, picks]) => {
      const cfg = exampleConfig(id, 300, 0.1);
      const metas = getSpec(id).params;
      const valid = (c: SchedulerConfig) => {
        try {
          createScheduler(c, 0.1);
          return true;
        } catch {
          return false;
        }
      };
      let params = { ...cfg.params };
      const nums = metas.filter((m) => m.type === "number" || m.type === "int");
      if (nums.length) {
        const m = nums[k % nums.length];
        const lo = m.min ?? m.uiMin ?? 0;
        const hi = m.max ?? m.uiMax ?? lo + 100;
        let v = log && lo > 0 ? lo * (hi / lo) ** u : lo + u * (hi - lo);
        if (m.type === "int") v = Math.round(v);
        params = { ...params, [m.key]: v };
      }
      const numeric = { ...cfg, params };
      metas
        .filter((m) => m.type === "bool" || (m.type === "enum" && m.options!.length > 0))
        .forEach((m, j) => {
          const c = picks[j % picks.length];
          params = {
            ...params,
            [m.key]: m.type === "bool" ? c % 2 === 0 : m.options![c % m.options!.length],
          };
        });
      const all = { ...cfg, params };
      return valid(all) ? all : valid(numeric) ? numeric : cfg;
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
  gradDot: wild,
  lambdaMax: wild,
  gradSqD: nonNeg,
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
              gradDot: r.gradDot,
              lambdaMax: r.lambdaMax,
              gradSqD: r.gradSqD,
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

describe("the draws vary every enum and boolean parameter", () => {
  for (const spec of SCHEDULERS) {
    // (An enum without options, CyclicLR's scale_fn, is PyTorch's callable: it cannot be set here.)
    const choices = spec.params.filter(
      (m) => m.type === "bool" || (m.type === "enum" && m.options!.length > 0),
    );
    if (!choices.length) continue;
    it(spec.id, () => {
      const seen = new Map<string, Set<unknown>>(choices.map((m) => [m.key, new Set()]));
      for (const cfg of fc.sample(configArb(spec.id), { numRuns: 300, seed: 7 }))
        for (const m of choices) seen.get(m.key)!.add((cfg.params ?? {})[m.key] ?? m.default);
      for (const m of choices)
        expect([...seen.get(m.key)!].sort(), m.key).toEqual(
          [...(m.type === "bool" ? [false, true] : m.options!)].sort(),
        );
    });
  }
});
