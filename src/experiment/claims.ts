/**
 * Executable lesson claims. A lesson's text says things about its runs ("GreedyLR ends below the constant LR",
 * "ReduceLROnPlateau cuts at least once"); each such statement is declared here as a predicate over the
 * series the race produced, so a test can check that the runs show what the text says — on the CPU backend
 * in Node (unit) and on WASM and WebGL in Chromium (e2e), where rounding differs.
 *
 * Claims are built from a few small combinators (optax style: pure functions, composed). Each check returns
 * null when the claim holds, or a sentence with the measured figures when it does not.
 */

/** What one run produced: the same fields the store's series and the Node player carry. */
export interface ClaimRun {
  steps: readonly number[];
  loss: readonly number[];
  lr: readonly number[];
  /** Scheduler decisions (kind and step). */
  events: readonly { step: number; kind: string }[];
  divergedAt: number | null;
  /** Schedule-free SGD with schedulet averaging, on a task with a known optimum: f* + the convex bound, step for
   * step with `loss` (NaN where none yet). */
  bound?: readonly number[];
  /** MNIST: the run's accuracy on the held-out digits after its last step (0–1). */
  accuracy?: number;
}

export interface ClaimRace {
  runs: readonly ClaimRun[];
  /** Steps at which a perturbation started. */
  onsets: readonly number[];
  /** The lesson's LR range test (experiment.view.range), run on the same experiment, when it has one. */
  range?: RangeRun | null;
}

export interface Claim {
  /** The claim in words, as the closing note and the test name show it. */
  says: string;
  /** null when the claim holds; else what was measured instead. */
  check(race: ClaimRace): string | null;
}

import type { RangeRun } from "./rangeTest";

const fmt = (x: number | null) =>
  x === null ? "—" : Math.abs(x) >= 0.01 && Math.abs(x) < 1e4 ? x.toPrecision(3) : x.toExponential(2);

/** Mean of the last `n` finite losses up to and including `step` (default: the end); null if none. */
export function lossNear(r: ClaimRun, step = Number.POSITIVE_INFINITY, n = 10): number | null {
  const xs: number[] = [];
  for (let i = 0; i < r.steps.length && r.steps[i] <= step; i++)
    if (Number.isFinite(r.loss[i])) xs.push(r.loss[i]);
  const tail = xs.slice(-n);
  return tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : null;
}

/** Largest finite loss at steps in [from, to). */
export function peakLoss(r: ClaimRun, from = 0, to = Number.POSITIVE_INFINITY): number | null {
  let m: number | null = null;
  for (let i = 0; i < r.steps.length; i++)
    if (r.steps[i] >= from && r.steps[i] < to && Number.isFinite(r.loss[i]))
      m = m === null ? r.loss[i] : Math.max(m, r.loss[i]);
  return m;
}

/** The run diverged (NaN/∞) or its loss ran away to `factor` × its first loss, at the first such step. */
export function blowUpAt(r: ClaimRun, factor = 3): number | null {
  if (r.divergedAt !== null) return r.divergedAt;
  const first = r.loss.find(Number.isFinite);
  if (first === undefined) return r.steps[0] ?? 0;
  for (let i = 0; i < r.steps.length; i++)
    if (!Number.isFinite(r.loss[i]) || r.loss[i] > factor * first) return r.steps[i];
  return null;
}

/** The first step at which run a's loss (mean of the 10 before) is at most `target`; null if never. */
export function reachesAt(r: ClaimRun, target: number, n = 10): number | null {
  let sum = 0;
  const win: number[] = [];
  for (let i = 0; i < r.steps.length; i++) {
    if (!Number.isFinite(r.loss[i])) return null;
    win.push(r.loss[i]);
    sum += r.loss[i];
    if (win.length > n) sum -= win.shift() as number;
    if (win.length === n && sum / n <= target) return r.steps[i];
  }
  return null;
}

/** Steps at which run's LR moved down (dir -1) or up (+1) against the step before: scheduler-agnostic. */
export function lrMoves(r: ClaimRun, dir: 1 | -1, from = 0, to = Number.POSITIVE_INFINITY): number {
  let c = 0;
  for (let i = 1; i < r.lr.length; i++)
    if (r.steps[i] >= from && r.steps[i] < to && dir * (r.lr[i] - r.lr[i - 1]) > 1e-9 * Math.abs(r.lr[i - 1]))
      c++;
  return c;
}

/** Largest loss in the `within` steps from `onset`, relative to the loss just before it. */
export function spikeKick(r: ClaimRun, onset: number, within = 20): number | null {
  const i0 = r.steps.indexOf(onset);
  if (i0 < 1) return null;
  const peak = peakLoss(r, onset, onset + within);
  return peak === null ? null : peak / r.loss[i0 - 1];
}

/** The race's runs, named as the lesson names them, for messages. */
type Names = readonly string[];

/** Combinators. `names` are the runs' names, for messages; runs are referred to by index. */
export function claimsFor(names: Names) {
  const n = (i: number) => names[i] ?? `run ${i}`;
  return {
    /** Run a ends (mean of its last 10 losses) below `ratio` × run b's. */
    endsBelow: (a: number, b: number, ratio = 1): Claim => ({
      says: `${n(a)} ends below ${ratio === 1 ? "" : `${ratio} × `}${n(b)}`,
      check: ({ runs }) => {
        const x = lossNear(runs[a]);
        const y = lossNear(runs[b]);
        return x !== null && y !== null && x < ratio * y
          ? null
          : `${n(a)} ends at ${fmt(x)}, ${n(b)} at ${fmt(y)}`;
      },
    }),
    /** At `step`, run a's loss (mean of the 10 losses before) is below `ratio` × run b's. */
    belowAt: (step: number, a: number, b: number, ratio = 1): Claim => ({
      says: `at step ${step}, ${n(a)}'s loss is below ${ratio === 1 ? "" : `${ratio} × `}${n(b)}'s`,
      check: ({ runs }) => {
        const x = lossNear(runs[a], step);
        const y = lossNear(runs[b], step);
        return x !== null && y !== null && x < ratio * y
          ? null
          : `at step ${step}: ${n(a)} ${fmt(x)}, ${n(b)} ${fmt(y)}`;
      },
    }),
    /** No run in `which` (default: all) diverges or runs away before `step` (default: the end). */
    noBlowUp: (which?: readonly number[], step = Number.POSITIVE_INFINITY, factor = 3): Claim => ({
      says: `${which ? which.map(n).join(", ") : "no run"} ${
        which ? (which.length > 1 ? "do not blow" : "does not blow") : "blows"
      } up${Number.isFinite(step) ? ` before step ${step}` : ""} (loss stays under ${factor} × its first)`,
      check: ({ runs }) => {
        for (const i of which ?? runs.map((_, k) => k)) {
          const at = blowUpAt(runs[i], factor);
          if (at !== null && at < step) return `${n(i)} blows up at step ${at}`;
        }
        return null;
      },
    }),
    /** Run a diverges or runs away, by `before` at the latest. */
    blowsUp: (a: number, before = Number.POSITIVE_INFINITY, factor = 3): Claim => ({
      says: `${n(a)} blows up${Number.isFinite(before) ? ` before step ${before}` : ""}`,
      check: ({ runs }) => {
        const at = blowUpAt(runs[a], factor);
        return at !== null && at < before
          ? null
          : `${n(a)} ${at === null ? "never blows up" : `blows up at ${at}`}`;
      },
    }),
    /** Run a's LR reaches at least `ratio` × its first LR at some step (it climbs). */
    lrClimbs: (a: number, ratio: number): Claim => ({
      says: `${n(a)}'s LR climbs to at least ${ratio} × its start`,
      check: ({ runs }) => {
        const lr = runs[a].lr.filter(Number.isFinite);
        const top = Math.max(...lr);
        return lr.length && top >= ratio * lr[0]
          ? null
          : `${n(a)}'s LR peaks at ${fmt(top / lr[0])} × its start`;
      },
    }),
    /** Run a's LR goes down at least `min` times (any scheduler: read from its LR series); with min = 0, never. */
    cuts: (a: number, min = 1): Claim => ({
      says:
        min === 0
          ? `${n(a)} never cuts its LR`
          : `${n(a)} cuts its LR at least ${min === 1 ? "once" : `${min} times`}`,
      check: ({ runs }) => {
        const c = lrMoves(runs[a], -1);
        return (min === 0 ? c === 0 : c >= min) ? null : `${n(a)} cuts ${c} times`;
      },
    }),
    /**
     * Runs a and b end (or, with `step`, stand at that step) within `rel` of each other, relative to the lower
     * of the two losses (means of 10).
     */
    near: (a: number, b: number, rel: number, step = Number.POSITIVE_INFINITY): Claim => ({
      says: `${Number.isFinite(step) ? `at step ${step}, ${n(a)} is` : `${n(a)} ends`} within ${Math.round(rel * 100)}% of ${n(b)}`,
      check: ({ runs }) => {
        const x = lossNear(runs[a], step);
        const y = lossNear(runs[b], step);
        return x !== null && y !== null && Math.abs(x - y) <= rel * Math.min(x, y)
          ? null
          : `${n(a)} at ${fmt(x)}, ${n(b)} at ${fmt(y)}`;
      },
    }),
    /** Run a's LR goes up at least `min` times; with min = 0, never. */
    raises: (a: number, min = 1): Claim => ({
      says:
        min === 0
          ? `${n(a)} never raises its LR`
          : `${n(a)} raises its LR at least ${min === 1 ? "once" : `${min} times`}`,
      check: ({ runs }) => {
        const c = lrMoves(runs[a], 1);
        return (min === 0 ? c === 0 : c >= min) ? null : `${n(a)} raises ${c} times`;
      },
    }),
    /** Run a's LR goes down within `within` steps of every spike ("first": of the first one). */
    cutsAfterSpikes: (a: number, which: "every" | "first", within = 20): Claim => ({
      says: `${n(a)} cuts its LR within ${within} steps of ${which === "every" ? "every spike" : "the first spike"}`,
      check: ({ runs, onsets }) => {
        const os = which === "every" ? onsets : onsets.slice(0, 1);
        if (!os.length) return "no spike happened";
        const missed = os.filter((o) => lrMoves(runs[a], -1, o, o + within) === 0);
        return missed.length
          ? `no cut after the spike${missed.length > 1 ? "s" : ""} at ${missed.join(", ")}`
          : null;
      },
    }),
    /** A spike (index k of the onsets) raises run a's loss by at least (min) or at most (max) a ratio. */
    kick: (a: number, k: number | "last", bound: { min?: number; max?: number }): Claim => ({
      says: `${k === 0 ? "the first" : k === "last" ? "the last" : `spike ${k + 1}'s`} spike ${
        bound.min
          ? `lifts ${n(a)}'s loss to at least ${bound.min} ×`
          : `lifts ${n(a)}'s loss to at most ${bound.max} ×`
      } its value before`,
      check: ({ runs, onsets }) => {
        const o = k === "last" ? onsets[onsets.length - 1] : onsets[k];
        if (o === undefined) return "no such spike";
        const x = spikeKick(runs[a], o);
        if (x === null) return `no loss around step ${o}`;
        return (bound.min === undefined || x >= bound.min) && (bound.max === undefined || x <= bound.max)
          ? null
          : `at the spike at step ${o} the loss goes to ${fmt(x)} ×`;
      },
    }),
    /** Run a's loss gets down to run b's final loss (both as means of 10) by step `by`. */
    reachesBy: (a: number, b: number, by: number): Claim => ({
      says: `${n(a)} reaches ${n(b)}'s final loss by step ${by}`,
      check: ({ runs }) => {
        const target = lossNear(runs[b]);
        if (target === null) return `${n(b)} has no final loss`;
        const at = reachesAt(runs[a], target);
        return at !== null && at <= by
          ? null
          : `${n(a)} reaches ${fmt(target)} ${at === null ? "never" : `at step ${at}`}`;
      },
    }),
    /** The range test's suggestion `name` lies in [lo, hi]. */
    rangeSuggests: (name: string, lo: number, hi: number): Claim => ({
      says: `the range test's ${name} suggestion lies between ${lo} and ${hi}`,
      check: ({ range }) => {
        if (!range) return "no range test was run";
        const s = (range.suggestions as unknown as Record<string, { lr: number } | null>)[name];
        if (!s) return `no ${name} suggestion`;
        return s.lr >= lo && s.lr <= hi ? null : `${name} suggests ${fmt(s.lr)}`;
      },
    }),
    /** A free-form claim. */
    that: (says: string, check: (race: ClaimRace) => string | null): Claim => ({ says, check }),
  };
}

/** Every failing claim, with its figures (empty: the race shows what the text says). */
export function failedClaims(claims: readonly Claim[], race: ClaimRace): string[] {
  return claims.flatMap((c) => {
    const why = c.check(race);
    return why === null ? [] : [`${c.says}: ${why}`];
  });
}
