/**
 * The LR range test on an experiment, in tfjs: a throwaway one-run copy of the experiment — the same initial
 * weights and the same mini-batches as the race, no noise — trained at the engine's range-test LRs
 * (engine/rangeTest.ts) until the flavour's stop rule, its iterations, or a non-finite loss end it. The race is
 * not touched. Used by the training worker (the page's "Find the LR"), the lesson claims and the tests.
 */
import {
  initRange,
  type RangeTestConfig,
  rangeIterations,
  rangeLr,
  rangeRecord,
  rangeSuggest,
} from "../engine/rangeTest";
import type { Experiment } from "../experiment/config";
import type { RangeRun } from "../experiment/rangeTest";
import { Trainer } from "./trainer";

export interface RangeHooks {
  /** After each iteration: iterations done, at most `total`. */
  onProgress?(done: number, total: number): void;
  /** Asked after each iteration; true ends the test ("cancelled"). */
  cancelled?(): boolean;
  /** Called every few iterations so a worker can take messages (e.g. a cancel). */
  yieldNow?(): Promise<void>;
}

/** The experiment the test trains: one constant-LR run of the experiment's model, optimizer, data and seed. */
export function rangeExperiment(exp: Experiment): Experiment {
  return {
    ...exp,
    noise: { ...exp.noise, type: "clean" },
    steps: Math.max(exp.steps, 1),
    runs: [
      { name: "range test", color: exp.runs[0]?.color ?? "#0072B2", scheduler: { scheduler: "Constant" } },
    ],
  };
}

export async function runRangeTestOn(
  exp: Experiment,
  cfg: RangeTestConfig,
  hooks: RangeHooks = {},
): Promise<RangeRun> {
  const trainer = new Trainer(rangeExperiment(exp));
  const s = initRange();
  const total = rangeIterations(cfg);
  let reason: RangeRun["reason"] = "complete";
  let diverged: RangeRun["diverged"] = null;
  try {
    for (let k = 0; k < total && !s.done; k++) {
      const lr = rangeLr(cfg, k);
      const rep = await trainer.trainStep([lr]);
      const loss = rep.runs[0]?.loss ?? Number.NaN;
      if (!Number.isFinite(loss)) {
        // LR Lab stops here; the libraries would go on recording NaN.
        reason = "non-finite";
        diverged = { index: k, lr };
        break;
      }
      rangeRecord(cfg, s, loss);
      hooks.onProgress?.(k + 1, total);
      if (hooks.cancelled?.()) {
        reason = "cancelled";
        break;
      }
      if (hooks.yieldNow && k % 4 === 3) await hooks.yieldNow();
    }
  } finally {
    trainer.dispose();
  }
  if (s.done) reason = s.reason ?? "complete";
  return {
    flavor: cfg.flavor,
    params: cfg.params,
    lr: s.lr,
    raw: s.raw,
    smoothed: s.smoothed,
    stop: s.lr.length,
    reason,
    diverged,
    suggestions: rangeSuggest(cfg, s),
  };
}
