/**
 * Pure schedules in the style of optax: a schedule is a function of the step, and combinators build new
 * schedules from old ones. No state, so any horizon can be previewed without running anything.
 */

/** A schedule maps a step index (from 0) to a value (an LR, or a multiplier of the base LR). */
export type Schedule = (t: number) => number;

export const constant =
  (v: number): Schedule =>
  () =>
    v;

/** Linear from `from` to `to` over `steps` steps, then held at `to`. */
export const linear =
  (from: number, to: number, steps: number): Schedule =>
  (t) =>
    steps <= 0 ? to : from + ((to - from) * Math.min(Math.max(t, 0), steps)) / steps;

/** Half cosine from `from` to `to` over `steps` steps, then held at `to`. */
export const cosine =
  (from: number, to: number, steps: number): Schedule =>
  (t) =>
    steps <= 0
      ? to
      : to + ((from - to) * (1 + Math.cos((Math.PI * Math.min(Math.max(t, 0), steps)) / steps))) / 2;

/** Scale a schedule's values. */
export const scale =
  (s: Schedule, k: number): Schedule =>
  (t) =>
    k * s(t);

/** Product of schedules (PyTorch's ChainedScheduler for multiplicative forms). */
export const product =
  (...ss: Schedule[]): Schedule =>
  (t) =>
    ss.reduce((acc, s) => acc * s(t), 1);

/**
 * optax's `join_schedules`: schedule i runs on [boundaries[i−1], boundaries[i]) and receives the step minus
 * its own boundary, so each piece starts from its own step 0.
 */
export function join(schedules: Schedule[], boundaries: number[]): Schedule {
  if (boundaries.length !== schedules.length - 1)
    throw new Error("join: need one boundary fewer than schedules");
  return (t) => {
    let i = 0;
    while (i < boundaries.length && t >= boundaries[i]) i++;
    return schedules[i](i === 0 ? t : t - boundaries[i - 1]);
  };
}

/** Linear warmup λ = t / max(1, W) for t < W, then `after` (which sees t unchanged). */
export const withWarmup =
  (W: number, after: Schedule): Schedule =>
  (t) =>
    t < W ? t / Math.max(1, W) : after(t);

/** Sample a schedule over a horizon (for previews). */
export function sample(s: Schedule, horizon: number): number[] {
  const out = new Array<number>(Math.max(0, horizon));
  for (let t = 0; t < out.length; t++) out[t] = s(t);
  return out;
}
