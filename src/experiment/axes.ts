/**
 * Axes for every chart the lab draws, live (src/ui/Charts.tsx, over recharts) or as a standalone SVG figure
 * (src/experiment/figures.ts, for the sweeps and the CLI): padded log-aware domains, nice ticks from d3-scale
 * with labels that never repeat, and direct line-end labels that never overlap.
 */
import { scaleLinear, scaleLog } from "d3-scale";

/** A point: [x, y]. */
export type Pt = [number, number];

/** Y domain of the visible data, padded; log-aware. Data that is never negative gets no negative axis. */
export function yDomain(series: Pt[][], log: boolean): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of series)
    for (const [, v] of s) {
      if (!Number.isFinite(v) || (log && v <= 0)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  if (!Number.isFinite(lo)) return log ? [1e-3, 1] : [0, 1];
  if (log) {
    if (hi / lo < 1.01) return [lo / 1.5, hi * 1.5];
    // Padded, then widened to the next tenth of a decade: a live chart's axis moves a few times per run
    // instead of with every batch that brings a new lowest loss.
    const pad = (hi / lo) ** 0.04;
    return [
      10 ** (Math.floor(Math.log10(lo / pad) * 10) / 10),
      10 ** (Math.ceil(Math.log10(hi * pad) * 10) / 10),
    ];
  }
  const floor = lo >= 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (hi - lo < 1e-12) {
    const d = Math.abs(lo) * 0.1 + 1e-6;
    return [Math.max(floor, lo - d), hi + d];
  }
  const pad = (hi - lo) * 0.05;
  return [Math.max(floor, lo - pad), hi + pad];
}

/**
 * Nice, evenly spaced ticks for a domain (d3-scale's, linear or log) and labels that never repeat: the
 * fewest significant digits that tell every tick apart. The domain is widened to the outer ticks on a linear
 * scale (never below 0 when the data is not negative).
 */
export function axisTicks(
  domain: [number, number],
  log: boolean,
  count = 5,
): { domain: [number, number]; ticks: number[]; label: (v: number) => string } {
  let ticks: number[];
  let dom = domain;
  if (log) {
    const s = scaleLog().domain(domain);
    ticks = s.ticks(count).filter((t) => t >= domain[0] && t <= domain[1]);
    if (ticks.length > 8) {
      const decades = ticks.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
      const every = Math.ceil(decades.length / 6);
      ticks = decades.filter((_, i) => i % every === 0);
    }
    if (ticks.length < 2) ticks = [domain[0], domain[1]];
  } else {
    const s = scaleLinear().domain(domain).nice(count);
    dom = s.domain() as [number, number];
    if (domain[0] >= 0 && dom[0] < 0) dom = [0, dom[1]];
    ticks = s.ticks(count).filter((t) => t >= dom[0] && t <= dom[1]);
  }
  const fmtP = (v: number, p: number) =>
    v === 0
      ? "0"
      : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5
        ? String(Number(v.toPrecision(p)))
        : v.toExponential(Math.max(0, p - 1)).replace(/\.?0+e/, "e");
  let p = 1;
  while (p < 10 && new Set(ticks.map((t) => fmtP(t, p))).size < ticks.length) p++;
  return { domain: dom, ticks, label: (v) => fmtP(v, p) };
}

/**
 * Direct labels at the end of each run's line, pushed apart vertically so they never overlap: nobody has to
 * match colours to a legend.
 */
export function placeLabels(
  ends: { run: number; x: number; y: number }[],
  gap: number,
  top: number,
  bottom: number,
): Map<number, number> {
  const sorted = [...ends].sort((a, b) => a.y - b.y);
  const ys = sorted.map((e) => Math.min(Math.max(e.y, top + gap / 2), bottom - gap / 2));
  for (let i = 1; i < ys.length; i++) ys[i] = Math.max(ys[i], ys[i - 1] + gap);
  const over = ys.length ? ys[ys.length - 1] - (bottom - gap / 2) : 0;
  if (over > 0) {
    ys[ys.length - 1] -= over;
    for (let i = ys.length - 2; i >= 0; i--) ys[i] = Math.min(ys[i], ys[i + 1] - gap);
  }
  return new Map(sorted.map((e, i) => [e.run, ys[i]]));
}
