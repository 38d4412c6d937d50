/**
 * The refined schedule from logged gradient norms (Defazio et al., "When, Why and How Much? Adaptive Learning
 * Rate Scheduling by Refinement"). Phase 1 trains with linear decay and logs ‖g_t‖; the norms are median-
 * filtered, turned into weights w_t = ĝ_t^−2 (ĝ^−1 for Adam-type methods, with ĝ the ℓ1 norm), and η_t ∝ w_t·Σ_{p>t} w_p
 * (η_{T−1} = 0), normalised so that max η = 1, times the peak LR. Phase 2 retrains from the initial weights
 * with that schedule: it produces a warmup and a fast final annealing by itself.
 */
import { bool, num, parseParams } from "./params";
import type { ParamMeta, SchedulerEvent, SchedulerSpec } from "./types";

/** The authors' filter width: 2·⌊⌊τ·T⌋ / 2⌋ + 1 (odd; τ = 0 gives 1, no filtering). */
export const filterWidth = (tau: number, T: number): number => 2 * Math.floor(Math.trunc(tau * T) / 2) + 1;

/**
 * The median filter of facebookresearch/adaptive_scheduling (its README): the sequence is extended at the end
 * by 2·width values reflected about the last one without repeating it (numpy `np.pad(…, mode="reflect")`,
 * which keeps reflecting — periodic with period 2(T−1) — when the padding is longer than the sequence), then
 * filtered with a centred window of `width` values where positions before the start repeat the first value
 * (`scipy.ndimage.median_filter(size=width, mode="nearest")`); the first T values are kept. The window is a
 * sliding sorted array: O(T·width).
 */
export function medianFilter(xs: readonly number[], width: number): number[] {
  const n = xs.length;
  if (n === 0) return [];
  const w = Math.max(1, width | 0) | 1;
  const h = (w - 1) / 2;
  const period = 2 * (n - 1);
  /** The padded sequence at index k (k < 0: the first value; k ≥ n: reflected). */
  const at = (k: number): number => {
    if (k < 0 || n === 1) return xs[0];
    if (k < n) return xs[k];
    const j = k % period;
    return j < n ? xs[j] : xs[period - j];
  };
  const sorted: number[] = [];
  const lowerBound = (v: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (let k = -h; k <= h; k++) sorted.splice(lowerBound(at(k)), 0, at(k));
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    out[i] = sorted[h];
    const leaving = at(i - h);
    sorted.splice(lowerBound(leaving), 1);
    const entering = at(i + h + 1);
    sorted.splice(lowerBound(entering), 0, entering);
  }
  return out;
}

/** log(eᵃ + eᵇ) without overflow. */
const logAddExp = (a: number, b: number): number => {
  const hi = Math.max(a, b);
  return hi === -Infinity ? hi : hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
};

/**
 * Refined multipliers (max = 1) from a sequence of gradient norms, as the authors compute them: the median
 * filter above, then `find_closed_form_schedule` — weights w_t = ĝ_t^−2 (ĝ_t^−1 for Adam-type methods),
 * m_t = w_t·Σ_{p>t} w_p (so m_{T−1} = 0), normalised to a maximum of 1 as in the paper. A norm that is 0 or
 * not finite gets weight 0 (LR Lab's guard: the reference would divide by zero).
 */
export function refinedSchedule(norms: readonly number[], tau = 0.1, adam = false): number[] {
  const T = norms.length;
  if (T === 0) return [];
  const g = medianFilter(norms, filterWidth(tau, T));
  // In logs: with norms that differ by ~1e150 (a vanishing gradient beside a normal one) w_t itself
  // overflows; log m_t = log w_t + log Σ_{p>t} w_p does not, and the normalised m_t are the same numbers
  // (to ~1e-15 relative).
  const lw = g.map((x) =>
    x > 0 && Number.isFinite(x) ? (adam ? -Math.log(x) : -2 * Math.log(x)) : -Infinity,
  );
  const lm = new Array<number>(T);
  let tail = -Infinity; // log Σ_{p>t} w_p
  for (let t = T - 1; t >= 0; t--) {
    lm[t] = lw[t] + tail;
    tail = logAddExp(tail, lw[t]);
  }
  const max = Math.max(...lm);
  return max > -Infinity ? lm.map((l) => Math.exp(l - max)) : lm.map(() => 0);
}

export interface RefinedState {
  t: number;
  lr: number;
  base: number;
  phase: 1 | 2;
  norms: number[];
  count: number;
  schedule: number[];
}

const METAS: ParamMeta[] = [
  {
    key: "phase_steps",
    label: "steps per phase",
    type: "int",
    default: 500,
    min: 2,
    uiMax: 10000,
    step: 1,
    help: "Length T of each phase: phase 1 (linear decay, logging ‖g‖), then phase 2 (refined) from the initial weights.",
  },
  {
    key: "tau",
    label: "median window τ",
    type: "number",
    default: 0.1,
    min: 0,
    max: 1,
    step: 0.01,
    help: "Median-filter window as a fraction of T: width 2·⌊⌊τT⌋/2⌋ + 1 (the authors' rule; τ = 0: no filter).",
  },
  {
    key: "adam",
    label: "Adam-type",
    type: "bool",
    default: false,
    help: "Adam-type optimizers: ĝ is the gradient's ℓ1 norm ‖g‖₁ and w = ĝ^−1 (instead of ‖g‖₂ and ĝ^−2).",
  },
];

export const Refined: SchedulerSpec<RefinedState> = {
  id: "Refined",
  python: { kind: "rule" },
  restartsRun: true,
  example: (x) => ({ params: { phase_steps: Math.max(2, x.q(0.5)) } }),
  formula: (v) => {
    const { t, eta, since } = v;
    return {
      rule: String.raw`\text{phase 1: } \eta_t = \eta_0(1 - t/T);\quad \text{phase 2: } \eta_t \propto w_t \textstyle\sum_{s > t} w_s,\ w_t = \hat g_t^{-2}`,
      now: String.raw`\eta_{${t}} = ${eta}`,
      because: since,
    };
  },
  label: "Refined from gradient norms",
  family: "gradient",
  description: "Two phases: log ‖g‖ under linear decay, then retrain with the schedule those norms call for.",
  reference: "Defazio et al. 2023, facebookresearch/adaptive_scheduling",
  params: METAS,
  needs: ["gradSq", "gradL1"],
  timing: "after",
  timeBased: false,
  parse: (raw) => parseParams("Refined", METAS, raw),
  init: (_p, base) => ({ t: 0, lr: base, base, phase: 1, norms: [], count: 0, schedule: [] }),
  lr: (s) => s.lr,
  step: (p, s, obs) => {
    const T = num(p, "phase_steps");
    const t = s.t + 1;
    const events: SchedulerEvent[] = [];
    if (s.phase === 1) {
      // Append-only log shared between successive states; copied only if an older state is stepped again.
      const norms = s.norms.length === s.count ? s.norms : s.norms.slice(0, s.count);
      // The norm of step t: ‖g‖₂, or ‖g‖₁ for Adam-type methods (the paper's ĝ in the ℓ1 geometry).
      norms.push(bool(p, "adam") ? Math.max(0, obs.gradL1 ?? 0) : Math.sqrt(Math.max(0, obs.gradSq ?? 0)));
      const count = s.count + 1;
      if (t < T) {
        const lr = s.base * (1 - t / T);
        return { lr, state: { ...s, t, lr, norms, count }, events };
      }
      const schedule = refinedSchedule(norms, num(p, "tau"), bool(p, "adam"));
      const lr = s.base * schedule[0];
      events.push({
        step: t,
        kind: "phase",
        message: "Refined: phase 2 — restart from the initial weights with the schedule refined from ‖g‖",
      });
      return { lr, state: { ...s, t, lr, phase: 2, norms, count, schedule }, events };
    }
    const i = Math.min(t - T, s.schedule.length - 1);
    const lr = s.base * s.schedule[i];
    return { lr, state: { ...s, t, lr }, events };
  },
  inspect: (p, s) => [
    { label: "phase", value: s.phase },
    {
      label: "step in phase",
      value: s.phase === 1 ? s.t : s.t - num(p, "phase_steps"),
      limit: num(p, "phase_steps"),
    },
  ],
};
