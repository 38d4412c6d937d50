/**
 * The LR range test (Smith 2017), in the two forms practitioners run: fastai v2's `lr_find` and
 * torch-lr-finder's `range_test`. A pure procedure: an LR per iteration, a recorded (smoothed) loss fed one
 * iteration at a time, a stop rule, and the suggestions each library computes from the record.
 *
 * - fastai (`fastai/callback/schedule.py` LRFinder, `fastai/learner.py` AvgSmoothLoss / Recorder):
 *   lr_k = start·(end/start)^(k/num_it) — `end_lr` itself is never reached; the recorded loss is the debiased
 *   moving average (β = 0.98) of the raw losses; after recording, best = min(best, recorded) and the test stops
 *   when `stop_div` and recorded > 4·best, or after num_it iterations. Suggestions (`valley`, `slide`,
 *   `minimum`, `steep`) read the record `[num_it//10 : −5]`, cut at its first NaN.
 * - torch-lr-finder (`torch_lr_finder/lr_finder.py`): lr_i = start·(end/start)^(i/(num_iter−1)) (`exp`) or
 *   start + i/(num_iter−1)·(end − start) (`linear`) — the last iteration is exactly at `end_lr`; s_0 = loss_0,
 *   s_i = f·loss_i + (1 − f)·s_{i−1} (no debiasing); stop after recording when s_i > diverge_th·best. Its
 *   suggestion is the steepest point of `plot()`: argmin of np.gradient(record[skip_start : −skip_end]).
 *
 * Oddities of the references, matched: fastai's `minimum` suggests the LR at the minimum divided by 10 (its
 * index is the minimum's); `valley` is the index `start + ⌊len/3⌋ + ⌊len/6⌋` of the longest decreasing
 * subsequence as fastai's double loop finds it; `slide` needs at least 16 points in its window; NaN never stops
 * either test (comparisons with NaN are false); np.argmin returns the first NaN when there is one.
 */
import { parseParams } from "./params";
import type { ParamMeta, Params } from "./types";

export type RangeFlavor = "fastai" | "torch-lr-finder";
export const RANGE_FLAVORS: readonly RangeFlavor[] = ["fastai", "torch-lr-finder"];

const lrMeta = (key: string, label: string, def: number, help: string): ParamMeta => ({
  key,
  label,
  type: "number",
  default: def,
  min: 0,
  minExclusive: true,
  scale: "log",
  uiMin: 1e-8,
  uiMax: 100,
  help,
});

/** The number of iterations (fastai calls it num_it, torch-lr-finder num_iter). */
const iterMeta = (key: string): ParamMeta => ({
  key,
  label: "iterations",
  type: "int",
  default: 100,
  min: 2,
  max: 100_000,
  uiMax: 1000,
  help: "How many mini-batches the test trains on, at most.",
});

/** Every parameter of each flavour, with the library's own names and defaults (the UI and links read these). */
export const RANGE_PARAMS: Record<RangeFlavor, readonly ParamMeta[]> = {
  fastai: [
    lrMeta("start_lr", "start LR", 1e-7, "LR of the first iteration."),
    lrMeta("end_lr", "end LR", 10, "The LR the test heads for; fastai never reaches it (k/num_it < 1)."),
    iterMeta("num_it"),
    {
      key: "stop_div",
      label: "stop on divergence",
      type: "bool",
      default: true,
      help: "Stop once the smoothed loss exceeds 4× the best smoothed loss so far.",
    },
  ],
  "torch-lr-finder": [
    lrMeta("start_lr", "start LR", 1e-7, "LR of the first iteration."),
    lrMeta("end_lr", "end LR", 10, "LR of the last iteration (reached exactly)."),
    iterMeta("num_iter"),
    {
      key: "step_mode",
      label: "LR spacing",
      type: "enum",
      default: "exp",
      options: ["exp", "linear"],
      help: "exp: the LR grows geometrically; linear: by equal steps.",
    },
    {
      key: "smooth_f",
      label: "smoothing",
      type: "number",
      default: 0.05,
      min: 0,
      max: 1,
      maxExclusive: true,
      step: 0.01,
      help: "Weight of the new loss in the running average (0 = no smoothing).",
    },
    {
      key: "diverge_th",
      label: "divergence threshold",
      type: "number",
      default: 5,
      min: 1,
      minExclusive: true,
      uiMax: 20,
      step: 0.5,
      help: "Stop once the smoothed loss exceeds this multiple of the best.",
    },
    {
      key: "skip_start",
      label: "skip at start",
      type: "int",
      default: 10,
      min: 0,
      uiMax: 50,
      help: "Points left out of the plot and the suggestion at the start.",
    },
    {
      key: "skip_end",
      label: "skip at end",
      type: "int",
      default: 5,
      min: 0,
      uiMax: 50,
      help: "Points left out of the plot and the suggestion at the end.",
    },
  ],
};

export interface RangeTestConfig {
  flavor: RangeFlavor;
  params: Params;
}

/** The number of iterations the test runs at most. */
export const rangeIterations = (c: RangeTestConfig): number =>
  c.flavor === "fastai" ? (c.params.num_it as number) : (c.params.num_iter as number);

/** Validates a raw `{flavor, params}`; throws a ParamError naming the parameter (start ≥ end included). */
export function parseRangeTest(raw: { flavor?: unknown; params?: unknown }): RangeTestConfig {
  const flavor = raw.flavor;
  if (flavor !== "fastai" && flavor !== "torch-lr-finder")
    throw new RangeTestError(
      `"flavor" must be "fastai" or "torch-lr-finder" (got ${JSON.stringify(flavor)})`,
    );
  const rawParams = raw.params ?? {};
  if (rawParams === null || typeof rawParams !== "object" || Array.isArray(rawParams))
    throw new RangeTestError('"params" must be an object');
  const params = parseParams(
    `range test (${flavor})`,
    RANGE_PARAMS[flavor],
    rawParams as Record<string, unknown>,
  );
  if ((params.start_lr as number) >= (params.end_lr as number))
    throw new RangeTestError(
      `range test (${flavor}): parameter "start_lr" must be below "end_lr" (got ${params.start_lr} ≥ ${params.end_lr})`,
    );
  return { flavor, params };
}

export class RangeTestError extends Error {}

/** The LR of iteration k, in the flavour's own floating-point form. */
export function rangeLr(c: RangeTestConfig, k: number): number {
  const start = c.params.start_lr as number;
  const end = c.params.end_lr as number;
  if (c.flavor === "fastai") return start * (end / start) ** (k / (c.params.num_it as number));
  const r = k / ((c.params.num_iter as number) - 1);
  return c.params.step_mode === "linear" ? start + r * (end - start) : start * (end / start) ** r;
}

/** The test's running record: plain JSON, fed one raw loss at a time. */
export interface RangeState {
  /** Raw losses seen (NaN for a non-finite or missing one). */
  raw: number[];
  lr: number[];
  smoothed: number[];
  best: number;
  /** fastai's running (biased) average. */
  avg: number;
  done: boolean;
  /** Why it ended: "diverged" (the stop rule) or "complete" (all iterations). */
  reason?: "diverged" | "complete";
}

export const initRange = (): RangeState => ({
  raw: [],
  lr: [],
  smoothed: [],
  best: Number.POSITIVE_INFINITY,
  avg: 0,
  done: false,
});

const BETA = 0.98;

/** Records the raw loss of the next iteration (trained at `rangeLr(c, state.lr.length)`); mutates and returns. */
export function rangeRecord(c: RangeTestConfig, s: RangeState, loss: number): RangeState {
  if (s.done) return s;
  const k = s.lr.length;
  const x = typeof loss === "number" ? loss : Number.NaN;
  s.raw.push(x);
  s.lr.push(rangeLr(c, k));
  if (c.flavor === "fastai") {
    s.avg = BETA * s.avg + (1 - BETA) * x;
    const v = s.avg / (1 - BETA ** (k + 1));
    s.smoothed.push(v);
    if (v < s.best) s.best = v;
    if (c.params.stop_div && v > 4 * s.best) end(s, "diverged");
    else if (k + 1 >= (c.params.num_it as number)) end(s, "complete");
  } else {
    const f = c.params.smooth_f as number;
    let v = x;
    if (k === 0) s.best = v;
    else {
      if (f > 0) v = f * x + (1 - f) * s.smoothed[k - 1];
      if (v < s.best) s.best = v;
    }
    s.smoothed.push(v);
    if (v > (c.params.diverge_th as number) * s.best) end(s, "diverged");
    else if (k + 1 >= (c.params.num_iter as number)) end(s, "complete");
  }
  return s;
}

function end(s: RangeState, reason: "diverged" | "complete") {
  s.done = true;
  s.reason = reason;
}

export interface Suggestion {
  /** Index into the record (the iteration). */
  index: number;
  /** The suggested LR (fastai's `minimum`: the LR at the index divided by 10). */
  lr: number;
}

export interface FastaiSuggestions {
  window: [number, number];
  valley: Suggestion | null;
  slide: Suggestion | null;
  minimum: Suggestion | null;
  steep: Suggestion | null;
}
export interface TlfSuggestions {
  window: [number, number];
  steepest: Suggestion | null;
}
export type Suggestions = FastaiSuggestions | TlfSuggestions;

/** Python's `xs[a:-b]` bounds on a list of length n (b > 0), or `xs[a:]` when b is 0. */
function pySlice(n: number, a: number, b: number): [number, number] {
  const start = Math.min(a, n);
  const stop = b === 0 ? n : Math.max(n - b, 0);
  return [start, Math.max(start, stop)];
}

/** numpy.gradient of a 1-D array with unit spacing (edge_order 1); needs at least 2 points. */
export function npGradient(y: readonly number[]): number[] {
  const n = y.length;
  const g = new Array<number>(n);
  g[0] = y[1] - y[0];
  g[n - 1] = y[n - 1] - y[n - 2];
  for (let i = 1; i < n - 1; i++) g[i] = (y[i + 1] - y[i - 1]) / 2;
  return g;
}

/** numpy.argmin: the first minimum, or the first NaN if there is one. */
export function npArgmin(y: readonly number[]): number {
  let best = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(y[i])) return i;
    if (y[i] < y[best]) best = i;
  }
  return best;
}

/** fastai's `valley`: described as 2/3 down the longest valley; its code takes len/3 + len/6, about halfway. */
function valley(losses: readonly number[]): number | null {
  const n = losses.length;
  if (n === 0) return null;
  const lds = new Array<number>(n).fill(1);
  let maxStart = 0;
  let maxEnd = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (losses[i] < losses[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1;
      if (lds[maxEnd] < lds[i]) {
        maxEnd = i;
        maxStart = maxEnd - lds[maxEnd];
      }
    }
  }
  const sections = (maxEnd - maxStart) / 3;
  const idx = maxStart + Math.trunc(sections) + Math.trunc(sections / 2);
  return idx >= 0 && idx < n ? idx : null;
}

/** fastai's `slide` (lr_diff 15, thresh 0.005, adjust 1): the index of the LR it returns, or null (< 16 points). */
function slide(losses: readonly number[], lrDiff = 15, thresh = 0.005): number | null {
  const n = losses.length;
  if (n < lrDiff + 1) return null;
  const g = npGradient(losses);
  let r = n - 1;
  let l = r - lrDiff;
  let found = l;
  while (l >= 0 && Math.abs(g[r] - g[l]) > thresh) {
    found = l;
    r -= 1;
    l -= 1;
  }
  return found;
}

/** fastai's `steep`: the left end of the steepest segment of loss against log LR. */
function steep(lrs: readonly number[], losses: readonly number[]): number | null {
  if (losses.length < 2) return null;
  const grads: number[] = [];
  for (let i = 0; i + 1 < losses.length; i++)
    grads.push((losses[i + 1] - losses[i]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i])));
  return firstMin(grads);
}

/** torch.argmin over a NaN-free list: the first minimum. */
function firstMin(y: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < y.length; i++) if (y[i] < y[best]) best = i;
  return best;
}

const at = (lrs: readonly number[], offset: number, i: number | null, scale = 1): Suggestion | null =>
  i === null ? null : { index: offset + i, lr: lrs[offset + i] * scale };

/** The flavour's suggestions from a record (fastai: all four; torch-lr-finder: the steepest gradient). */
export function rangeSuggest(c: RangeTestConfig, s: Pick<RangeState, "lr" | "smoothed">): Suggestions {
  const n = s.smoothed.length;
  if (c.flavor === "fastai") {
    const [a, b0] = pySlice(n, Math.floor((c.params.num_it as number) / 10), 5);
    let b = b0;
    for (let i = a; i < b0; i++)
      if (Number.isNaN(s.smoothed[i])) {
        b = i;
        break;
      }
    const losses = s.smoothed.slice(a, b);
    const lrs = s.lr.slice(a, b);
    return {
      window: [a, b],
      valley: at(s.lr, a, valley(losses)),
      slide: at(s.lr, a, slide(losses)),
      minimum: at(s.lr, a, losses.length ? firstMin(losses) : null, 1 / 10),
      steep: at(s.lr, a, steep(lrs, losses)),
    };
  }
  const [a, b] = pySlice(n, c.params.skip_start as number, c.params.skip_end as number);
  const losses = s.smoothed.slice(a, b);
  return { window: [a, b], steepest: at(s.lr, a, losses.length >= 2 ? npArgmin(npGradient(losses)) : null) };
}

export interface RangeResult {
  lr: number[];
  smoothed: number[];
  stop: number;
  reason: "diverged" | "complete" | "out of losses";
  suggestions: Suggestions;
}

/** Runs a whole test on a list of raw losses (null = NaN); stops early if the losses run out. */
export function runRangeTest(c: RangeTestConfig, losses: readonly (number | null)[]): RangeResult {
  const s = initRange();
  for (const l of losses) {
    if (s.done) break;
    rangeRecord(c, s, l === null ? Number.NaN : l);
  }
  return {
    lr: s.lr,
    smoothed: s.smoothed,
    stop: s.lr.length,
    reason: s.reason ?? "out of losses",
    suggestions: rangeSuggest(c, s),
  };
}
