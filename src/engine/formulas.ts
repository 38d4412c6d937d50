/**
 * Each scheduler's rule as TeX, with the current values substituted, and — for the loss-driven ones — the
 * reason for the last decision in words ("η ← 0.031 · 1/0.9 because 11 improving steps > patience 10").
 * Pure data in, strings out (the UI typesets them with KaTeX); schedulers without an entry get a generic line.
 */
import type { Internal, Params, SchedulerEvent } from "./types";

export interface FormulaInput {
  id: string;
  params: Params;
  /** LR in effect now, the base LR, the number of steps taken. */
  lr: number;
  baseLr: number;
  step: number;
  internals: readonly Internal[];
  /** The run's most recent decision, if any. */
  last?: SchedulerEvent;
}

export interface Formula {
  /** The rule, general form. */
  rule: string;
  /** The rule with this step's numbers. */
  now: string;
  /** Why the last change happened, in words. */
  because?: string;
}

/** A number for TeX: 3-4 significant digits, scientific when tiny or huge. */
export function tn(x: unknown): string {
  if (typeof x !== "number" || !Number.isFinite(x)) return x === null || x === undefined ? "—" : String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(4)));
  const [m, e] = x.toExponential(2).split("e");
  return `${Number(m)}\\times10^{${Number(e)}}`;
}

const internal = (f: FormulaInput, label: string) => f.internals.find((i) => i.label === label)?.value;

export function formulaFor(f: FormulaInput): Formula {
  const p = f.params;
  const t = f.step;
  const eta = tn(f.lr);
  const b = tn(f.baseLr);
  const since = f.last ? `${f.last.message} (step ${f.last.step})` : undefined;
  switch (f.id) {
    case "GreedyLR": {
      const good = internal(f, "improving steps");
      const bad = internal(f, "worsening steps");
      const F = tn(p.factor);
      let because = since;
      if (f.last && (f.last.kind === "increase" || f.last.kind === "decrease") && f.last.from !== undefined) {
        const up = f.last.kind === "increase";
        const what = up ? "improving" : "worsening";
        // The count at the decision is in the event's words ("GreedyLR: 11 improving steps > patience 10 …").
        const n = new RegExp(`(\\d+) ${what} steps`).exec(f.last.message)?.[1] ?? `more than ${p.patience}`;
        because = `η ← ${tn(f.last.from)} · ${up ? `1/${F}` : F} = ${tn(f.last.to)} because ${n} ${what} steps > patience ${p.patience} (step ${f.last.step})`;
      }
      return {
        rule: String.raw`\eta \leftarrow \begin{cases} \min(\eta / F,\ \eta_{\max}) & \text{if } n_{\text{good}} > \text{patience} \\ \max(\eta \cdot F,\ \eta_{\min}) & \text{if } n_{\text{bad}} > \text{patience} \\ \eta & \text{otherwise}\end{cases}`,
        now: String.raw`\eta = ${eta},\ F = ${F},\ n_{\text{good}} = ${tn(good)},\ n_{\text{bad}} = ${tn(bad)},\ \text{patience} = ${p.patience},\ [\eta_{\min}, \eta_{\max}] = [${tn(p.min_lr)}, ${tn(p.max_lr)}]`,
        because,
      };
    }
    case "ReduceLROnPlateau":
      return {
        rule: String.raw`\eta \leftarrow \max(\eta \cdot \gamma,\ \eta_{\min}) \quad \text{if } n_{\text{bad}} > \text{patience}`,
        now: String.raw`\eta = ${eta},\ \gamma = ${tn(p.factor)},\ n_{\text{bad}} = ${tn(internal(f, "bad steps"))},\ \text{patience} = ${p.patience}`,
        because: since,
      };
    case "Constant":
      return { rule: String.raw`\eta_t = \eta_0`, now: String.raw`\eta_{${t}} = ${b}` };
    case "ConstantLR":
      return {
        rule: String.raw`\eta_t = \eta_0 \cdot \begin{cases} f & t < T \\ 1 & t \ge T \end{cases}`,
        now: String.raw`\eta_{${t}} = ${b} \cdot ${t < (p.total_iters as number) ? tn(p.factor) : 1} = ${eta}`,
      };
    case "StepLR":
      return {
        rule: String.raw`\eta_t = \eta_0 \cdot \gamma^{\lfloor t / s \rfloor}`,
        now: String.raw`\eta_{${t}} = ${b} \cdot ${tn(p.gamma)}^{\lfloor ${t} / ${p.step_size} \rfloor} = ${eta}`,
      };
    case "MultiStepLR":
      return {
        rule: String.raw`\eta_t = \eta_0 \cdot \gamma^{\#\{m \in M : m \le t\}}`,
        now: String.raw`\eta_{${t}} = ${b} \cdot ${tn(p.gamma)}^{${(p.milestones as number[]).filter((m) => m <= t).length}} = ${eta}`,
      };
    case "ExponentialLR":
      return {
        rule: String.raw`\eta_t = \eta_0 \cdot \gamma^{t}`,
        now: String.raw`\eta_{${t}} = ${b} \cdot ${tn(p.gamma)}^{${t}} = ${eta}`,
      };
    case "CosineAnnealingLR":
      return {
        rule: String.raw`\eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})\left(1 + \cos\frac{\pi t}{T_{\max}}\right)`,
        now: String.raw`\eta_{${t}} = ${tn(p.eta_min)} + \tfrac12(${b} - ${tn(p.eta_min)})\left(1 + \cos\frac{\pi \cdot ${t}}{${p.T_max}}\right) = ${eta}`,
      };
    case "CosineAnnealingWarmRestarts":
      return {
        rule: String.raw`\eta_t = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})\left(1 + \cos\frac{\pi T_{\text{cur}}}{T_i}\right),\ T_{i+1} = T_{\text{mult}} T_i`,
        now: String.raw`\eta_{${t}} = ${eta},\ T_0 = ${p.T_0},\ T_{\text{mult}} = ${p.T_mult}`,
        because: since,
      };
    case "OneCycleLR":
      return {
        rule: String.raw`\eta: \tfrac{\eta_{\max}}{d} \nearrow \eta_{\max} \text{ (first } p_{\text{start}} \text{ of the run)} \searrow \tfrac{\eta_{\max}}{d\, d_{\text{final}}},\quad \beta \text{ moves the opposite way}`,
        now: String.raw`\eta_{${t}} = ${eta},\ \eta_{\max} = ${tn(p.max_lr)},\ d = ${tn(p.div_factor)},\ p_{\text{start}} = ${tn(p.pct_start)}`,
      };
    case "LinearLR":
    case "PolynomialLR":
    case "LinearWithWarmup":
    case "CosineWithWarmup":
    case "WSD":
      return {
        rule: String.raw`\eta_t = \eta_0 \cdot \lambda(t)\ \text{(warmup, then decay)}`,
        now: String.raw`\eta_{${t}} = ${b} \cdot ${tn(f.baseLr > 0 ? f.lr / f.baseLr : 0)} = ${eta}`,
      };
    case "InverseSqrt":
    case "Noam":
      return {
        rule: String.raw`\eta_t \propto \min\!\left(\tfrac{t}{W},\ \sqrt{\tfrac{W}{t}}\right)`,
        now: String.raw`\eta_{${t}} = ${eta}`,
      };
    case "RobbinsMonro":
      return {
        rule: String.raw`\eta_t = \frac{\eta_0}{(1 + t/\tau)^{p}},\qquad \textstyle\sum_t \eta_t = \infty \iff p \le 1,\quad \sum_t \eta_t^2 < \infty \iff p > \tfrac12`,
        now: String.raw`\eta_{${t}} = \frac{${b}}{(1 + ${t}/${tn(p.tau)})^{${tn(p.power)}}} = ${eta}`,
      };
    case "Polyak":
      return {
        rule: String.raw`\eta_t = \min\!\left(\frac{f(x_t) - f^*}{c\,\lVert g_t\rVert^2},\ \gamma_{\max}\right)`,
        now: String.raw`\eta_{${t}} = ${eta},\ c = ${tn(p.c)},\ f^* = ${tn(p.f_star)}`,
      };
    case "AdGD":
      return {
        rule: String.raw`\lambda_k = \min\!\left(\sqrt{1 + \theta_{k-1}}\,\lambda_{k-1},\ \frac{\lVert x_k - x_{k-1}\rVert}{2\lVert g_k - g_{k-1}\rVert}\right)`,
        now: String.raw`\lambda_{${t}} = ${eta}`,
      };
    case "ArmijoLineSearch":
      return {
        rule: String.raw`\eta = \eta_0 \beta^{k},\ k = \min\{k : f(x - \eta_0\beta^k g) \le f(x) - c\,\eta_0\beta^k \lVert g\rVert^2\}`,
        now: String.raw`\eta = ${tn(p.eta0)} \cdot ${tn(p.beta)}^{${tn(internal(f, "backtracks"))}} = ${eta},\ f: ${tn(internal(f, "f(x)"))} \to ${tn(internal(f, "f(x − ηg)"))}`,
        because: since,
      };
    case "ExactLineSearch":
      return {
        rule: String.raw`\eta = \arg\min_{\eta \in \text{grid}} f(x - \eta g)`,
        now: String.raw`\eta = ${eta},\ f: ${tn(internal(f, "f(x)"))} \to ${tn(internal(f, "f(x − ηg)"))}`,
        because: since,
      };
    case "Refined":
      return {
        rule: String.raw`\text{phase 1: } \eta_t = \eta_0(1 - t/T);\quad \text{phase 2: } \eta_t \propto w_t \textstyle\sum_{s > t} w_s,\ w_t = \hat g_t^{-2}`,
        now: String.raw`\eta_{${t}} = ${eta}`,
        because: since,
      };
    case "ScheduleFree":
      return {
        rule: String.raw`y = (1-\beta) z + \beta x,\quad z \leftarrow z - \eta\, \nabla f(y),\quad x \leftarrow (1 - c)\,x + c\, z`,
        now: String.raw`\eta = ${eta},\ \beta = ${tn(p.beta)}`,
      };
    default:
      return {
        rule: String.raw`\eta_t = \text{${f.id}}(t, \ldots)`,
        now: String.raw`\eta_{${t}} = ${eta}`,
        because: since,
      };
  }
}
