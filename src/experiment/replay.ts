/**
 * Replay: loss-driven schedulers run open loop on a logged loss stream. Each logged point is one scheduler
 * step; the LR of point t follows the schedule CLI's `lr` convention (the LR in effect for step t — for
 * `timing: "before"` schedulers the one chosen from step t's observation), so a replay equals
 * `npm run schedule` on the same case with `metrics` = the log's values, exactly.
 *
 * Per run it reports the LR trajectory, the LR changes (decisions) and the reversals: an LR raise followed by
 * a cut within 2 × (patience + 1) points — the scheduler chasing noise. (A loss-driven scheduler needs
 * patience + 1 worse points to cut, so the earliest a cut can follow a raise is patience + 1 points later: "within
 * patience" taken literally could never happen. A reversal is a cut that came about as soon as it could.)
 */
import { createScheduler, getSpec, SCHEDULERS, type SchedulerConfig } from "../engine";

export interface ReplayResult {
  lr: Float64Array;
  /** Points at which the LR changed: +1 raised, −1 cut (index into the stream). */
  changes: { i: number; dir: 1 | -1 }[];
  decisionsPer1000: number;
  reversals: number;
  finalLr: number;
}

/** Schedulers a replay can run: those that read nothing but the loss (or nothing at all: time-based). */
export const replayable = (id: string): boolean => getSpec(id).needs.every((n) => n === "loss");
export const REPLAYABLE = SCHEDULERS.filter((s) => replayable(s.id)).map((s) => s.id);
/** The ones that read the loss: what replay is for. */
export const LOSS_DRIVEN = SCHEDULERS.filter((s) => s.needs.includes("loss") && replayable(s.id)).map(
  (s) => s.id,
);

/** The reversal window: 2 × (patience + 1) points (patience 10 for schedulers without one). */
export function reversalWindow(config: SchedulerConfig): number {
  const p = (config.params as Record<string, unknown> | undefined)?.patience;
  return 2 * ((typeof p === "number" && p >= 0 ? p : 10) + 1);
}

export function replayRun(config: SchedulerConfig, baseLr: number, values: ArrayLike<number>): ReplayResult {
  if (!replayable(config.scheduler))
    throw new Error(`${config.scheduler} needs gradient facts, which a loss log does not have`);
  const s = createScheduler(config, baseLr);
  const n = values.length;
  const lr = new Float64Array(n);
  const before = s.spec.timing === "before";
  for (let t = 0; t < n; t++) {
    const o = { step: t, loss: values[t] };
    if (before) lr[t] = s.step(o).lr;
    else {
      lr[t] = s.lr;
      s.step(o);
    }
  }
  const changes: ReplayResult["changes"] = [];
  for (let t = 1; t < n; t++)
    if (lr[t] !== lr[t - 1]) changes.push({ i: t, dir: lr[t] > lr[t - 1] ? 1 : -1 });
  const w = reversalWindow(config);
  let reversals = 0;
  for (let k = 1; k < changes.length; k++)
    if (changes[k - 1].dir === 1 && changes[k].dir === -1 && changes[k].i - changes[k - 1].i <= w)
      reversals++;
  return {
    lr,
    changes,
    decisionsPer1000: n ? (changes.length * 1000) / n : 0,
    reversals,
    finalLr: n ? lr[n - 1] : s.lr,
  };
}

/** A replay as a race, so lesson claims (claims.ts) read it like a trained one: the points are the steps. */
export function replayRace(configs: readonly SchedulerConfig[], baseLr: number, values: ArrayLike<number>) {
  const steps = Array.from({ length: values.length }, (_, i) => i);
  return {
    onsets: [],
    runs: configs.map((c) => {
      const r = replayRun(c, baseLr, values);
      return {
        steps,
        loss: Array.from(values),
        lr: [...r.lr],
        events: r.changes.map((x) => ({ step: x.i, kind: x.dir > 0 ? "increase" : "decrease" })),
        divergedAt: null,
      };
    }),
  };
}
