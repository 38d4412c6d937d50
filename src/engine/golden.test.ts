import { describe, expect, it } from "vitest";
import greedy from "./__fixtures__/greedylr_reference.json";
import rangeGolden from "./__fixtures__/lr_range_test.json";
import other from "./__fixtures__/other_schedulers.json";
import sfGolden from "./__fixtures__/schedule_free_any.json";
import torchExtra from "./__fixtures__/torch_extra.json";
import torch from "./__fixtures__/torch_schedulers.json";
import vsgdGolden from "./__fixtures__/vsgd.json";
import { CaseError, type GoldenCase, runAnyCase, runCase } from "./golden";

/** The golden tolerance: 1e-9 relative, 1e-12 absolute near zero. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(1e-9 * Math.abs(b), 1e-12);
}

function check(c: GoldenCase & { lr: number[]; momentum?: number[] }) {
  const got = runCase(c);
  expect(got.lr.length).toBe(c.lr.length);
  const bad = got.lr.findIndex((v, t) => !close(v, c.lr[t]));
  expect(bad === -1 ? null : { t: bad, got: got.lr[bad], want: c.lr[bad] }).toBeNull();
  if (c.momentum && !got.momentum) {
    // The engine reports a momentum only when the scheduler sets one: the golden's must then be untouched.
    const changed = c.momentum.findIndex((m) => m !== c.momentum![0]);
    expect(changed, "the golden's momentum changes but the engine reports none").toBe(-1);
  } else if (c.momentum) {
    expect(got.momentum!.length).toBe(c.momentum.length);
    const badM = got.momentum!.findIndex((v, t) => !close(v, c.momentum![t]));
    expect(badM === -1 ? null : { t: badM, got: got.momentum![badM], want: c.momentum[badM] }).toBeNull();
  }
}

describe("PyTorch 1.13 goldens", () => {
  for (const c of torch.cases as (GoldenCase & { lr: number[] })[]) it(c.id!, () => check(c));
});

describe("PyTorch 1.13 extra cases (scripts/gen_torch_extra.py): composites, momentum, edge cases", () => {
  for (const c of torchExtra.cases as (GoldenCase & { lr: number[] })[]) it(c.id!, () => check(c));
});

describe("GreedyLR reference goldens", () => {
  for (const c of greedy.cases as (GoldenCase & { lr: number[] })[]) it(c.id!, () => check(c));
});

describe("other families' references (HF transformers, Noam, WSD, Robbins–Monro, Schedule-Free, SPS, AdGD, line searches, refined)", () => {
  for (const c of other.cases as (GoldenCase & { lr: number[] })[]) it(c.id!, () => check(c));
});

/** Worst relative error of two equally shaped number arrays (nested lists flattened; null = NaN). */
function worst(
  got: unknown,
  want: unknown,
  path: string,
): { path: string; got: unknown; want: unknown } | null {
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length)
      return { path: `${path}.length`, got: Array.isArray(got) ? got.length : got, want: want.length };
    for (let i = 0; i < want.length; i++) {
      const w = worst(got[i], want[i], `${path}[${i}]`);
      if (w) return w;
    }
    return null;
  }
  if (want === null) return got === null ? null : { path, got, want };
  return typeof got === "number" && close(got, want as number) ? null : { path, got, want };
}

describe("LR range test goldens (fastai lr_find, torch-lr-finder)", () => {
  for (const c of rangeGolden.cases) {
    it(c.id, () => {
      const { lr, smoothed, stop, suggestions, ...input } = c;
      const r = runAnyCase(input) as Record<string, unknown>;
      expect(worst(r.lr, lr, "lr")).toBeNull();
      expect(worst(r.smoothed, smoothed, "smoothed")).toBeNull();
      expect(r.stop).toBe(stop);
      const got = r.suggestions as Record<string, unknown>;
      // every suggestion the reference made, by name: its index exactly, its LR at 1e-9
      expect(Object.keys(got).sort()).toEqual(Object.keys(suggestions).sort());
      for (const [name, s] of Object.entries(suggestions)) {
        if (name === "window") expect(got.window).toEqual(s);
        else {
          const g = got[name] as { index: number; lr: number };
          const w = s as { index: number; lr: number };
          expect({ name, index: g.index }).toEqual({ name, index: w.index });
          expect(close(g.lr, w.lr)).toBe(true);
        }
      }
    });
  }
});

describe("schedule-free with any schedule and its Polyak step (buchholzmd/step-back), float64", () => {
  for (const c of sfGolden.cases) {
    it(c.id, () => {
      const { gamma, c: cs, loss, y, z, x, ...input } = c as typeof c & { gamma_in?: number[] };
      const r = runAnyCase(input);
      const want = { gamma, c: cs, loss, y, z, x };
      for (const [k, v] of Object.entries(want)) expect(worst(r[k], v, k)).toBeNull();
    });
  }
});

describe("vSGD (schaul/py-optim vsgd.py: vSGD, vSGD_original, vSGDfd), float64", () => {
  for (const c of vsgdGolden.cases) {
    it(c.id, () => {
      const { lr, theta, tau, ...input } = c;
      const r = runAnyCase(input);
      for (const [k, v] of Object.entries({ lr, theta, tau })) expect(worst(r[k], v, k)).toBeNull();
    });
  }
});

describe("the case runner names the bad field", () => {
  const rc = rangeGolden.cases[0];
  const sf = sfGolden.cases[0];
  const vs = vsgdGolden.cases[0];
  it.each([
    [{ ...rc, params: { ...rc.params, start_lr: 10, end_lr: 1 } }, /start_lr/],
    [{ ...rc, params: { ...rc.params, num_it: 1 } }, /num_it/],
    [{ ...rc, params: { ...rc.params, end_lr: Number.POSITIVE_INFINITY } }, /end_lr/],
    [{ ...rc, losses: "x" }, /losses/],
    [{ ...rc, flavor: "keras" }, /flavor/],
    [{ ...sf, b: [1] }, /"b"/],
    [{ ...sf, gamma_in: undefined }, /gamma_in/],
    [{ ...sf, params: { beta: 1 } }, /beta/],
    [{ ...vs, h: [1] }, /"h"/],
    [{ ...vs, samples: vs.samples.slice(0, 3) }, /samples/],
    [{ ...vs, params: { ...vs.params, batch_size: 0 } }, /batch_size/],
  ])("case %#", (c, msg) => {
    expect(() => runAnyCase(c)).toThrow(CaseError);
    expect(() => runAnyCase(c)).toThrow(msg);
  });
});
