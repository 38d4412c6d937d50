import { indexOfStep } from "./metrics";
/**
 * Loss windows aligned at perturbation onsets: for each onset, loss[onset + k] ÷ loss[onset − 1] for
 * k = −before..after, averaged over the onsets that have data. 1.1 is the recovery line.
 */
export function alignedWindows(
  steps: readonly number[],
  loss: readonly number[],
  onsets: readonly number[],
  before = 5,
  after = 60,
): (number | null)[] {
  const sum = new Array<number>(before + after + 1).fill(0);
  const n = new Array<number>(before + after + 1).fill(0);
  for (const o of onsets) {
    const i0 = indexOfStep(steps, o - 1);
    if (i0 < 0 || !(loss[i0] > 0)) continue;
    const ref = loss[i0];
    for (let k = -before; k <= after; k++) {
      // Steps are consecutive around an onset: the index follows from i0, checked against the step.
      const j = i0 + 1 + k;
      const i = steps[j] === o + k ? j : indexOfStep(steps, o + k);
      if (i < 0 || !Number.isFinite(loss[i])) continue;
      sum[k + before] += loss[i] / ref;
      n[k + before] += 1;
    }
  }
  return sum.map((s, j) => (n[j] ? s / n[j] : null));
}
