import katex from "katex";
import { describe, expect, it } from "vitest";
import { exampleConfig, formulaFor, SCHEDULERS } from "./registry";
import { createScheduler } from "./runtime";
import { tn } from "./tex";

describe("formulas", () => {
  it("every scheduler's rule and live line are valid TeX (KaTeX parses them strictly)", () => {
    for (const spec of SCHEDULERS) {
      const s = createScheduler(exampleConfig(spec.id, 100, 0.1), 0.1);
      const f = formulaFor({
        id: spec.id,
        params: s.params,
        lr: s.lr,
        baseLr: 0.1,
        step: 0,
        internals: spec.inspect?.(s.params, s.state) ?? [],
      });
      for (const tex of [f.rule, f.now])
        expect(() => katex.renderToString(tex, { throwOnError: true }), `${spec.id}: ${tex}`).not.toThrow();
    }
  });

  it("GreedyLR says why it changed the LR, with the numbers", () => {
    const s = createScheduler({ scheduler: "GreedyLR", params: { factor: 0.9, patience: 10 } }, 0.031);
    const f = formulaFor({
      id: "GreedyLR",
      params: s.params,
      lr: 0.031 / 0.9,
      baseLr: 0.031,
      step: 12,
      internals: [{ label: "improving steps", value: 0, limit: 10 }],
      last: {
        step: 12,
        kind: "increase",
        message: "GreedyLR: 11 improving steps > patience 10 → LR × 1/F = 1.111 (0.031 → 0.03444)",
        from: 0.031,
        to: 0.031 / 0.9,
      },
    });
    expect(f.because).toBe("η ← 0.031 · 1/0.9 = 0.03444 because 11 improving steps > patience 10 (step 12)");
    expect(f.now).toContain("F = 0.9");
  });

  it("reads the count from a real GreedyLR decision", () => {
    const s = createScheduler({ scheduler: "GreedyLR", params: { factor: 0.9, patience: 10 } }, 0.031);
    let last: import("./types").SchedulerEvent | undefined;
    for (let t = 0; !last && t < 50; t++)
      last = s.step({ step: t, loss: 1 / (t + 1) }).events.find((e) => e.kind === "increase");
    const f = formulaFor({
      id: "GreedyLR",
      params: s.params,
      lr: s.lr,
      baseLr: 0.031,
      step: 12,
      internals: [],
      last,
    });
    expect(f.because).toMatch(
      /^η ← 0\.031 · 1\/0\.9 = 0\.03444 because 11 improving steps > patience 10 \(step \d+\)$/,
    );
  });

  it("formats numbers for TeX", () => {
    expect(tn(0.0123456)).toBe("0.01235");
    expect(tn(1.5e-7)).toBe("1.5\\times10^{-7}");
    expect(tn(0)).toBe("0");
    expect(tn(null)).toBe("—");
    expect(tn(Number.NaN)).toBe("NaN");
  });
});
