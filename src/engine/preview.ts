import { createScheduler } from "./runtime";
import type { SchedulerConfig } from "./types";

/**
 * The LR of steps 0..horizon−1 of a time-based schedule, without training anything. From a live state
 * (`from`), the preview continues that state — the "ghost" of the future drawn on the LR chart.
 * Returns null for schedulers that depend on observations.
 */
export function preview(
  config: SchedulerConfig,
  baseLr: number,
  horizon: number,
  from?: { state: unknown; step: number },
): number[] | null {
  const s = createScheduler(config, baseLr, from?.state);
  if (!s.spec.timeBased) return null;
  const start = from?.step ?? 0;
  const out = new Array<number>(Math.max(0, horizon - start));
  for (let i = 0; i < out.length; i++) {
    out[i] = s.lr;
    s.step({ step: start + i });
  }
  return out;
}
