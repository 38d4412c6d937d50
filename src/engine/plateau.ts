/**
 * Loss-driven schedulers: GreedyLR (the authors' reference code, the paper's Algorithm 2) and PyTorch's
 * ReduceLROnPlateau. ReduceLROnPlateau is GreedyLR without the increase branch, smoothing, warmup or reset,
 * so both share one comparison rule and one counter machine here.
 *
 * Non-finite metrics (NaN, ±∞) — LR Lab's rule, documented in the UI: such a step counts as *bad* and never
 * becomes `best`, and it is not added to the smoothing window. (PyTorch already treats NaN and +∞ as bad in min
 * mode; it would take −∞ as a best no later value can beat, which freezes the increase branch forever.) So a
 * diverging loss can only push the LR down, and the LR always stays finite and inside [min_lr, max_lr].
 */
import { bool, num, parseParams, str } from "./params";
import { tn } from "./tex";
import { ParamError, type ParamMeta, type Params, type SchedulerEvent, type SchedulerSpec } from "./types";

const fmtLr = (x: number) => (x === 0 ? "0" : Math.abs(x) >= 0.01 ? x.toFixed(4) : x.toExponential(2));

/** `a` improves on `best` by more than the threshold (PyTorch's is_better, shared by both schedulers). */
export function isBetter(
  a: number,
  best: number | null,
  mode: string,
  thresholdMode: string,
  threshold: number,
): boolean {
  if (!Number.isFinite(a)) return false;
  // No best yet: the reference's ±∞, with its arithmetic (a rel threshold ≥ 1 then never improves).
  if (best === null) best = mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  if (mode === "min") return thresholdMode === "rel" ? a < best * (1 - threshold) : a < best - threshold;
  return thresholdMode === "rel" ? a > best * (threshold + 1) : a > best + threshold;
}

const commonMetas = (d: {
  factor: number;
  factorHelp: string;
  patience: number;
  threshold: number;
  thresholdMode: "rel" | "abs";
  minLr: number;
}): ParamMeta[] => [
  {
    key: "mode",
    label: "mode",
    type: "enum",
    default: "min",
    options: ["min", "max"],
    help: "min: lower metric is better (a loss); max: higher is better (an accuracy).",
  },
  {
    key: "factor",
    label: "factor F",
    type: "number",
    default: d.factor,
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
    step: 0.01,
    uiMin: 0.05,
    uiMax: 0.99,
    help: d.factorHelp,
    live: "The next decision uses the new F; counters and best value are kept.",
  },
  {
    key: "patience",
    label: "patience",
    type: "int",
    default: d.patience,
    min: 0,
    uiMax: 100,
    step: 1,
    help: "Consecutive good (or bad) steps tolerated; the LR changes on the (patience+1)-th.",
    live: "Counters are kept: if a counter already exceeds the new patience, the LR changes on the next step.",
  },
  {
    key: "threshold",
    label: "threshold",
    type: "number",
    default: d.threshold,
    min: 0,
    scale: "log",
    uiMin: 1e-8,
    uiMax: 0.1,
    help: "How much a value must beat the best to count as an improvement.",
    live: "The next comparison uses it; best is kept.",
  },
  {
    key: "threshold_mode",
    label: "threshold mode",
    type: "enum",
    default: d.thresholdMode,
    options: ["rel", "abs"],
    help: "rel: beat best·(1∓threshold); abs: beat best∓threshold.",
  },
  {
    key: "cooldown",
    label: "cooldown",
    type: "int",
    default: 0,
    min: 0,
    uiMax: 100,
    step: 1,
    help: "Steps after a decrease during which bad steps are not counted.",
    live: "Applies from the next decrease; a running cooldown finishes with its old length.",
  },
  {
    key: "min_lr",
    label: "min LR",
    type: "number",
    default: d.minLr,
    min: 0,
    scale: "log",
    uiMin: 1e-7,
    uiMax: 1,
    help: "The LR never goes below this.",
    live: "Bounds the next change (the current LR is not moved).",
  },
  {
    key: "eps",
    label: "eps",
    type: "number",
    default: 1e-8,
    min: 0,
    scale: "log",
    uiMin: 1e-12,
    uiMax: 1e-3,
    help: "A change of the LR smaller than this is skipped.",
  },
];

// ---------------------------------------------------------------------------------------------------------

export interface PlateauState {
  lr: number;
  best: number | null;
  bad: number;
  cooldownCounter: number;
  last: number;
}

const PLATEAU_METAS = commonMetas({
  factor: 0.1,
  factorHelp: "On a plateau the LR is multiplied by F.",
  patience: 10,
  threshold: 1e-4,
  thresholdMode: "rel",
  minLr: 0,
});

export const ReduceLROnPlateau: SchedulerSpec<PlateauState> = {
  id: "ReduceLROnPlateau",
  python: { kind: "torch" },
  example: () => ({ params: { factor: 0.5, patience: 20 } }),
  formula: (v) => {
    const { p, eta, since } = v;
    return {
      rule: String.raw`\eta \leftarrow \max(\eta \cdot \gamma,\ \eta_{\min}) \quad \text{if } n_{\text{bad}} > \text{patience}`,
      now: String.raw`\eta = ${eta},\ \gamma = ${tn(p.factor)},\ n_{\text{bad}} = ${tn(v.internal("bad steps"))},\ \text{patience} = ${p.patience}`,
      because: since,
    };
  },
  torchName: "ReduceLROnPlateau",
  label: "Reduce on plateau",
  family: "loss-driven",
  description: "Multiply the LR by F when the loss has not improved for more than `patience` steps.",
  reference: "torch.optim.lr_scheduler.ReduceLROnPlateau (PyTorch 1.13)",
  params: PLATEAU_METAS,
  needs: ["loss"],
  timing: "after",
  timeBased: false,
  parse: (raw) => {
    // PyTorch accepts factor only < 1 ("Factor should be < 1.0."); a factor ≤ 0 would zero the LR: rejected too.
    return parseParams("ReduceLROnPlateau", PLATEAU_METAS, raw);
  },
  init: (_p, baseLr) => ({ lr: baseLr, best: null, bad: 0, cooldownCounter: 0, last: 0 }),
  lr: (s) => s.lr,
  step: (p, s, obs) => {
    const cur = obs.loss ?? Number.NaN;
    let { best, bad, cooldownCounter, lr } = s;
    const events: SchedulerEvent[] = [];
    if (isBetter(cur, best, str(p, "mode"), str(p, "threshold_mode"), num(p, "threshold"))) {
      best = cur;
      bad = 0;
    } else bad += 1;
    if (cooldownCounter > 0) {
      cooldownCounter -= 1;
      bad = 0;
      if (cooldownCounter === 0)
        events.push({ step: obs.step + 1, kind: "cooldown-end", message: "plateau: cooldown ends" });
    }
    if (bad > num(p, "patience")) {
      const nl = Math.max(lr * num(p, "factor"), num(p, "min_lr"));
      if (lr - nl > num(p, "eps")) {
        events.push({
          step: obs.step + 1,
          kind: "plateau",
          message: `plateau: ${bad} steps without improvement > patience ${p.patience} → LR × ${p.factor} (${fmtLr(lr)} → ${fmtLr(nl)})`,
          from: lr,
          to: nl,
        });
        lr = nl;
      }
      cooldownCounter = num(p, "cooldown");
      bad = 0;
    }
    return { lr, state: { lr, best, bad, cooldownCounter, last: s.last + 1 }, events };
  },
  inspect: (p, s) => [
    { label: "best so far", value: s.best ?? "—" },
    { label: "bad steps", value: s.bad, limit: num(p, "patience") },
    { label: "cooldown left", value: s.cooldownCounter, limit: num(p, "cooldown") },
    { label: "LR", value: s.lr },
  ],
};

// ---------------------------------------------------------------------------------------------------------

export interface GreedyState {
  lr: number;
  /** Best (possibly smoothed) metric since the last reset; null = none yet (the reference's ±∞). */
  best: number | null;
  good: number;
  bad: number;
  cooldownCounter: number;
  warmupCounter: number;
  resetCountdown: number;
  /** Last `window_size` raw (finite) metrics, oldest first — only kept while `smooth` is on. */
  window: number[];
  /** Running sum of `window`, updated exactly as the reference does (add, then subtract the dropped value). */
  wsum: number;
  last: number;
}

/**
 * GreedyLR as a self-contained PyTorch scheduler with LR Lab's exact semantics (the same rule as greedyStep
 * below, line for line), written here: the authors' code is the reference, not something copied. The export
 * check (scripts/check_export.py) runs it in real PyTorch on every GreedyLR golden case at 1e-9.
 */
const GREEDY_PY = `class GreedyLR(_LRSchedulerBase):
    """GreedyLR (Subramanian et al.), with LR Lab's semantics. Runs on PyTorch 1.13 and 2.x.

    After more than patience consecutive improving steps the LR is multiplied by 1/factor (up to max_lr),
    after more than patience consecutive non-improving steps by factor (down to min_lr).
    - "Improving" means a new best beyond threshold ('rel': best*(1-threshold) in 'min' mode, 'abs':
      best-threshold); every other step counts as bad. NaN and inf losses are bad steps, never become the best
      and never enter the smoothing window.
    - After a decrease, cooldown steps zero the bad counter; after an increase, warmup steps zero the good one.
    - With smooth, the compared value is the running mean of the last window_size finite losses.
    - Every reset_start steps the best value and the counters are forgotten (the LR and window are kept);
      0 means never.
    - A change smaller than eps is skipped. Every param group gets the same decision.
    Call scheduler.step(loss) once after each optimizer.step().
    """

    def __init__(self, optimizer, mode="min", factor=0.95, patience=10, threshold=1e-6, threshold_mode="abs",
                 cooldown=0, warmup=0, min_lr=1e-3, max_lr=1.0, eps=1e-8, smooth=False, window_size=50,
                 reset_start=500, last_epoch=-1):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if not 0 < factor < 1:
            raise ValueError(f"factor must be in (0, 1), got {factor}")
        if min_lr > max_lr:
            raise ValueError(f"min_lr ({min_lr}) must not exceed max_lr ({max_lr})")
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.warmup, self.min_lr, self.max_lr, self.eps = cooldown, warmup, min_lr, max_lr, eps
        self.smooth, self.window_size, self.reset_start = smooth, window_size, reset_start
        self.best = None
        self.num_good = self.num_bad = self.cooldown_counter = self.warmup_counter = 0
        self.reset_countdown = reset_start
        self.window, self.window_sum = [], 0.0
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def _is_better(self, a):
        if not math.isfinite(a):
            return False
        best = self.best
        if best is None:
            best = math.inf if self.mode == "min" else -math.inf
        if self.mode == "min":
            return a < best * (1 - self.threshold) if self.threshold_mode == "rel" else a < best - self.threshold
        return a > best * (self.threshold + 1) if self.threshold_mode == "rel" else a > best + self.threshold

    def step(self, metrics=None):
        if metrics is None:  # the call the base class makes while it is built
            self._last_lr = self.get_lr()
            return
        self.last_epoch += 1
        metric = float(metrics)
        current = metric
        if self.smooth:
            if math.isfinite(metric):
                self.window.append(metric)
                self.window_sum += metric
                while len(self.window) > self.window_size:
                    self.window_sum -= self.window.pop(0)
                current = self.window_sum / len(self.window)
        elif self.window:
            self.window, self.window_sum = [], 0.0
        if self._is_better(current):
            self.best = current
            self.num_bad = 0
            self.num_good += 1
        else:
            self.num_bad += 1
            self.num_good = 0
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad = 0
        if self.warmup_counter > 0:
            self.warmup_counter -= 1
            self.num_good = 0
        if self.num_bad > self.patience:
            for group in self.optimizer.param_groups:
                new_lr = max(group["lr"] * self.factor, self.min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad = 0
        if self.num_good > self.patience:
            for group in self.optimizer.param_groups:
                new_lr = min(group["lr"] / self.factor, self.max_lr)
                if new_lr - group["lr"] > self.eps:
                    group["lr"] = new_lr
            self.warmup_counter = self.warmup
            self.num_good = 0
        if self.reset_countdown == 0:
            self.best = None
            self.num_good = self.num_bad = self.cooldown_counter = self.warmup_counter = 0
            self.reset_countdown = self.reset_start
        self.reset_countdown -= 1
        self._last_lr = self.get_lr()`;

export const GREEDY_METAS: ParamMeta[] = [
  ...commonMetas({
    factor: 0.95,
    factorHelp:
      "After `patience` worsening steps the LR is multiplied by F; after `patience` improving steps, by 1/F. The paper found F ≥ 0.5 stable and F = 0.25 divergent.",
    patience: 10,
    threshold: 1e-6,
    thresholdMode: "abs",
    minLr: 1e-3,
  }),
  {
    key: "warmup",
    label: "warmup",
    type: "int",
    default: 0,
    min: 0,
    uiMax: 100,
    step: 1,
    help: "Steps after an increase during which good steps are not counted (the mirror of cooldown).",
    live: "Applies from the next increase; a running warmup finishes with its old length.",
  },
  {
    key: "max_lr",
    label: "max LR",
    type: "number",
    default: 1,
    min: 0,
    minExclusive: true,
    scale: "log",
    uiMin: 1e-5,
    uiMax: 10,
    help: "The LR never goes above this.",
    live: "Bounds the next change (the current LR is not moved).",
  },
  {
    key: "smooth",
    label: "smooth",
    type: "bool",
    default: false,
    help: "Compare the moving average of the last window_size losses instead of the raw loss.",
    live: "Turning it on starts an empty window; best is kept (in the old units until the next reset).",
  },
  {
    key: "window_size",
    label: "window",
    type: "int",
    default: 50,
    min: 1,
    uiMax: 500,
    step: 1,
    help: "Length of the moving-average window (with smooth on).",
    live: "The window keeps its values; shrinking drops the oldest at the next step.",
  },
  {
    key: "reset_start",
    label: "reset every",
    type: "int",
    default: 500,
    min: 0,
    uiMax: 5000,
    step: 1,
    help: "Every reset_start steps best and all counters are forgotten (the LR is kept). 0 = never.",
    live: "Takes effect at the next reset; the running countdown is kept.",
  },
];

export const GreedyLR: SchedulerSpec<GreedyState> = {
  id: "GreedyLR",
  python: { kind: "class", className: "GreedyLR", source: GREEDY_PY },
  example: (x) => ({ params: { factor: 0.9, patience: 10, min_lr: x.baseLr / 1000, max_lr: x.baseLr * 10 } }),
  formula: (v) => {
    const { p, eta, since } = v;
    const good = v.internal("improving steps");
    const bad = v.internal("worsening steps");
    const F = tn(p.factor);
    let because = since;
    if (v.last && (v.last.kind === "increase" || v.last.kind === "decrease") && v.last.from !== undefined) {
      const up = v.last.kind === "increase";
      const what = up ? "improving" : "worsening";
      // The count at the decision is in the event's words ("GreedyLR: 11 improving steps > patience 10 …").
      const n = new RegExp(`(\\d+) ${what} steps`).exec(v.last.message)?.[1] ?? `more than ${p.patience}`;
      because = `η ← ${tn(v.last.from)} · ${up ? `1/${F}` : F} = ${tn(v.last.to)} because ${n} ${what} steps > patience ${p.patience} (step ${v.last.step})`;
    }
    return {
      rule: String.raw`\eta \leftarrow \begin{cases} \min(\eta / F,\ \eta_{\max}) & \text{if } n_{\text{good}} > \text{patience} \\ \max(\eta \cdot F,\ \eta_{\min}) & \text{if } n_{\text{bad}} > \text{patience} \\ \eta & \text{otherwise}\end{cases}`,
      now: String.raw`\eta = ${eta},\ F = ${F},\ n_{\text{good}} = ${tn(good)},\ n_{\text{bad}} = ${tn(bad)},\ \text{patience} = ${p.patience},\ [\eta_{\min}, \eta_{\max}] = [${tn(p.min_lr)}, ${tn(p.max_lr)}]`,
      because,
    };
  },
  label: "GreedyLR",
  family: "loss-driven",
  description:
    "Raise the LR (× 1/F) after `patience` improving steps and cut it (× F) after `patience` worsening ones.",
  reference: "GreedyLR authors' reference code (paper Algorithm 2)",
  params: GREEDY_METAS,
  needs: ["loss"],
  timing: "after",
  timeBased: false,
  parse: (raw) => {
    const p = parseParams("GreedyLR", GREEDY_METAS, raw);
    if (num(p, "min_lr") > num(p, "max_lr"))
      throw new ParamError("GreedyLR", "min_lr", `must not exceed max_lr (${p.min_lr} > ${p.max_lr})`);
    return p;
  },
  init: (p, baseLr) => ({
    lr: baseLr,
    best: null,
    good: 0,
    bad: 0,
    cooldownCounter: 0,
    warmupCounter: 0,
    resetCountdown: num(p, "reset_start"),
    window: [],
    wsum: 0,
    last: 0,
  }),
  lr: (s) => s.lr,
  step: (p, s, obs) => greedyStep(p, s, obs.loss ?? Number.NaN, obs.step + 1),
  inspect: (p, s) => [
    { label: "best so far", value: s.best ?? "—" },
    { label: "improving steps", value: s.good, limit: num(p, "patience") },
    { label: "worsening steps", value: s.bad, limit: num(p, "patience") },
    { label: "cooldown left", value: s.cooldownCounter, limit: num(p, "cooldown") },
    { label: "warmup left", value: s.warmupCounter, limit: num(p, "warmup") },
    { label: "reset in", value: s.resetCountdown, limit: num(p, "reset_start") },
    { label: "LR", value: s.lr },
    { label: "LR bounds", value: `[${p.min_lr}, ${p.max_lr}]` },
  ],
};

/** One GreedyLR step: the metric observed at a step → the LR of the next step (`at`). */
export function greedyStep(
  p: Params,
  s: GreedyState,
  metric: number,
  at: number,
): { lr: number; state: GreedyState; events: SchedulerEvent[] } {
  const mode = str(p, "mode");
  const patience = num(p, "patience");
  const F = num(p, "factor");
  const eps = num(p, "eps");
  let { lr, best, good, bad, cooldownCounter, warmupCounter, resetCountdown, window, wsum } = s;
  const events: SchedulerEvent[] = [];

  let cur = metric;
  if (bool(p, "smooth")) {
    if (Number.isFinite(metric)) {
      // The reference keeps a running sum: add the new value, then subtract the ones that fall out, oldest
      // first (the same float operations in the same order). One copy per step, no shift: the state stays a
      // fresh array (states are values), at O(window) per step.
      const ws = num(p, "window_size");
      const drop = Math.max(0, window.length + 1 - ws);
      wsum += metric;
      for (let k = 0; k < drop; k++) wsum -= window[k];
      const next = window.slice(drop);
      next.push(metric);
      window = next;
      cur = wsum / window.length;
    }
  } else if (window.length) {
    window = [];
    wsum = 0;
  }

  if (isBetter(cur, best, mode, str(p, "threshold_mode"), num(p, "threshold"))) {
    best = cur;
    bad = 0;
    good += 1;
  } else {
    bad += 1;
    good = 0;
  }
  if (cooldownCounter > 0) {
    cooldownCounter -= 1;
    bad = 0;
    if (cooldownCounter === 0)
      events.push({ step: at, kind: "cooldown-end", message: "GreedyLR: cooldown ends" });
  }
  if (warmupCounter > 0) {
    warmupCounter -= 1;
    good = 0;
    if (warmupCounter === 0) events.push({ step: at, kind: "warmup-end", message: "GreedyLR: warmup ends" });
  }
  if (bad > patience) {
    const nl = Math.max(lr * F, num(p, "min_lr"));
    if (lr - nl > eps) {
      events.push({
        step: at,
        kind: "decrease",
        message: `GreedyLR: ${bad} worsening steps > patience ${patience} → LR × F = ${F} (${fmtLr(lr)} → ${fmtLr(nl)})`,
        from: lr,
        to: nl,
      });
      lr = nl;
    }
    cooldownCounter = num(p, "cooldown");
    bad = 0;
  }
  if (good > patience) {
    const nl = Math.min(lr / F, num(p, "max_lr"));
    if (nl - lr > eps) {
      events.push({
        step: at,
        kind: "increase",
        message: `GreedyLR: ${good} improving steps > patience ${patience} → LR × 1/F = ${(1 / F).toPrecision(4)} (${fmtLr(lr)} → ${fmtLr(nl)})`,
        from: lr,
        to: nl,
      });
      lr = nl;
    }
    warmupCounter = num(p, "warmup");
    good = 0;
  }
  // The reference tests `== 0`: with reset_start = 0 the first step "resets" a fresh state, then the
  // countdown runs below zero and never fires again — so 0 means "never reset".
  if (resetCountdown === 0) {
    best = null;
    good = 0;
    bad = 0;
    cooldownCounter = 0;
    warmupCounter = 0;
    resetCountdown = num(p, "reset_start");
    events.push({
      step: at,
      kind: "reset",
      message: `GreedyLR: periodic reset — best and counters forgotten`,
    });
  }
  resetCountdown -= 1;
  return {
    lr,
    state: {
      lr,
      best,
      good,
      bad,
      cooldownCounter,
      warmupCounter,
      resetCountdown,
      window,
      wsum,
      last: s.last + 1,
    },
    events,
  };
}
