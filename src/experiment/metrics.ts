/**
 * Per-run metrics (shown in the app with their formulas):
 * - recovery time: steps from a perturbation's onset until the clean loss is back below 1.1 × its value just
 *   before the onset; capped at the next onset or the run's end → null ("not recovered") (authors' code);
 * - recovery ratio: max loss ÷ mean of the last 10 losses (the paper's "134×");
 * - final loss: mean of the last 10 losses; best loss; area under the loss curve (trapezoids, per step);
 * - steps to target: first step whose loss ≤ target.
 */
export interface RunMetrics {
  finalLoss: number | null;
  bestLoss: number | null;
  auc: number | null;
  recoveryRatio: number | null;
  recoveryTimes: (number | null)[];
  medianRecovery: number | null;
  stepsToTarget: number | null;
  divergedAt: number | null;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function recoveryTimes(
  steps: readonly number[],
  loss: readonly number[],
  onsets: readonly number[],
): (number | null)[] {
  const last = steps.length ? steps[steps.length - 1] : -1;
  return onsets.map((onset, k) => {
    const i0 = indexOfStep(steps, onset);
    if (i0 < 1) return null;
    const ref = 1.1 * loss[i0 - 1];
    const cap = k + 1 < onsets.length ? onsets[k + 1] : last + 1;
    for (let i = i0 + 1; i < steps.length && steps[i] < cap; i++) if (loss[i] < ref) return steps[i] - onset;
    return null;
  });
}

/** The index of `step` in a run's sorted steps (binary search), or -1. */
export function indexOfStep(steps: readonly number[], step: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] === step) return mid;
    if (steps[mid] < step) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function runMetrics(
  steps: readonly number[],
  loss: readonly number[],
  opts: { onsets?: readonly number[]; target?: number; divergedAt?: number | null } = {},
): RunMetrics {
  // One pass, no copies: the metrics table recomputes this for every run while a race trains.
  let auc = 0;
  let best = Number.POSITIVE_INFINITY;
  let worst = Number.NEGATIVE_INFINITY;
  let count = 0;
  for (let i = 0; i < loss.length; i++) {
    const l = loss[i];
    if (!Number.isFinite(l)) continue;
    count++;
    if (l < best) best = l;
    if (l > worst) worst = l;
    if (i > 0 && Number.isFinite(loss[i - 1])) auc += ((l + loss[i - 1]) / 2) * (steps[i] - steps[i - 1]);
  }
  const tail: number[] = [];
  for (let i = loss.length - 1; i >= 0 && tail.length < 10; i--)
    if (Number.isFinite(loss[i])) tail.push(loss[i]);
  tail.reverse(); // summed in step order, as always
  const finalLoss = tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : null;
  const rec = recoveryTimes(steps, loss, opts.onsets ?? []);
  const done = rec.filter((x): x is number => x !== null);
  const target = opts.target;
  const hit = target === undefined ? -1 : loss.findIndex((l) => l <= target);
  return {
    finalLoss,
    bestLoss: count ? best : null,
    auc: loss.length > 1 ? auc : null,
    recoveryRatio: finalLoss && finalLoss > 0 && count ? worst / finalLoss : null,
    recoveryTimes: rec,
    medianRecovery: median(done),
    stepsToTarget: hit >= 0 ? steps[hit] : null,
    divergedAt: opts.divergedAt ?? null,
  };
}
