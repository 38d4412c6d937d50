/**
 * A live line's points, decimated incrementally for drawing. The step axis of a live chart is fixed
 * ([0, experiment steps]), so the steps fall into fixed buckets (one per ~1.5 px of a wide chart); each bucket
 * keeps its first, lowest, highest and last point in step order (M4 decimation: the polyline looks as the full
 * series would at that resolution, so every spike and restart stays visible). A finished bucket never changes,
 * so each batch only adds the new points: the work per redraw follows the batch, not the length of the run.
 * An optional EMA (`alpha`, the weight on the past) is carried along, since it is causal too.
 */
import type { Pt } from "../experiment/axes";

export const BUCKETS = 400;

class Line {
  /** Points of the finished buckets. */
  private done: Pt[] = [];
  /** Input index where the open bucket starts, and the EMA's state just before it. */
  private from = 0;
  private m = Number.NaN;

  constructor(
    private readonly width: number,
    private readonly positiveOnly: boolean,
    private readonly alpha: number,
  ) {}

  /** The open bucket [from, to) of smoothed, kept values → its M4 points; `m` is the EMA before `from`. */
  private bucket(steps: number[], values: number[], from: number, to: number, m0: number) {
    let m = m0;
    let first = -1;
    let last = -1;
    let lo = -1;
    let hi = -1;
    const vals: number[] = [];
    for (let i = from; i < to; i++) {
      const raw = values[i];
      if (this.alpha > 0) m = Number.isFinite(m) ? this.alpha * m + (1 - this.alpha) * raw : raw;
      const v = this.alpha > 0 ? m : raw;
      vals.push(v);
      if (!Number.isFinite(v) || (this.positiveOnly && v <= 0)) continue;
      if (first < 0) first = i;
      last = i;
      if (lo < 0 || v < vals[lo - from]) lo = i;
      if (hi < 0 || v > vals[hi - from]) hi = i;
    }
    const idx = first < 0 ? [] : [...new Set([first, lo, hi, last])].sort((a, b) => a - b);
    return { pts: idx.map((i): Pt => [steps[i], vals[i - from]]), m };
  }

  points(steps: number[], values: number[]): Pt[] {
    const n = Math.min(steps.length, values.length);
    if (n < this.from) {
      // The series was cut back: start over.
      this.done = [];
      this.from = 0;
      this.m = Number.NaN;
    }
    // Close every bucket that a later point has moved past.
    let start = this.from;
    for (let i = this.from; i < n; i++) {
      if (Math.floor(steps[i] / this.width) === Math.floor(steps[start] / this.width)) continue;
      const b = this.bucket(steps, values, start, i, this.m);
      for (const p of b.pts) this.done.push(p);
      this.m = b.m;
      start = i;
    }
    this.from = start;
    const open = this.bucket(steps, values, start, n, this.m).pts;
    return open.length ? this.done.concat(open) : this.done.slice();
  }
}

const cache = new WeakMap<number[], Map<string, Line>>();

/**
 * The drawable points of a series that grows in place (`values` keyed by identity: a reset makes new arrays).
 * `stepsTotal`: the length of the step axis, which fixes the buckets.
 */
export function linePoints(
  steps: number[],
  values: number[],
  opts: { stepsTotal: number; positiveOnly: boolean; alpha?: number },
): Pt[] {
  const width = Math.max(1, Math.ceil(opts.stepsTotal / BUCKETS));
  const alpha = opts.alpha ?? 0;
  const key = `${width}|${opts.positiveOnly}|${alpha}`;
  let byKey = cache.get(values);
  if (!byKey) {
    byKey = new Map();
    cache.set(values, byKey);
  }
  let line = byKey.get(key);
  if (!line) {
    line = new Line(width, opts.positiveOnly, alpha);
    byKey.set(key, line);
  }
  return line.points(steps, values);
}
