import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runCase } from "./golden";
import { preview } from "./preview";
import { filterWidth, medianFilter, refinedSchedule } from "./refined";
import { exampleConfig, getSpec, SCHEDULERS } from "./registry";
import { createScheduler } from "./runtime";
import { join, linear, product, sample, withWarmup } from "./schedules";
import { type Observation, ParamError } from "./types";

/** A fake observation stream with every gradient fact, so any scheduler can run in a unit test. */
const obsAt = (t: number, loss: number): Observation => ({
  step: t,
  loss,
  gradSq: 1 + Math.sin(t) ** 2,
  gradDot: 0.5,
  dxNorm: 0.01 * (1 + (t % 3)),
  dgNorm: 0.02,
  secantSY: 0.5 + (t % 5) * 0.1,
  secantSS: 1,
});

const lossAt = (t: number) => 1 / (1 + 0.01 * t) + 0.05 * Math.sin(t * 0.7);

describe("registry", () => {
  it("gives every scheduler a label, description, reference and complete parameter metadata", () => {
    expect(SCHEDULERS.length).toBeGreaterThanOrEqual(27);
    for (const s of SCHEDULERS) {
      expect(s.label.length, s.id).toBeGreaterThan(0);
      expect(s.description.length, s.id).toBeGreaterThan(10);
      expect(s.reference.length, s.id).toBeGreaterThan(0);
      for (const m of s.params) {
        expect(m.label.length, `${s.id}.${m.key}`).toBeGreaterThan(0);
        expect(m.help.length, `${s.id}.${m.key}`).toBeGreaterThan(3);
        if (m.type === "enum" && m.key !== "scale_fn") expect(m.options?.length).toBeGreaterThan(0);
      }
    }
  });

  it("mirrors the PyTorch class names for the PyTorch family", () => {
    for (const n of [
      "StepLR",
      "MultiStepLR",
      "ExponentialLR",
      "ConstantLR",
      "LinearLR",
      "PolynomialLR",
      "CosineAnnealingLR",
      "CosineAnnealingWarmRestarts",
      "CyclicLR",
      "OneCycleLR",
      "ReduceLROnPlateau",
      "SequentialLR",
      "ChainedScheduler",
    ])
      expect(getSpec(n).torchName).toBe(n);
  });

  it("runs every scheduler's example config for 300 steps with finite, non-negative LRs", () => {
    for (const s of SCHEDULERS) {
      const h = createScheduler(exampleConfig(s.id, 300), 0.1);
      for (let t = 0; t < 300; t++) {
        const r = h.step(obsAt(t, lossAt(t)));
        expect(Number.isFinite(r.lr) && r.lr >= 0, `${s.id} at ${t}: ${r.lr}`).toBe(true);
      }
    }
  });
});

describe("JSON-serialisable state", () => {
  it("continues identically after a JSON round trip, for every scheduler", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 60 }), (k, n) => {
        for (const s of SCHEDULERS) {
          const cfg = exampleConfig(s.id, 200);
          const a = createScheduler(cfg, 0.1);
          for (let t = 0; t < k; t++) a.step(obsAt(t, lossAt(t)));
          const b = createScheduler(cfg, 0.1, JSON.parse(JSON.stringify(a.state)));
          for (let t = k; t < k + n; t++) {
            const ra = a.step(obsAt(t, lossAt(t)));
            const rb = b.step(obsAt(t, lossAt(t)));
            if (ra.lr !== rb.lr) return false;
          }
        }
        return true;
      }),
      { numRuns: 25 },
    );
  });

  it("is pure: stepping an older state again gives the same result", () => {
    const spec = getSpec("Refined");
    const p = spec.parse({ phase_steps: 10 });
    let s = spec.init(p, 0.1);
    const states = [s];
    for (let t = 0; t < 15; t++) {
      s = spec.step(p, s, obsAt(t, 1)).state;
      states.push(s);
    }
    const again = spec.step(p, states[5], obsAt(5, 1));
    const first = spec.step(p, states[5], obsAt(5, 1));
    expect(again.lr).toBe(first.lr);
    expect(spec.step(p, states[15], obsAt(15, 1)).lr).toBe(spec.step(p, states[15], obsAt(15, 1)).lr);
  });
});

describe("GreedyLR", () => {
  const metric = fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
  );
  const params = fc.record({
    factor: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    patience: fc.integer({ min: 0, max: 5 }),
    cooldown: fc.integer({ min: 0, max: 3 }),
    warmup: fc.integer({ min: 0, max: 3 }),
    smooth: fc.boolean(),
    window_size: fc.integer({ min: 1, max: 8 }),
    reset_start: fc.integer({ min: 0, max: 30 }),
    threshold_mode: fc.constantFrom("rel", "abs"),
    mode: fc.constantFrom("min", "max"),
    min_lr: fc.double({ min: 1e-6, max: 1e-2, noNaN: true }),
    max_lr: fc.double({ min: 0.1, max: 10, noNaN: true }),
  });

  it("keeps the LR finite and inside [min_lr, max_lr] under any metric stream (NaN and ±∞ included)", () => {
    fc.assert(
      fc.property(
        params,
        fc.array(metric, { maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (p, ms, u) => {
          const base = p.min_lr + u * (p.max_lr - p.min_lr);
          const h = createScheduler({ scheduler: "GreedyLR", params: p }, base);
          return ms.every((m, t) => {
            const { lr } = h.step({ step: t, loss: m });
            return Number.isFinite(lr) && lr >= p.min_lr && lr <= p.max_lr;
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("treats a non-finite metric as a bad step that never becomes the best", () => {
    const h = createScheduler({ scheduler: "GreedyLR", params: { patience: 1, factor: 0.5, min_lr: 0 } }, 1);
    h.step({ step: 0, loss: 1 });
    h.step({ step: 1, loss: Number.NEGATIVE_INFINITY });
    const r = h.step({ step: 2, loss: Number.NaN });
    expect(r.lr).toBe(0.5);
    expect((h.state as { best: number }).best).toBe(1);
  });

  it("changes the LR on the (patience+1)-th consecutive good step, by 1/F, with the decision in words", () => {
    const h = createScheduler({ scheduler: "GreedyLR", params: { patience: 2, factor: 0.5 } }, 0.1);
    const lrs: number[] = [];
    let events: string[] = [];
    for (let t = 0; t < 3; t++) {
      const r = h.step({ step: t, loss: 10 - t });
      lrs.push(r.lr);
      events = events.concat(r.events.map((e) => e.message));
    }
    expect(lrs).toEqual([0.1, 0.1, 0.2]);
    expect(events[0]).toMatch(/3 improving steps > patience 2 → LR × 1\/F/);
  });

  it("live update: a new patience applies from the next step and the counters are kept", () => {
    const h = createScheduler({ scheduler: "GreedyLR", params: { patience: 10, factor: 0.5 } }, 0.1);
    for (let t = 0; t < 5; t++) h.step({ step: t, loss: 10 - t }); // 5 good steps
    h.setParams({ patience: 3 });
    const r = h.step({ step: 5, loss: 4 }); // 6th good step > 3
    expect(r.lr).toBeCloseTo(0.2, 12);
  });

  // With max_lr = base, GreedyLR cannot rise above its start, so it is ReduceLROnPlateau until the first step
  // where, after a cut, it climbs back towards max_lr (3 improving steps in a row after a cut: fast-check
  // found [1.5e-323 ×4, 1e-323, 5e-324, 0]). The two agree exactly up to that step.
  it("is ReduceLROnPlateau until it climbs back after a cut (max_lr = base, no smoothing or reset)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { maxLength: 150 }), (ms) => {
        const common = {
          factor: 0.5,
          patience: 2,
          threshold: 1e-4,
          threshold_mode: "rel",
          cooldown: 1,
          min_lr: 1e-4,
        };
        const g = createScheduler(
          { scheduler: "GreedyLR", params: { ...common, max_lr: 0.1, reset_start: 1e9 } },
          0.1,
        );
        const r = createScheduler({ scheduler: "ReduceLROnPlateau", params: common }, 0.1);
        for (let t = 0; t < ms.length; t++) {
          const before = g.lr;
          const a = g.step({ step: t, loss: ms[t] });
          const b = r.step({ step: t, loss: ms[t] });
          if (a.events.some((e) => e.kind === "increase")) return before < 0.1; // only ever back up after a cut
          if (a.lr !== b.lr) return false;
        }
        return true;
      }),
    );
  });
});

describe("validation", () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ["GreedyLR", { factor: 1 }, "factor"],
    ["GreedyLR", { factor: 1.5 }, "factor"],
    ["GreedyLR", { factor: 0 }, "factor"],
    ["GreedyLR", { factor: -0.5 }, "factor"],
    ["GreedyLR", { patience: -1 }, "patience"],
    ["GreedyLR", { patience: 1.5 }, "patience"],
    ["GreedyLR", { min_lr: 2, max_lr: 1 }, "min_lr"],
    ["GreedyLR", { mode: "sideways" }, "mode"],
    ["GreedyLR", { window_size: 0 }, "window_size"],
    ["ReduceLROnPlateau", { factor: 1 }, "factor"],
    ["CosineAnnealingLR", { T_max: 0 }, "T_max"],
    ["CosineAnnealingLR", {}, "T_max"],
    ["CosineAnnealingWarmRestarts", { T_0: 0 }, "T_0"],
    ["StepLR", { step_size: 0 }, "step_size"],
    ["ExponentialLR", {}, "gamma"],
    ["ExponentialLR", { gamma: "0.9" }, "gamma"],
    ["LinearLR", { start_factor: 0 }, "start_factor"],
    ["ConstantLR", { factor: 1.5 }, "factor"],
    ["OneCycleLR", { max_lr: 0.1 }, "total_steps"],
    ["MultiStepLR", { milestones: [1, -2] }, "milestones"],
    ["StepLR", { step_size: 5, stepsize: 3 }, "stepsize"],
  ];
  for (const [id, params, key] of bad) {
    it(`${id} rejects ${JSON.stringify(params)} naming "${key}"`, () => {
      try {
        createScheduler({ scheduler: id, params }, 0.1);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ParamError);
        expect((e as ParamError).param).toBe(key);
        expect((e as Error).message).toContain(`"${key}"`);
      }
    });
  }
  it("rejects SequentialLR with the wrong number of milestones", () => {
    expect(() =>
      runCase({
        scheduler: "SequentialLR",
        params: { milestones: [1, 2] },
        base_lr: 0.1,
        steps: 3,
        children: [{ scheduler: "ExponentialLR", params: { gamma: 0.9 } }],
      }),
    ).toThrow(/milestones/);
  });
});

describe("pure schedules and preview", () => {
  it("join gives each piece its own step 0 (optax join_schedules)", () => {
    const s = join([linear(0, 1, 10), linear(1, 0, 10)], [10]);
    expect(sample(s, 21)).toEqual(
      Array.from({ length: 21 }, (_, t) => (t < 10 ? t / 10 : 1 - (t - 10) / 10)),
    );
  });
  it("withWarmup and product compose", () => {
    const s = product(
      withWarmup(4, () => 1),
      () => 0.5,
    );
    expect(sample(s, 6)).toEqual([0, 0.125, 0.25, 0.375, 0.5, 0.5]);
  });
  it("preview of a time-based schedule equals running it; observation-driven ones have none", () => {
    const cfg = exampleConfig("OneCycleLR", 100);
    const run = runCase({ ...cfg, base_lr: 0.1, steps: 100 }).lr;
    expect(preview(cfg, 0.1, 100)).toEqual(run);
    expect(preview(exampleConfig("GreedyLR"), 0.1, 10)).toBeNull();
  });
  it("preview continues from a live state", () => {
    const cfg = exampleConfig("CosineAnnealingWarmRestarts", 100);
    const h = createScheduler(cfg, 0.1);
    for (let t = 0; t < 40; t++) h.step({ step: t });
    expect(preview(cfg, 0.1, 100, { state: h.state, step: 40 })).toEqual(
      runCase({ ...cfg, base_lr: 0.1, steps: 100 }).lr.slice(40),
    );
  });
  it("WSD, inverse-sqrt and warmup schedules follow their formulas", () => {
    const wsd = runCase({
      scheduler: "WSD",
      params: {
        num_warmup_steps: 2,
        num_stable_steps: 2,
        num_decay_steps: 4,
        decay_type: "linear",
        min_lr_ratio: 0.2,
      },
      base_lr: 1,
      steps: 10,
    }).lr;
    // HF warms up from min_lr_ratio too: 0.2 + 0.8·t/W.
    expect(wsd.map((x) => Number(x.toFixed(12)))).toEqual([0.2, 0.6, 1, 1, 1, 0.8, 0.6, 0.4, 0.2, 0.2]);
    const isq = runCase({
      scheduler: "InverseSqrt",
      params: { num_warmup_steps: 4 },
      base_lr: 1,
      steps: 9,
    }).lr;
    expect(isq[4]).toBe(1);
    expect(isq[8]).toBeCloseTo(1 / Math.sqrt(2), 12);
    const lin = runCase({
      scheduler: "LinearWithWarmup",
      params: { num_warmup_steps: 2, num_training_steps: 6 },
      base_lr: 1,
      steps: 7,
    }).lr;
    expect(lin).toEqual([0, 0.5, 1, 0.75, 0.5, 0.25, 0]);
  });
});

describe("gradient-driven and refined", () => {
  it("refined schedule: max 1, last 0, warmup and annealing from a flat norm", () => {
    const eta = refinedSchedule(new Array(100).fill(1));
    expect(Math.max(...eta)).toBe(1);
    expect(eta[99]).toBe(0);
    expect(eta[0]).toBe(1);
    // Large early gradients (as at the start of training) yield a warmup by themselves.
    const falling = refinedSchedule(Array.from({ length: 100 }, (_, t) => 1 + Math.max(0, 20 - t)));
    expect(falling.indexOf(1)).toBeGreaterThan(5);
    expect(falling[0]).toBeLessThan(0.05);
  });
  it("Polyak: (f − f*)/(c‖g‖² + eps), clipped, no update on a vanishing gradient", () => {
    const h = createScheduler({ scheduler: "Polyak", params: { c: 0.5, gamma_max: 10 } }, 0.1);
    expect(h.step({ step: 0, loss: 2, gradSq: 4 }).lr).toBeCloseTo(2 / (2 + 1e-8), 12);
    expect(h.step({ step: 1, loss: 2, gradSq: 0 }).lr).toBe(0);
    expect(h.step({ step: 2, loss: 100, gradSq: 1 }).lr).toBe(10);
  });
  it("AdGD: λ1 = ‖Δx‖/(2‖Δg‖), then growth bounded by √(1+θ)", () => {
    const h = createScheduler({ scheduler: "AdGD" }, 0.1);
    expect(h.step({ step: 0, dxNorm: 0, dgNorm: 0 }).lr).toBe(1e-10);
    expect(h.step({ step: 1, dxNorm: 1, dgNorm: 5 }).lr).toBe(0.1);
    // θ1 = λ1/λ0 = 1e9, so the growth bound is loose and the local estimate wins: 100/(2·1) = 50.
    expect(h.step({ step: 2, dxNorm: 100, dgNorm: 1 }).lr).toBe(50);
    // θ2 = 500: now the growth bound √(1+θ)·λ binds.
    expect(h.step({ step: 3, dxNorm: 1e9, dgNorm: 1 }).lr).toBeCloseTo(Math.sqrt(501) * 50, 9);
  });
  it("Secant: LR = 1/h with h = s·y/(‖s‖²+δ), kept on negative curvature", () => {
    const h = createScheduler({ scheduler: "Secant", params: { delta: 0 } }, 0.1);
    expect(h.step({ step: 0, secantSY: 4, secantSS: 2 }).lr).toBe(0.5);
    expect(h.step({ step: 1, secantSY: -1, secantSS: 2 }).lr).toBe(0.5);
  });
});

describe("the schedule-free Polyak step for Adam", () => {
  it("divides by max(M, Σ g²/D) instead of ‖g‖², and trains with schedule-free AdamW", () => {
    const obs = { step: 0, loss: 1, sfDot: 0.5, gradSq: 100, gradSqD: 3 };
    const adam = createScheduler({ scheduler: "ScheduleFreePolyak", params: { variant: "adam", M: 1 } }, 0.1);
    expect(adam.step(obs).lr).toBe(0.5);
    expect(adam.params.optimizer).toBe("schedulefree-adamw");
    const sgd = createScheduler({ scheduler: "ScheduleFreePolyak", params: { M: 1 } }, 0.1);
    expect(sgd.step(obs).lr).toBe(0.015);
    expect(sgd.params.optimizer).toBe("schedulefree-sgd");
  });
});

describe("Regrettable delta-bar-delta (derived from the survey's description)", () => {
  const make = () =>
    createScheduler({ scheduler: "RegrettableDBD", params: { kappa: 0.01, phi: 0.5, max_lr: 1 } }, 0.1);
  it("keeps the base LR until it sees ⟨g_t, g_{t−1}⟩, then adds κ or cuts by (1 − φ)", () => {
    const s = make();
    expect(s.step({ step: 0 }).lr).toBe(0.1);
    expect(s.step({ step: 1, gradDot: 2 }).lr).toBeCloseTo(0.11, 15);
    expect(s.step({ step: 2, gradDot: 3 }).lr).toBeCloseTo(0.12, 15);
  });
  it("undoes the last update when the product's sign flips right after it, and makes no update that step", () => {
    const s = make();
    s.step({ step: 1, gradDot: 2 }); // 0.1 → 0.11
    const r = s.step({ step: 2, gradDot: -1 }); // flipped: back to 0.1, no cut
    expect(r.lr).toBe(0.1);
    expect(r.events[0]?.message).toMatch(/undone/);
    // After a regret there is no "last update" to undo: a negative product now cuts.
    expect(s.step({ step: 3, gradDot: -1 }).lr).toBeCloseTo(0.05, 15);
    // The cut is undone when the gradients agree right after it.
    expect(s.step({ step: 4, gradDot: 5 }).lr).toBeCloseTo(0.1, 15);
    expect((s.state as { regrets: number }).regrets).toBe(2);
  });
  it("clips to [min_lr, max_lr] and keeps its LR on a non-finite product", () => {
    const s = createScheduler(
      { scheduler: "RegrettableDBD", params: { kappa: 1, phi: 0.99, min_lr: 0.01, max_lr: 0.5 } },
      0.1,
    );
    expect(s.step({ step: 1, gradDot: 1 }).lr).toBe(0.5);
    expect(s.step({ step: 2, gradDot: Number.NaN }).lr).toBe(0.5);
    expect(s.step({ step: 3, gradDot: -1 }).lr).toBeCloseTo(0.01, 15);
  });
});

describe("medianFilter (adaptive_scheduling's: reflect-padded end, nearest start)", () => {
  it("matches a brute-force median of the padded sequence", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.double({ min: 0, max: 5, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
          { minLength: 1, maxLength: 60 },
        ),
        fc.integer({ min: 1, max: 15 }),
        (xs, width) => {
          const w = width | 1;
          const h = (w - 1) / 2;
          // np.pad(xs, (0, 2w), mode="reflect"): reflected about the last value, again and again.
          const reflect = (k: number) => {
            if (xs.length === 1) return xs[0];
            const p = 2 * (xs.length - 1);
            const j = k % p;
            return j < xs.length ? xs[j] : xs[p - j];
          };
          const brute = xs.map((_, i) => {
            const seg: number[] = [];
            for (let k = i - h; k <= i + h; k++) seg.push(k < 0 ? xs[0] : reflect(k));
            return seg.sort((a, b) => a - b)[h];
          });
          expect(medianFilter(xs, w)).toEqual(brute);
        },
      ),
    );
  });

  it("gives the authors' widths and the issue's example", () => {
    expect(filterWidth(0.1, 57)).toBe(5);
    expect(filterWidth(0, 100)).toBe(1);
    expect(filterWidth(0.3, 10)).toBe(3);
    expect(medianFilter([1, 2, 3], 3)).toEqual([1, 2, 2]);
    expect(refinedSchedule([4, 2, 1, 1, 1, 1, 1, 1, 1, 1], 0.3)[0]).toBeCloseTo(0.0737, 4);
  });
});
