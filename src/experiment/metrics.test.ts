import { describe, expect, it } from "vitest";
import { median, recoveryTimes, runMetrics } from "./metrics";

describe("metrics", () => {
  const steps = Array.from({ length: 30 }, (_, i) => i);
  const loss = steps.map((t) => (t >= 10 && t < 15 ? 5 - (t - 10) : 1));
  it("recovery time: steps until the loss is back below 1.1× the pre-onset value", () => {
    // loss 5,4,3,2,1 at steps 10..14; back below 1.1 × 1 at step 14
    expect(recoveryTimes(steps, loss, [10])).toEqual([4]);
  });
  it("not recovered before the next onset → null", () => {
    // second onset at 12: pre-onset loss 4 → 2 < 4.4 at step 13
    expect(recoveryTimes(steps, loss, [10, 12])).toEqual([null, 1]);
  });
  it("final, best, ratio, AUC and steps to target", () => {
    const m = runMetrics(steps, loss, { onsets: [10], target: 1 });
    expect(m.finalLoss).toBe(1);
    expect(m.bestLoss).toBe(1);
    expect(m.recoveryRatio).toBe(5);
    expect(m.stepsToTarget).toBe(0);
    expect(m.medianRecovery).toBe(4);
    // 24 unit intervals + trapezoids 3 + 4.5 + 3.5 + 2.5 + 1.5
    expect(m.auc).toBeCloseTo(39, 9);
  });
  it("median", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe("aligned recovery windows", () => {
  it("normalises each window by the pre-onset loss and averages over onsets", async () => {
    const { alignedWindows } = await import("./recovery");
    const steps = Array.from({ length: 40 }, (_, i) => i);
    const loss = steps.map((t) => (t === 10 || t === 30 ? 3 : t === 11 || t === 31 ? 2 : t < 20 ? 1 : 2));
    const w = alignedWindows(steps, loss, [10, 30], 2, 3);
    // onset 10: [1,1,3,2,1,1] ÷ 1; onset 30: [2,2,3,2,2,2] ÷ 2 → mean
    expect(w).toEqual([1, 1, 2.25, 1.5, 1, 1]);
  });
});
