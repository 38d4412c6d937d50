/**
 * The run colours stay distinct for colour-blind students: under simulated deuteranopia and protanopia
 * (Machado, Oliveira & Fernandes 2009, severity 1 — culori's implementation), every pair of the eight run
 * colours is at least ΔE₀₀ 10 apart (CIEDE2000; about 2 is a just-noticeable difference side by side).
 */
import { type Color, differenceCiede2000, filterDeficiencyDeuter, filterDeficiencyProt, parse } from "culori";
import { describe, expect, it } from "vitest";
import { RUN_COLORS } from "./config";

const MIN_DELTA_E = 10;
const dE = differenceCiede2000();

describe("run colours", () => {
  for (const [name, simulate] of [
    ["normal vision", (c: Color) => c],
    ["deuteranopia", filterDeficiencyDeuter(1)],
    ["protanopia", filterDeficiencyProt(1)],
  ] as const)
    it(`every pair is at least ΔE₀₀ ${MIN_DELTA_E} apart (${name})`, () => {
      let worst = { d: Number.POSITIVE_INFINITY, pair: "" };
      for (let i = 0; i < RUN_COLORS.length; i++)
        for (let j = i + 1; j < RUN_COLORS.length; j++) {
          const d = dE(simulate(parse(RUN_COLORS[i]) as Color), simulate(parse(RUN_COLORS[j]) as Color));
          if (d < worst.d) worst = { d, pair: `${RUN_COLORS[i]} / ${RUN_COLORS[j]}` };
        }
      expect(worst.d, worst.pair).toBeGreaterThanOrEqual(MIN_DELTA_E);
    });

  it("are eight different colours", () => {
    expect(new Set(RUN_COLORS.map((c) => c.toLowerCase())).size).toBe(8);
  });
});
