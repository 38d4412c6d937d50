import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUCKETS, linePoints } from "./lines";

/** The same decimation computed from scratch, in one pass. */
function full(steps: number[], values: number[], total: number, positiveOnly: boolean, alpha: number) {
  const w = Math.max(1, Math.ceil(total / BUCKETS));
  let m = Number.NaN;
  const sm = values.map((v) => {
    if (alpha > 0) m = Number.isFinite(m) ? alpha * m + (1 - alpha) * v : v;
    return alpha > 0 ? m : v;
  });
  const out: [number, number][] = [];
  for (let b = 0; b * w <= (steps.at(-1) ?? -1); b++) {
    const idx = steps.flatMap((s, i) =>
      Math.floor(s / w) === b && Number.isFinite(sm[i]) && (!positiveOnly || sm[i] > 0) ? [i] : [],
    );
    if (!idx.length) continue;
    const lo = idx.reduce((a, i) => (sm[i] < sm[a] ? i : a));
    const hi = idx.reduce((a, i) => (sm[i] > sm[a] ? i : a));
    for (const i of [...new Set([idx[0], lo, hi, idx.at(-1) as number])].sort((a, b) => a - b))
      out.push([steps[i], sm[i]]);
  }
  return out;
}

describe("linePoints (incremental M4 decimation)", () => {
  it("equals decimating the whole series at once, however the points arrive in batches", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), fc.constant(Number.NaN)), {
          maxLength: 3000,
        }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        fc.constantFrom(0, 0.9),
        (vals, cuts, positiveOnly, alpha) => {
          const total = 2400;
          const steps: number[] = [];
          const values: number[] = [];
          let got: [number, number][] = [];
          let k = 0;
          for (let c = 0; k < vals.length; c++) {
            const n = cuts[c % cuts.length];
            for (const v of vals.slice(k, k + n)) {
              steps.push(steps.length);
              values.push(v);
            }
            k += n;
            got = linePoints(steps, values, { stepsTotal: total, positiveOnly, alpha });
          }
          expect(got).toEqual(full(steps, values, total, positiveOnly, alpha));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("keeps a one-step spike and ends at the last point", () => {
    const steps = Array.from({ length: 20_000 }, (_, i) => i);
    const values = steps.map((i) => (i === 12_345 ? 100 : 1 / (1 + i)));
    const pts = linePoints(steps, values, { stepsTotal: 20_000, positiveOnly: true });
    expect(pts.length).toBeLessThanOrEqual(4 * BUCKETS);
    expect(pts).toContainEqual([12_345, 100]);
    expect(pts.at(-1)).toEqual([19_999, 1 / 20_000]);
  });
});
