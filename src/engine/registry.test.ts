/**
 * The registry walk: every scheduler brings everything the app needs from it — the rule, parameters with
 * metadata, a ready example, a formula, an export and its capabilities — so adding one is one spec plus one
 * registry line, and a missing piece fails here rather than in the UI.
 */
import katex from "katex";
import { describe, expect, it } from "vitest";
import { exampleConfig, formulaFor, getSpec, SCHEDULERS } from "./registry";
import { createScheduler } from "./runtime";

const NEEDS = new Set([
  "loss",
  "gradSq",
  "gradL1",
  "gradDot",
  "dx",
  "dg",
  "secant",
  "lineSearch",
  "sfDot",
  "gradSqD",
  "power",
]);
const EXPORTS = new Set(["torch", "composite", "lambda", "class", "rule"]);

describe("registry", () => {
  it("lists every scheduler once, in an explicit order, GreedyLR first", () => {
    const ids = SCHEDULERS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe("GreedyLR");
    expect(ids.length).toBe(36);
  });

  for (const spec of SCHEDULERS)
    it(`${spec.id} brings its metadata, example, formula, export and capabilities`, () => {
      expect(spec.label.length).toBeGreaterThan(0);
      expect(spec.description.length).toBeGreaterThan(10);
      expect(spec.reference.length).toBeGreaterThan(0);
      for (const m of spec.params) {
        expect(m.help.length, `${spec.id}.${m.key} help`).toBeGreaterThan(5);
        expect(m.label.length).toBeGreaterThan(0);
      }
      // Example: valid, and a run of it steps without error.
      const cfg = exampleConfig(spec.id, 200, 0.1);
      const s = createScheduler(cfg, 0.1);
      expect(Number.isFinite(s.lr)).toBe(true);
      // Formula: strict TeX, with live values.
      const f = formulaFor({ id: spec.id, params: s.params, lr: s.lr, baseLr: 0.1, step: 0, internals: [] });
      for (const tex of [f.rule, f.now])
        expect(() => katex.renderToString(tex, { throwOnError: true })).not.toThrow();
      // Export and capabilities.
      expect(EXPORTS.has(spec.python.kind)).toBe(true);
      if (spec.python.kind === "torch") expect(spec.torchName).toBeTruthy();
      for (const n of spec.needs) expect(NEEDS.has(n)).toBe(true);
      expect(["after", "before"]).toContain(spec.timing);
      if (spec.needs.includes("lineSearch")) expect(typeof spec.candidates).toBe("function");
      if (spec.restartsRun) expect(spec.timing).toBe("after");
      expect(getSpec(spec.id)).toBe(spec);
    });
});
