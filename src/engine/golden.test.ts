import { describe, expect, it } from "vitest";
import greedy from "./__fixtures__/greedylr_reference.json";
import other from "./__fixtures__/other_schedulers.json";
import torchExtra from "./__fixtures__/torch_extra.json";
import torch from "./__fixtures__/torch_schedulers.json";
import { type GoldenCase, runCase } from "./golden";

/** The golden tolerance: 1e-9 relative, 1e-12 absolute near zero. */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(1e-9 * Math.abs(b), 1e-12);
}

function check(c: GoldenCase & { lr: number[]; momentum?: number[] }) {
  const got = runCase(c);
  expect(got.lr.length).toBe(c.lr.length);
  const bad = got.lr.findIndex((v, t) => !close(v, c.lr[t]));
  expect(bad === -1 ? null : { t: bad, got: got.lr[bad], want: c.lr[bad] }).toBeNull();
  if (c.momentum && got.momentum) {
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
