import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { yDomain } from "./axes";

describe("yDomain on a log axis", () => {
  it("holds the data and sits on tenths of a decade, so a new lowest loss rarely moves it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 50 }),
        (vs) => {
          const [lo, hi] = yDomain([vs.map((v, i) => [i, v] as [number, number])], true);
          expect(lo).toBeLessThanOrEqual(Math.min(...vs));
          expect(hi).toBeGreaterThanOrEqual(Math.max(...vs));
          if (Math.max(...vs) / Math.min(...vs) >= 1.01)
            for (const b of [lo, hi])
              expect(Math.abs(Math.log10(b) * 10 - Math.round(Math.log10(b) * 10))).toBeLessThan(1e-9);
        },
      ),
    );
    // A loss falling from 0.52 to 0.50 keeps its axis.
    const d = (min: number) =>
      yDomain(
        [
          [
            [0, 2],
            [1, min],
          ],
        ],
        true,
      );
    expect(d(0.5)).toEqual(d(0.52));
  });
});
