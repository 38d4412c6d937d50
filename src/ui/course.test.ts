/** Pure helpers of the course views: what explain mode says moved, and the Robbins–Monro sums. */
import { describe, expect, it } from "vitest";
import { changes } from "./Explain";
import { runningSums } from "./Sums";

describe("explain mode", () => {
  it("names the internals that moved, with their limits, and skips the LR and ticking countdowns", () => {
    const before = [
      { label: "best so far", value: 0.5 },
      { label: "improving steps", value: 9, limit: 10 },
      { label: "reset in", value: 12 },
      { label: "LR", value: 0.02 },
    ];
    const after = [
      { label: "best so far", value: 0.5 },
      { label: "improving steps", value: 10, limit: 10 },
      { label: "reset in", value: 11 },
      { label: "LR", value: 0.022 },
    ];
    expect(changes(before, after)).toEqual(["improving steps 9 → 10 (limit 10)"]);
    expect(changes(undefined, after)).toEqual([]);
  });
});

describe("Robbins–Monro sums", () => {
  it("accumulates Σλ and Σλ² and decimates to at most 300 points, keeping the last", () => {
    const lr = Array.from({ length: 1000 }, (_, t) => 1 / (t + 1));
    const { s1, s2, at } = runningSums(lr);
    expect(s1.length).toBeLessThanOrEqual(300);
    expect(at.at(-1)).toBe(999);
    const h = lr.reduce((a, x) => a + x, 0);
    expect(s1.at(-1)).toBeCloseTo(h, 12); // harmonic number: grows like log t
    expect(s2.at(-1)).toBeLessThan(Math.PI ** 2 / 6); // converges to π²/6
    expect(runningSums([])).toEqual({ s1: [], s2: [], at: [] });
  });
});

describe("internals for a comparison", () => {
  it("show every loss-driven run side by side when there are two or more, else the selected run", async () => {
    const { shownRuns } = await import("./Internals");
    const { lessonById } = await import("../experiment/lessons");
    const plateau = lessonById("plateau-vs-greedy")!.experiment;
    expect(shownRuns(plateau.runs, 0)).toEqual([0, 1]);
    const one = [{ scheduler: { scheduler: "Constant" } }, { scheduler: { scheduler: "GreedyLR" } }];
    expect(shownRuns(one, 0)).toEqual([0]);
    expect(shownRuns(one, 1)).toEqual([1]);
  });
});
