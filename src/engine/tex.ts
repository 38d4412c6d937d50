/**
 * What a scheduler's formula is written with: the live values a spec's `formula` receives and the TeX number
 * format. Each spec writes its own rule (general form), the same rule with this step's numbers and — for the
 * loss-driven ones — the reason for the last decision in words; the UI typesets them with KaTeX.
 */
import type { FormulaInput, TexContext } from "./types";

export type { Formula, FormulaInput, TexContext } from "./types";

/** A number for TeX: 3-4 significant digits, scientific when tiny or huge. */
export function tn(x: unknown): string {
  if (typeof x !== "number" || !Number.isFinite(x)) return x === null || x === undefined ? "—" : String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(4)));
  const [m, e] = x.toExponential(2).split("e");
  return `${Number(m)}\\times10^{${Number(e)}}`;
}

export function texContext(f: FormulaInput): TexContext {
  return {
    ...f,
    p: f.params,
    t: f.step,
    eta: tn(f.lr),
    b: tn(f.baseLr),
    since: f.last ? `${f.last.message} (step ${f.last.step})` : undefined,
    internal: (label) => f.internals.find((i) => i.label === label)?.value,
  };
}

/** η_t = η₀·λ(t) with this step's multiplier: the live line of schedules defined by a multiplier. */
export const lambdaNow = (v: TexContext): string =>
  String.raw`\eta_{${v.t}} = ${v.b} \cdot ${tn(v.baseLr > 0 ? v.lr / v.baseLr : 0)} = ${v.eta}`;
