import { describe, expect, it } from "vitest";
import { F_SWEEP, fSweepVerdict, NOISE_SWEEP, noiseVerdict, reduced } from "./replication";
import type { SweepRow } from "./sweep";

const row = (variant: string, run: string, finalLoss: number | null, diverged = 0, seeds = 5): SweepRow => ({
  variant,
  run,
  seeds,
  finalLoss,
  bestLoss: finalLoss,
  auc: null,
  medianRecovery: null,
  recoveryRatio: null,
  stepsToTarget: null,
  diverged,
  perSeed: [],
  recovery: null,
});

describe("paper replication", () => {
  it("ships the repo's sweeps and a 1-seed reduced version", () => {
    expect(F_SWEEP.runs.map((r) => r.name)).toEqual(["F = 0.25", "F = 0.5", "F = 0.75", "F = 0.99"]);
    expect(reduced(NOISE_SWEEP).seeds).toEqual([NOISE_SWEEP.seeds[0]]);
    expect(reduced(NOISE_SWEEP).variants).toEqual(NOISE_SWEEP.variants);
  });

  it("F sweep: agrees only when the small F diverged and F ≥ 0.5 did not", () => {
    const rows = (d025: number, d05: number) => [
      row("v", "F = 0.25", d025 === 5 ? null : 0.5, d025),
      row("v", "F = 0.5", 0.02, d05),
      row("v", "F = 0.75", 0.01),
      row("v", "F = 0.99", 0.012),
    ];
    expect(fSweepVerdict(rows(5, 0)).agrees).toBe(true);
    const partly = fSweepVerdict(rows(0, 0));
    expect(partly.agrees).toBe(false);
    expect(partly.ours).toMatch(/F < 0\.5 diverged in 0 of 5 runs, F ≥ 0\.5 in 0 of 15\..*Partly agrees/);
    expect(fSweepVerdict(rows(0, 2)).ours).toMatch(/Differs/);
  });

  it("noise robustness: medians over settings, wins per setting, direction vs the paper", () => {
    const rows = [
      row("clean", "GreedyLR", 0.01),
      row("clean", "cosine", 0.02),
      row("gaussian", "GreedyLR", 0.05),
      row("gaussian", "cosine", 0.03),
      row("spike", "GreedyLR", 0.02),
      row("spike", "cosine", 0.04),
    ];
    const v = noiseVerdict(rows);
    expect(v.greedy).toBe(0.02);
    expect(v.cosine).toBe(0.03);
    expect(v.wins).toBe(2);
    expect(v.agrees).toBe(true);
    expect(v.ours).toMatch(
      /0\.0200 for GreedyLR vs 0\.0300 for cosine: GreedyLR 33% lower \(paper: 36% lower\)/,
    );
    expect(noiseVerdict(rows.map((r) => (r.run === "GreedyLR" ? { ...r, finalLoss: 1 } : r))).agrees).toBe(
      false,
    );
  });
});
