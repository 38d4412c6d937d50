/**
 * The sweeps as figures: standalone SVG, drawn from sweep rows (plain data in, a string out), so the
 * paper-replication dialog and `npm run sweep --out` show the same pictures.
 *
 * - **final loss against the swept parameter** (the F sweep): one dot per seed, a bar and a line through the
 *   medians, and a band at the top for seeds that diverged;
 * - **final loss per noise type** (a strip plot per variant, one strip per scheduler, one shared log axis);
 * - **the median recovery curve**: the loss around each perturbation, relative to the loss just before it.
 *
 * Runs are told apart by colour (the run's own; the shipped sweeps use the Okabe–Ito palette) *and* by marker
 * shape and dash, so the figures survive colour-blindness and a grey-scale printer. Text and axes use
 * currentColor, so an inline figure follows the page's theme; a file gets a white background.
 */
import { axisTicks, yDomain } from "./axes";
import type { Sweep, SweepRow } from "./sweep";

export interface Figure {
  id: "final-vs-param" | "final-by-noise" | "recovery";
  title: string;
  /** How to read the figure, in one sentence: its caption. */
  caption: string;
  /** The caption and every median in words: the SVG's <desc>, for screen readers and text-only readers. */
  description: string;
  svg: string;
}

const W = 720;
const FONT = 12;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const r2 = (x: number) => Math.round(x * 100) / 100;
const f3 = (x: number | null) => (x === null ? "—" : Number(x.toPrecision(3)).toString());
const SOFT = 'stroke="currentColor" stroke-opacity="0.15"';

interface RunStyle {
  name: string;
  color: string;
  shape: number;
  dash: string;
}

const DASHES = ["", "7 4", "2 3", "10 3 2 3", "4 4", "1 5", "12 5", "6 2 2 2"];

/** A marker of one of eight shapes, outlined in currentColor so a pale colour still shows. */
function marker(shape: number, x: number, y: number, color: string, r = 4.5, cls = ""): string {
  const c = cls ? ` class="${cls}"` : "";
  const pts = (ps: [number, number][]) =>
    `<polygon${c} points="${ps.map(([a, b]) => `${r2(x + a * r)},${r2(y + b * r)}`).join(" ")}" fill="${color}" stroke="currentColor" stroke-width="0.8"/>`;
  switch (shape % 8) {
    case 0:
      return `<circle${c} cx="${r2(x)}" cy="${r2(y)}" r="${r}" fill="${color}" stroke="currentColor" stroke-width="0.8"/>`;
    case 1:
      return pts([
        [-0.85, -0.85],
        [0.85, -0.85],
        [0.85, 0.85],
        [-0.85, 0.85],
      ]);
    case 2:
      return pts([
        [0, -1.1],
        [1, 0.8],
        [-1, 0.8],
      ]);
    case 3:
      return pts([
        [0, -1.15],
        [1.15, 0],
        [0, 1.15],
        [-1.15, 0],
      ]);
    case 4:
      return pts([
        [0, 1.1],
        [1, -0.8],
        [-1, -0.8],
      ]);
    case 5:
      return pts(
        Array.from({ length: 5 }, (_, i) => {
          const a = -Math.PI / 2 + (i * 2 * Math.PI) / 5;
          return [Math.cos(a) * 1.05, Math.sin(a) * 1.05] as [number, number];
        }),
      );
    case 6:
      return pts(
        Array.from({ length: 6 }, (_, i) => {
          const a = (i * Math.PI) / 3;
          return [Math.cos(a), Math.sin(a)] as [number, number];
        }),
      );
    default:
      return pts(
        Array.from({ length: 10 }, (_, i) => {
          const a = -Math.PI / 2 + (i * Math.PI) / 5;
          const k = i % 2 ? 0.5 : 1.2;
          return [Math.cos(a) * k, Math.sin(a) * k] as [number, number];
        }),
      );
  }
}

/** A diverged seed: a cross in the run's colour, outlined. */
const cross = (x: number, y: number, color: string) =>
  `<path class="diverged" d="M${r2(x - 4)},${r2(y - 4)}L${r2(x + 4)},${r2(y + 4)}M${r2(x + 4)},${r2(y - 4)}L${r2(x - 4)},${r2(y + 4)}" stroke="currentColor" stroke-width="3.5"/><path d="M${r2(x - 4)},${r2(y - 4)}L${r2(x + 4)},${r2(y + 4)}M${r2(x + 4)},${r2(y - 4)}L${r2(x - 4)},${r2(y + 4)}" stroke="${color}" stroke-width="2"/>`;

interface Axis {
  domain: [number, number];
  log: boolean;
  ticks: number[];
  label: (v: number) => string;
}

function axis(values: number[], log: boolean, count = 5): Axis {
  const d = yDomain([values.map((v) => [0, v] as [number, number])], log);
  const a = { log, ...axisTicks(d, log, count) };
  if (log) {
    // Over a decade or two, 1-2-5 steps read better than bare decades.
    const nice: number[] = [];
    for (let e = Math.floor(Math.log10(d[0])); e <= Math.ceil(Math.log10(d[1])); e++)
      for (const m of [1, 2, 5]) {
        const t = Number((m * 10 ** e).toPrecision(1));
        if (t >= d[0] && t <= d[1]) nice.push(t);
      }
    if (nice.length >= Math.min(3, a.ticks.length) && nice.length <= 7) a.ticks = nice;
  }
  return a;
}

function scale(a: Axis, from: number, to: number): (v: number) => number {
  const t = (v: number) => (a.log ? Math.log10(v) : v);
  const [d0, d1] = [t(a.domain[0]), t(a.domain[1])];
  return (v) => from + ((t(v) - d0) / (d1 - d0 || 1)) * (to - from);
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Panels in a grid of at most `cols` columns, each with room for its title and axes. */
function grid(n: number, cols: number, top: number, h: number, left = 58): Box[] {
  const c = Math.min(cols, n);
  const pw = (W - left - 12) / c;
  return Array.from({ length: n }, (_, i) => ({
    x: left + (i % c) * pw + (i % c ? 14 : 0),
    y: top + Math.floor(i / c) * (h + 58) + 20,
    w: pw - (i % c ? 14 : 0) - 6,
    h,
  }));
}

/** Panel title, y grid lines with tick labels (leftmost column only), and the frame. */
function frame(out: string[], b: Box, title: string, y: Axis, sy: (v: number) => number, yLabels: boolean) {
  out.push(
    `<text x="${r2(b.x + b.w / 2)}" y="${r2(b.y - 7)}" text-anchor="middle" font-weight="600">${esc(title)}</text>`,
  );
  for (const t of y.ticks) {
    const py = sy(t);
    out.push(`<line x1="${r2(b.x)}" x2="${r2(b.x + b.w)}" y1="${r2(py)}" y2="${r2(py)}" ${SOFT}/>`);
    if (yLabels)
      out.push(`<text x="${r2(b.x - 5)}" y="${r2(py + 4)}" text-anchor="end">${esc(y.label(t))}</text>`);
  }
  out.push(
    `<rect x="${r2(b.x)}" y="${r2(b.y)}" width="${r2(b.w)}" height="${r2(b.h)}" fill="none" stroke="currentColor" stroke-opacity="0.5"/>`,
  );
}

/** The y-axis title, rotated, left of the first panel row. */
const yTitle = (out: string[], text: string, top: number, h: number) =>
  out.push(
    `<text transform="translate(14 ${r2(top + h / 2)}) rotate(-90)" text-anchor="middle">${esc(text)}</text>`,
  );

/** A legend row: marker (and line sample) with each run's name, wrapping. Returns the height used. */
function legend(out: string[], runs: RunStyle[], y: number, lines: boolean): number {
  let x = 58;
  let row = 0;
  for (const r of runs) {
    const w = (lines ? 44 : 18) + r.name.length * 7 + 18;
    if (x + w > W - 8) {
      x = 58;
      row++;
    }
    const cy = y + row * 20;
    if (lines)
      out.push(
        `<line x1="${x}" x2="${x + 34}" y1="${cy}" y2="${cy}" stroke="${r.color}" stroke-width="2.5"${r.dash ? ` stroke-dasharray="${r.dash}"` : ""}/>`,
      );
    out.push(marker(r.shape, x + (lines ? 17 : 5), cy, r.color));
    out.push(`<text x="${x + (lines ? 42 : 14)}" y="${cy + 4}">${esc(r.name)}</text>`);
    x += w;
  }
  return (row + 1) * 20;
}

/** A figure: its texts, and the SVG document of height h around `body`, titled and described by them. */
function figure(
  id: Figure["id"],
  h: number,
  texts: { title: string; caption: string; description: string },
  body: string[],
  background?: string,
): Figure {
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${r2(h)}" width="${W}" height="${r2(h)}" role="img" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="${FONT}" fill="currentColor">`,
    `<title>${esc(texts.title)}</title><desc>${esc(texts.description)}</desc>`,
    background ? `<rect width="100%" height="100%" fill="${background}"/>` : "",
    ...body,
    "</svg>",
  ].join("");
  return { id, ...texts, svg };
}

const variantsOf = (rows: SweepRow[]) => [...new Set(rows.map((r) => r.variant))];
const stylesOf = (sweep: Sweep): RunStyle[] =>
  sweep.runs.map((r, i) => ({ name: r.name, color: r.color, shape: i, dash: DASHES[i % DASHES.length] }));
const finite = (rows: SweepRow[]) =>
  rows.flatMap((r) => r.perSeed.map((s) => s.finalLoss)).filter((x): x is number => x !== null && x > 0);
/** Seeds side by side around a position: a small, fixed jitter so equal values do not hide each other. */
const jitter = (i: number, n: number, span = 3) => (i - (n - 1) / 2) * span;

/**
 * The parameter a sweep varies: every run uses the same scheduler and differs in exactly one numeric
 * parameter (the F sweep: GreedyLR's factor). Null for any other sweep.
 */
export function sweptParam(sweep: Sweep): { key: string; label: string; values: number[] } | null {
  const names = new Set(sweep.runs.map((r) => r.scheduler.scheduler));
  if (names.size !== 1 || sweep.runs.length < 2) return null;
  const keys = new Set(sweep.runs.flatMap((r) => Object.keys(r.scheduler.params ?? {})));
  const differ = [...keys].filter(
    (k) => new Set(sweep.runs.map((r) => JSON.stringify(r.scheduler.params?.[k]))).size > 1,
  );
  if (differ.length !== 1) return null;
  const key = differ[0];
  const values = sweep.runs.map((r) => r.scheduler.params?.[key]);
  if (!values.every((v): v is number => typeof v === "number" && Number.isFinite(v))) return null;
  const label = key === "factor" && [...names][0] === "GreedyLR" ? "F (factor)" : key;
  return { key, label, values };
}

function seedsLine(r: SweepRow): string {
  const div = r.perSeed.filter((s) => s.finalLoss === null).length;
  return `${r.run}: median ${f3(r.finalLoss)}${div ? `, ${div} of ${r.perSeed.length} seeds diverged` : ""}`;
}

/** Final loss against the swept parameter, one panel per variant. */
function finalVsParam(
  sweep: Sweep,
  rows: SweepRow[],
  p: NonNullable<ReturnType<typeof sweptParam>>,
  background?: string,
): Figure {
  const runs = stylesOf(sweep);
  const variants = variantsOf(rows);
  const vals = finite(rows);
  const y = axis(vals.length ? vals : [1], true);
  const anyDiv = rows.some((r) => r.perSeed.some((s) => s.finalLoss === null));
  const band = anyDiv ? 22 : 0;
  const h = 230;
  const boxes = grid(variants.length, 2, 10, h + band);
  const out: string[] = [];
  const lo = Math.min(...p.values);
  const hi = Math.max(...p.values);
  const pad = (hi - lo || 1) * 0.08;
  variants.forEach((v, vi) => {
    const b = boxes[vi];
    const plot = { ...b, y: b.y + band, h: b.h - band };
    const sy = scale(y, plot.y + plot.h, plot.y);
    const sx = (x: number) => b.x + ((x - (lo - pad)) / (hi - lo + 2 * pad)) * b.w;
    frame(out, b, variants.length > 1 ? v : `final loss against ${p.label}`, y, sy, vi % 2 === 0);
    if (band) {
      out.push(
        `<line x1="${r2(b.x)}" x2="${r2(b.x + b.w)}" y1="${r2(plot.y)}" y2="${r2(plot.y)}" stroke="currentColor" stroke-opacity="0.5" stroke-dasharray="3 3"/>`,
      );
      out.push(
        `<text x="${r2(b.x + 4)}" y="${r2(b.y + 15)}" font-size="${FONT - 1}" fill-opacity="0.8">diverged</text>`,
      );
    }
    p.values.forEach((pv) => {
      out.push(
        `<text x="${r2(sx(pv))}" y="${r2(b.y + b.h + 16)}" text-anchor="middle">${esc(String(pv))}</text>`,
      );
    });
    const inV = sweep.runs.map((r) => rows.find((x) => x.variant === v && x.run === r.name));
    const meds = inV
      .map((r, k) => ({ x: p.values[k], m: r?.finalLoss ?? null }))
      .filter((d): d is { x: number; m: number } => d.m !== null && d.m > 0)
      .sort((a, b2) => a.x - b2.x);
    if (meds.length > 1)
      out.push(
        `<polyline points="${meds.map((d) => `${r2(sx(d.x))},${r2(sy(d.m))}`).join(" ")}" fill="none" stroke="currentColor" stroke-width="1.5" stroke-opacity="0.7"/>`,
      );
    inV.forEach((r, k) => {
      if (!r) return;
      const cx = sx(p.values[k]);
      const st = runs[k];
      if (r.finalLoss !== null && r.finalLoss > 0)
        out.push(
          `<line x1="${r2(cx - 11)}" x2="${r2(cx + 11)}" y1="${r2(sy(r.finalLoss))}" y2="${r2(sy(r.finalLoss))}" stroke="currentColor" stroke-width="3"/>`,
        );
      r.perSeed.forEach((s, i) => {
        const jx = cx + jitter(i, r.perSeed.length);
        if (s.finalLoss === null) out.push(cross(jx, b.y + 11, st.color));
        else if (s.finalLoss > 0) out.push(marker(st.shape, jx, sy(s.finalLoss), st.color, 3.8, "seed"));
      });
    });
  });
  const bottom = boxes[boxes.length - 1].y + boxes[boxes.length - 1].h;
  out.push(
    `<text x="${r2(58 + (W - 70) / 2)}" y="${r2(bottom + 34)}" text-anchor="middle">${esc(p.label)}</text>`,
  );
  yTitle(out, "final loss (log scale)", boxes[0].y, boxes[0].h);
  const seeds = rows[0]?.perSeed.length ?? 0;
  const caption = `Final loss (mean of the last 10 steps, log scale) against ${p.label}: one marker per seed (${seeds} seed${seeds === 1 ? "" : "s"}), a bar and a line through the medians${anyDiv ? ", crosses at the top for seeds that diverged" : ""}.`;
  const description = `${caption} ${variants
    .map(
      (v) =>
        `${variants.length > 1 ? `${v}: ` : ""}${rows
          .filter((r) => r.variant === v)
          .map(seedsLine)
          .join("; ")}`,
    )
    .join(". ")}.`;
  const title = `${sweep.name}: final loss against ${p.label}`;
  return figure("final-vs-param", bottom + 46, { title, caption, description }, out, background);
}

/** A strip plot per variant: one strip per run, one dot per seed, a bar at the median; shared log axis. */
function finalByNoise(sweep: Sweep, rows: SweepRow[], background?: string): Figure {
  const runs = stylesOf(sweep);
  const variants = variantsOf(rows);
  const out: string[] = [];
  const lh = legend(out, runs, 14, false);
  const vals = finite(rows);
  const y = axis(vals.length ? vals : [1], true);
  const anyDiv = rows.some((r) => r.perSeed.some((s) => s.finalLoss === null));
  const band = anyDiv ? 22 : 0;
  const cols = variants.length <= 3 ? variants.length : variants.length === 4 ? 2 : 3;
  const boxes = grid(variants.length, cols, lh + 14, 200 + band);
  variants.forEach((v, vi) => {
    const b = boxes[vi];
    const plot = { ...b, y: b.y + band, h: b.h - band };
    const sy = scale(y, plot.y + plot.h, plot.y);
    frame(out, b, v, y, sy, vi % cols === 0);
    if (band)
      out.push(
        `<line x1="${r2(b.x)}" x2="${r2(b.x + b.w)}" y1="${r2(plot.y)}" y2="${r2(plot.y)}" stroke="currentColor" stroke-opacity="0.5" stroke-dasharray="3 3"/>`,
      );
    const step = b.w / runs.length;
    runs.forEach((st, k) => {
      const r = rows.find((x) => x.variant === v && x.run === st.name);
      const cx = b.x + step * (k + 0.5);
      if (!r) return;
      if (r.finalLoss !== null && r.finalLoss > 0)
        out.push(
          `<line x1="${r2(cx - Math.min(12, step * 0.4))}" x2="${r2(cx + Math.min(12, step * 0.4))}" y1="${r2(sy(r.finalLoss))}" y2="${r2(sy(r.finalLoss))}" stroke="currentColor" stroke-width="3"/>`,
        );
      r.perSeed.forEach((s, i) => {
        const jx = cx + jitter(i, r.perSeed.length, Math.min(3, step / 8));
        if (s.finalLoss === null) out.push(cross(jx, b.y + 11, st.color));
        else if (s.finalLoss > 0) out.push(marker(st.shape, jx, sy(s.finalLoss), st.color, 3.8, "seed"));
      });
    });
  });
  const last = boxes[boxes.length - 1];
  yTitle(out, "final loss (log scale)", boxes[0].y, boxes[0].h);
  const seeds = rows[0]?.perSeed.length ?? 0;
  const caption = `Final loss (log scale) per noise type: one strip per scheduler, one marker per seed (${seeds} seed${seeds === 1 ? "" : "s"}), a bar at the median${anyDiv ? ", crosses at the top for seeds that diverged" : ""}.`;
  const description = `${caption} ${variants
    .map(
      (v) =>
        `${v}: ${rows
          .filter((r) => r.variant === v)
          .map(seedsLine)
          .join("; ")}`,
    )
    .join(". ")}.`;
  const title = `${sweep.name}: final loss per noise type`;
  return figure("final-by-noise", last.y + last.h + 16, { title, caption, description }, out, background);
}

/** The median recovery curve per variant with perturbations: one line per run. */
function recovery(sweep: Sweep, rows: SweepRow[], background?: string): Figure | null {
  const runs = stylesOf(sweep);
  const variants = variantsOf(rows).filter((v) => rows.some((r) => r.variant === v && r.recovery));
  if (!variants.length) return null;
  const out: string[] = [];
  const lh = legend(out, runs, 14, true);
  const curves = rows.filter((r) => r.recovery);
  const vals = curves.flatMap((r) => r.recovery?.ratio ?? []).filter((x): x is number => x !== null && x > 0);
  const wide = Math.max(...vals, 1.1) / Math.min(...vals, 1) > 20;
  const y = axis([...vals, 1, 1.1], wide);
  const from = curves[0].recovery?.from ?? 0;
  const len = Math.max(...curves.map((r) => r.recovery?.ratio.length ?? 0));
  const x = axis([from, from + len - 1], false);
  x.domain = [from, from + len - 1];
  x.ticks = x.ticks.filter((t) => t >= from && t <= from + len - 1);
  const cols = variants.length <= 2 ? variants.length : 2;
  const boxes = grid(variants.length, cols, lh + 14, 190);
  variants.forEach((v, vi) => {
    const b = boxes[vi];
    const sy = scale(y, b.y + b.h, b.y);
    const sx = scale(x, b.x, b.x + b.w);
    frame(out, b, v, y, sy, vi % cols === 0);
    for (const t of x.ticks)
      out.push(
        `<text x="${r2(sx(t))}" y="${r2(b.y + b.h + 15)}" text-anchor="middle">${esc(x.label(t))}</text>`,
      );
    out.push(
      `<line x1="${r2(sx(0))}" x2="${r2(sx(0))}" y1="${r2(b.y)}" y2="${r2(b.y + b.h)}" stroke="currentColor" stroke-opacity="0.6" stroke-dasharray="2 3"/>`,
    );
    out.push(
      `<text x="${r2(sx(0) + 3)}" y="${r2(b.y + 12)}" font-size="${FONT - 1}" fill-opacity="0.8">onset</text>`,
    );
    const y11 = sy(1.1);
    out.push(
      `<line x1="${r2(b.x)}" x2="${r2(b.x + b.w)}" y1="${r2(y11)}" y2="${r2(y11)}" stroke="currentColor" stroke-opacity="0.6" stroke-dasharray="6 3"/>`,
    );
    out.push(
      `<text x="${r2(b.x + b.w - 3)}" y="${r2(y11 - 3)}" text-anchor="end" font-size="${FONT - 1}" fill-opacity="0.8">recovered below 1.1×</text>`,
    );
    runs.forEach((st) => {
      const rc = rows.find((r) => r.variant === v && r.run === st.name)?.recovery;
      if (!rc) return;
      const segs: string[][] = [[]];
      rc.ratio.forEach((q, j) => {
        if (q === null || !(q > 0)) segs.push([]);
        else segs[segs.length - 1].push(`${r2(sx(rc.from + j))},${r2(sy(q))}`);
      });
      for (const s of segs.filter((s2) => s2.length > 1))
        out.push(
          `<polyline points="${s.join(" ")}" fill="none" stroke="${st.color}" stroke-width="2.2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ""}/>`,
        );
      const end = rc.ratio.findLastIndex((q) => q !== null && q > 0);
      const q = rc.ratio[end];
      if (end >= 0 && q !== null) out.push(marker(st.shape, sx(rc.from + end), sy(q), st.color, 3.8));
    });
  });
  const last = boxes[boxes.length - 1];
  out.push(
    `<text x="${r2(58 + (W - 70) / 2)}" y="${r2(last.y + last.h + 34)}" text-anchor="middle">steps since the perturbation</text>`,
  );
  yTitle(out, `loss ÷ loss before it${wide ? " (log scale)" : ""}`, boxes[0].y, boxes[0].h);
  /** The highest ratio from the onset on (how far the perturbation lifted the loss), and the last. */
  const after = (r: SweepRow) => {
    const rc = r.recovery;
    const q = (rc?.ratio ?? []).filter((z, j): z is number => z !== null && (rc?.from ?? 0) + j >= 0);
    return { peak: q.length ? Math.max(...q) : null, end: q.length ? q[q.length - 1] : null };
  };
  const caption =
    "The loss around each perturbation, divided by the loss just before it, against the steps since its onset: each seed's mean over its perturbations, then the median over the seeds; a marker at each line's end.";
  const description = `${caption} ${variants
    .map(
      (v) =>
        `${v}: ${curves
          .filter((r) => r.variant === v)
          .map((r) => `${r.run} peaks at ${f3(after(r).peak)}×, ends at ${f3(after(r).end)}×`)
          .join("; ")}`,
    )
    .join(". ")}.`;
  const title = `${sweep.name}: median recovery curve`;
  return figure("recovery", last.y + last.h + 46, { title, caption, description }, out, background);
}

/**
 * The figures for a sweep's rows: final loss against the swept parameter where the sweep varies one
 * (otherwise a strip plot per noise type), and the median recovery curve where perturbations fired.
 * `background` fills the figure (a file); inline figures leave it out and follow the page's theme.
 */
export function sweepFigures(sweep: Sweep, rows: SweepRow[], background?: string): Figure[] {
  if (!rows.length) return [];
  const p = sweptParam(sweep);
  const figs: Figure[] = [
    p ? finalVsParam(sweep, rows, p, background) : finalByNoise(sweep, rows, background),
  ];
  const rec = recovery(sweep, rows, background);
  if (rec) figs.push(rec);
  return figs;
}
