/**
 * Loss and LR charts side by side, sharing one step axis and a synced crosshair (hover either chart: both
 * show every run's value at that step). Each chart has three layers: recharts draws the grid and the axes,
 * re-rendered only when an axis changes; the lines are one canvas over the plot area, redrawn on the shared
 * clock (at most 2×/s, one chart per animation frame, nothing while the tab is hidden); an SVG over it holds
 * the run names at the line ends, the markers and the crosshair. A live run's line is decimated incrementally
 * (ui/lines.ts: each redraw only adds the new steps), references and previews with LTTB (the `downsample`
 * package) to ~500 points, so 8 runs × 20 000 steps stay smooth and spikes and restarts stay visible. The loss
 * chart marks each noise onset; the LR chart marks each scheduler decision (↑ ×1/F, ↓ ×F or plateau cut,
 * ⟲ restart, ⇥ phase).
 */
import { type ScaleLinear, scaleLinear, scaleLog } from "d3-scale";
import { LTTB } from "downsample";
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { preview } from "../engine/preview";
import { getSpec } from "../engine/registry";
import { axisTicks, type Pt, placeLabels, yDomain } from "../experiment/axes";
import { indexOfStep } from "../experiment/metrics";
import { isAnalytic, stabilityEdge } from "../experiment/tasks";
import type { Series } from "../store/lab";
import { useLab } from "./context";
import { varResolver } from "./cssVars";
import { fmt } from "./format";
import { linePoints } from "./lines";
import { RecoveryPanel } from "./RecoveryPanel";
import { useSize } from "./useSize";
import { useThrottledVersion } from "./useThrottled";

const MAX_POINTS = 500;

export type { Pt };

export function decimate(steps: number[], values: number[], positiveOnly: boolean): Pt[] {
  const pts: Pt[] = [];
  for (let i = 0; i < steps.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && (!positiveOnly || v > 0)) pts.push([steps[i], v]);
  }
  return pts.length > MAX_POINTS ? (LTTB(pts, MAX_POINTS) as Pt[]) : pts;
}

/** The value of a series at a step, or null. */
export function valueAt(steps: number[], values: number[], step: number): number | null {
  const i = indexOfStep(steps, step);
  return i < 0 ? null : values[i];
}

const MARK: Record<string, string> = {
  increase: "↑",
  decrease: "↓",
  plateau: "↓",
  restart: "⟲",
  milestone: "⇥",
  phase: "⇥",
  param: "✎",
};

interface Layer {
  color: string;
  name: string;
  main: Pt[];
  raw: Pt[] | null;
  /** A spread around `main` (a per-weight method's 10–90% of η_i), drawn as a faint band. */
  band?: [Pt[], Pt[]];
  /** A prediction beside the run's loss (schedule-free's convex bound), dashed in the run's colour; it does
   * not set the axis. */
  guide?: Pt[];
  run: number;
  /** Imported reference curve (dashed, not part of the live runs). */
  ref?: boolean;
  /** What the line means, said under the chart's title (the edge of stability). */
  caption?: string;
}

/** What the canvas draws over the lines: noise onsets (the loss chart) and scheduler decisions (the LR chart). */
interface Marks {
  font: number;
  onsets: number[];
  markers: { color: string; step: number; v: number; mark: string }[];
}

interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}
type Fn = (v: number) => number;

/** Around the plot area: room for the axes' labels. */
const MARGIN = { top: 14, right: 16, bottom: 8, left: 8 };
const TICK_SIZE = 6;
const AXIS = "#666";

/** The plot area inside a chart of `width` × `height` pixels, with axes sized for labels of `font` pixels. */
function plotArea(width: number, height: number, font: number): Area | null {
  const left = MARGIN.left + font * 4 + 10;
  const bottom = MARGIN.bottom + font * 2 + 4;
  const area = {
    x: left,
    y: MARGIN.top,
    width: width - left - MARGIN.right,
    height: height - MARGIN.top - bottom,
  };
  return area.width > 0 && area.height > 0 ? area : null;
}

/** Up to 5 nice step ticks, fewer where their labels would touch (a narrow chart, presenter mode's type). */
function stepTicks(sx: ScaleLinear<number, number>, width: number, font: number): number[] {
  for (let k = 5; k > 1; k--) {
    const ticks = sx.ticks(k);
    const label = Math.max(...ticks.map((t) => String(t).length)) * font * 0.62;
    if (ticks.length * (label + font) <= width) return ticks;
  }
  return sx.domain();
}

interface FrameProps {
  /** The chart's step scale (d3-scale, for its ticks) and value scale: the ones the lines are drawn with. */
  sx: ScaleLinear<number, number>;
  sy: Fn;
  domain: [number, number];
  ticks: number[];
  label: (v: number) => string;
  font: number;
  width: number;
  height: number;
  area: Area;
}

/**
 * The grid and the axes, as plain SVG in real pixels. Re-rendered only when the axes change (the y-axis moves a
 * few times per run), while the lines and labels over it redraw on the shared clock. recharts drew them until
 * its store's updates (a synchronous re-render in an animation frame) and its text measuring (a forced layout
 * of the page) cost the page more than the canvas of lines; the ticks are d3-scale's, as recharts' were.
 */
const Frame = memo(
  function Frame(p: FrameProps) {
    const { area, font, sx, sy } = p;
    const xTicks = stepTicks(sx, area.width, font);
    const [lo, hi] = [Math.min(...p.domain), Math.max(...p.domain)];
    const yTicks = p.ticks.filter((t) => t >= lo && t <= hi);
    const bottom = area.y + area.height;
    return (
      <svg className="axes" width={p.width} height={p.height} aria-hidden>
        <g className="grid" stroke="var(--grid)" strokeDasharray="3 3">
          {yTicks.map((t) => (
            <line key={`y${t}`} x1={area.x} x2={area.x + area.width} y1={sy(t)} y2={sy(t)} />
          ))}
          {xTicks.map((t) => (
            <line key={`x${t}`} x1={sx(t)} x2={sx(t)} y1={area.y} y2={bottom} />
          ))}
        </g>
        <g className="axis x-axis" stroke={AXIS} fill={AXIS} fontSize={font} textAnchor="middle">
          <line x1={area.x} x2={area.x + area.width} y1={bottom} y2={bottom} />
          {xTicks.map((t) => (
            <g key={t} className="tick">
              <line x1={sx(t)} x2={sx(t)} y1={bottom} y2={bottom + TICK_SIZE} />
              <text
                x={sx(t)}
                y={bottom + TICK_SIZE + 2}
                dy="0.71em"
                stroke="none"
                // The last label ends at its tick where centring it would run off the chart.
                textAnchor={sx(t) + String(t).length * font * 0.31 > p.width ? "end" : undefined}
              >
                {String(t)}
              </text>
            </g>
          ))}
        </g>
        <g className="axis y-axis" stroke={AXIS} fill={AXIS} fontSize={font} textAnchor="end">
          <line x1={area.x} x2={area.x} y1={area.y} y2={bottom} />
          {yTicks.map((t) => (
            <g key={t} className="tick">
              <line x1={area.x - TICK_SIZE} x2={area.x} y1={sy(t)} y2={sy(t)} />
              <text x={area.x - TICK_SIZE - 2} y={sy(t)} dy="0.355em" stroke="none">
                {p.label(t)}
              </text>
            </g>
          ))}
        </g>
      </svg>
    );
  },
  (a, b) =>
    a.sx === b.sx &&
    a.sy === b.sy &&
    a.font === b.font &&
    a.width === b.width &&
    a.height === b.height &&
    a.area === b.area &&
    a.domain[0] === b.domain[0] &&
    a.domain[1] === b.domain[1] &&
    a.ticks.join() === b.ticks.join(),
);

/** Trace a polyline (skipping points off the scale, as a log axis makes of values ≤ 0). */
function trace(ctx: CanvasRenderingContext2D, pts: Pt[], x: Fn, y: Fn, start = true): void {
  if (start) ctx.beginPath();
  let first = start;
  for (const [a, b] of pts) {
    const px = x(a);
    const py = y(b);
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    if (first) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
    first = false;
  }
}

/** The font last set on each chart's canvas. */
const fonts = new WeakMap<HTMLCanvasElement, string>();

/**
 * Every line of a chart onto one canvas over the plot area, in one pass: bands, faint raw lines, dashed
 * guides, then a halo under each run's line and the line. A canvas is redrawn as a bitmap — the SVG paths it
 * replaces cost the page a re-render, a style pass and a paint of every path on each redraw.
 * For tests and tools the canvas says what it drew: `data-lines`, each line's run, kind and last pixel, and
 * `data-marks`, the distinct marks.
 */
function drawLines(
  canvas: HTMLCanvasElement,
  layers: Layer[],
  marks: Marks,
  x: Fn,
  y: Fn,
  area: Area,
  color: (text: string) => string,
): void {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(area.width * dpr));
  const h = Math.max(1, Math.round(area.height * dpr));
  const resized = canvas.width !== w || canvas.height !== h;
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, -area.x * dpr, -area.y * dpr);
  ctx.clearRect(area.x, area.y, area.width, area.height);
  ctx.lineJoin = "round";
  const stroke = (c: string, width: number, alpha = 1, dash: number[] = []) => {
    ctx.strokeStyle = color(c);
    ctx.lineWidth = width;
    ctx.globalAlpha = alpha;
    ctx.setLineDash(dash);
    ctx.stroke();
  };
  for (const l of layers)
    if (l.band) {
      trace(ctx, l.band[0], x, y);
      trace(ctx, [...l.band[1]].reverse(), x, y, false);
      ctx.closePath();
      ctx.fillStyle = color(l.color);
      ctx.globalAlpha = 0.15;
      ctx.fill();
    }
  for (const l of layers)
    if (l.raw) {
      trace(ctx, l.raw, x, y);
      stroke(l.color, 1, 0.25);
    }
  for (const l of layers)
    if (l.guide) {
      trace(ctx, l.guide, x, y);
      stroke(l.color, 1.5, 1, [5, 4]);
    }
  const drawn: { run: number; kind: string; band?: boolean; end: number[] | null }[] = [];
  // Every halo first, then every line: a halo never covers another run's line.
  for (const l of layers)
    if (!l.ref) {
      trace(ctx, l.main, x, y);
      stroke("var(--halo)", 4);
    }
  for (const l of layers) {
    trace(ctx, l.main, x, y);
    stroke(l.color, l.ref ? 1.5 : 2, 1, l.ref ? [6, 4] : []);
    const last = l.main[l.main.length - 1];
    drawn.push({
      run: l.run,
      kind: l.ref ? "reference" : "series",
      ...(l.band ? { band: true } : {}),
      end: last ? [Math.round(x(last[0]) * 10) / 10, Math.round(y(last[1]) * 10) / 10] : null,
    });
  }
  ctx.globalAlpha = 1;
  // Noise onsets and the schedulers' decisions over the lines. They were SVG elements, up to 100 onset lines
  // and 60 marks per run, re-laid out by the browser on every redraw.
  ctx.beginPath();
  for (const o of marks.onsets) {
    const px = x(o);
    if (px < area.x || px > area.x + area.width) continue;
    ctx.moveTo(px, area.y);
    ctx.lineTo(px, area.y + area.height);
  }
  stroke("var(--warn)", 1, 1, [2, 3]);
  ctx.setLineDash([]);
  // Setting a canvas's font makes the browser bring the page's style up to date first: set it only when it
  // changes (a resize resets it).
  const font = `${marks.font}px ${color("font-family")}`;
  if (marks.markers.length && (resized || fonts.get(canvas) !== font)) {
    ctx.font = font;
    fonts.set(canvas, font);
  }
  ctx.textAlign = "center";
  ctx.lineWidth = 0.6;
  for (const m of marks.markers) {
    const [px, py] = [x(m.step), y(m.v) - 4];
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    ctx.fillStyle = color("var(--fg)");
    ctx.fillText(m.mark, px, py);
    ctx.strokeStyle = color(m.color);
    ctx.strokeText(m.mark, px, py);
  }
  canvas.dataset.lines = JSON.stringify(drawn);
  canvas.dataset.marks = JSON.stringify([...new Set(marks.markers.map((m) => m.mark))]);
}

function LinesCanvas(props: { layers: Layer[]; marks: Marks; x: Fn; y: Fn; area: Area }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { layers, marks, x, y, area } = props;
  // The halo's colour is the theme's: a theme switch redraws the lines, even while paused.
  const [theme, setTheme] = useState(() => document.documentElement.dataset.theme);
  useEffect(() => {
    const root = document.documentElement;
    const mo = new MutationObserver(() => setTheme(root.dataset.theme));
    mo.observe(root, { attributes: true, attributeFilter: ["data-theme"] });
    return () => mo.disconnect();
  }, []);
  // The theme's colours (and the page's font), resolved once per theme: asking the computed style on every
  // redraw made the browser recalculate the page's style mid-commit.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new theme is a new cache
  const color = useMemo(() => {
    const cache = new Map<string, string>();
    return (text: string): string => {
      let v = cache.get(text);
      if (v === undefined && ref.current) {
        v =
          text === "font-family" ? getComputedStyle(ref.current).fontFamily : varResolver(ref.current)(text);
        cache.set(text, v);
      }
      return v ?? text;
    };
  }, [theme]);
  // Drawn in the commit that brings new lines, before the frame is painted, with the axes of that commit.
  useLayoutEffect(() => {
    if (ref.current) drawLines(ref.current, layers, marks, x, y, area, color);
  }, [layers, marks, x, y, area, color]);
  return (
    <canvas
      ref={ref}
      className="lines"
      aria-hidden
      style={{ left: area.x, top: area.y, width: area.width, height: area.height }}
    />
  );
}

/** What is drawn over the lines in SVG: run names at the line ends and the crosshair. */
function Overlay(props: {
  layers: Layer[];
  metric: "loss" | "lr";
  font: number;
  x: Fn;
  y: Fn;
  invert: Fn;
  area: Area;
}) {
  const { x, y, area } = props;
  const hover = useLab((s) => s.hover);
  const setHover = useLab((s) => s.setHover);
  const series = useLab((s) => s.series);
  const hoverVals =
    hover === null
      ? []
      : props.layers
          .map((l) => {
            const s: Series | undefined = series[l.run];
            const v = s ? valueAt(s.steps, props.metric === "loss" ? s.loss : s.lr, hover) : null;
            return { l, v };
          })
          .filter((h) => h.v !== null && Number.isFinite(h.v));
  return (
    <svg className="overlay" aria-hidden>
      <EndLabels layers={props.layers} x={x} y={y} area={area} font={props.font} />
      {hover !== null ? (
        <g className="crosshair" pointerEvents="none">
          <line x1={x(hover)} x2={x(hover)} y1={area.y} y2={area.y + area.height} stroke="var(--muted)" />
          {hoverVals.map(({ l, v }) => (
            <circle key={`h${l.run}`} cx={x(hover)} cy={y(v as number)} r={3.5} fill={l.color} />
          ))}
        </g>
      ) : null}
      <rect
        className="hover-area"
        x={area.x}
        y={area.y}
        width={area.width}
        height={area.height}
        fill="transparent"
        onPointerMove={(e) => {
          const svg = (e.currentTarget as SVGRectElement).ownerSVGElement;
          if (!svg) return;
          const px = e.clientX - svg.getBoundingClientRect().left;
          const step = Math.round(props.invert(px));
          setHover(Number.isFinite(step) ? Math.max(0, step) : null);
        }}
        onPointerLeave={() => setHover(null)}
      />
    </svg>
  );
}
/** Each live run's name at the end of its line (halo for legibility over the grid and other lines). */
function EndLabels(props: {
  layers: Layer[];
  x: (v: number) => number;
  y: (v: number) => number;
  area: { x: number; y: number; width: number; height: number };
  font: number;
}) {
  const { area, font } = props;
  const ends = props.layers.flatMap((l) => {
    if (l.ref || !l.main.length) return [];
    const [sx, sv] = l.main[l.main.length - 1];
    const x = props.x(sx);
    const y = props.y(sv);
    return Number.isFinite(x) && Number.isFinite(y) ? [{ run: l.run, x, y, l }] : [];
  });
  const ys = placeLabels(ends, font + 2, area.y, area.y + area.height);
  return (
    <g className="end-labels" pointerEvents="none">
      {ends.map((e) => {
        // Text in the page's colour (the palette's yellow is unreadable as text on white), tied to its line
        // by a dot of the run's colour; flipped to the left of the end when it would leave the plot.
        const right = e.x + 12 + e.l.name.length * font * 0.6 > area.x + area.width;
        const ly = ys.get(e.run) ?? e.y;
        return (
          <g key={`lab${e.run}`} data-run-label={e.run}>
            <circle cx={e.x} cy={e.y} r={4} fill={e.l.color} stroke="var(--halo)" strokeWidth={1.5} />
            <text
              x={right ? e.x - 8 : e.x + 8}
              y={ly + font / 3}
              textAnchor={right ? "end" : "start"}
              fontSize={font}
              fontWeight={600}
              fill="var(--fg)"
              stroke="var(--panel)"
              strokeWidth={4}
              paintOrder="stroke"
            >
              {e.l.name}
            </text>
          </g>
        );
      })}
    </g>
  );
}

interface ChartProps {
  title: string;
  metric: "loss" | "lr";
  log: boolean;
  onLog: (v: boolean) => void;
  smoothing?: number;
  onSmoothing?: (v: number) => void;
}

function SeriesChart(props: ChartProps) {
  const runs = useLab((s) => s.experiment.runs);
  const series = useLab((s) => s.series);
  const onsets = useLab((s) => s.onsets);
  const hidden = useLab((s) => s.hidden);
  const ref = useRef<HTMLElement>(null);
  const version = useThrottledVersion(250, true, ref);
  const steps = useLab((s) => s.experiment.steps);
  const smoothing = props.smoothing ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: series arrays grow in place; `version` marks each batch
  const layers = useMemo(
    () =>
      runs.flatMap((r, i): Layer[] => {
        const s = series[i];
        if (!s || hidden[i]) return [];
        const raw = props.metric === "loss" ? s.loss : s.lr;
        // A schedule-free run's bold loss is at its average x; the loss at the gradient point y is drawn faint.
        const atY = props.metric === "loss" && s.lossY.length === s.steps.length && s.lossY.length > 0;
        const banded = props.metric === "lr" && s.lrLo.length === s.steps.length && s.lrLo.length > 0;
        const bounded = props.metric === "loss" && s.bound.length === s.steps.length && s.bound.length > 0;
        const line = (values: number[], alpha = 0) =>
          linePoints(s.steps, values, { stepsTotal: steps, positiveOnly: props.log, alpha });
        return [
          {
            run: i,
            color: r.color,
            name: r.name,
            main: line(raw, smoothing),
            raw: atY ? line(s.lossY) : smoothing > 0 ? line(raw) : null,
            ...(bounded ? { guide: line(s.bound) } : {}),
            ...(banded ? { band: [line(s.lrLo), line(s.lrHi)] as [Pt[], Pt[]] } : {}),
          },
        ];
      }),
    [runs, series, hidden, version, props.metric, props.log, smoothing, steps],
  );
  const references = useLab((s) => s.references);
  const refLayers = useMemo(
    () =>
      references.map(
        (r, k): Layer => ({
          run: 1000 + k,
          ref: true,
          color: r.color,
          name: r.name,
          main: decimate(r.steps, props.metric === "loss" ? r.loss : r.lr, props.log),
          raw: null,
        }),
      ),
    [references, props.metric, props.log],
  );
  // Ghost preview: the future LR of time-based schedules, continued from the live scheduler state, recomputed
  // only when a run's config changes (a parameter event) — the schedule is deterministic in between.
  const baseLr = useLab((s) => s.experiment.baseLr);
  const configKey = JSON.stringify(runs.map((r) => r.scheduler));
  const paramEvents = series.reduce((a, s) => a + s.events.filter((e) => e.kind === "param").length, 0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed per config change / parameter event
  const ghosts = useMemo((): Layer[] => {
    if (props.metric !== "lr") return [];
    return runs.flatMap((r, i): Layer[] => {
      if (hidden[i] || !getSpec(r.scheduler.scheduler).timeBased) return [];
      try {
        const from = series[i]?.sched;
        const future = preview(r.scheduler, baseLr, steps, from);
        if (!future) return [];
        const start = from?.step ?? 0;
        const st = future.map((_, k) => start + k);
        return [
          {
            run: 2000 + i,
            ref: true,
            color: r.color,
            name: `${r.name} (preview)`,
            main: decimate(st, future, props.log),
            raw: null,
          },
        ];
      } catch {
        return [];
      }
    });
  }, [configKey, paramEvents, baseLr, steps, props.metric, props.log, hidden]);
  // Analytic tasks: the edge of stability 2/λ_max on the LR chart — flat on the bowl, along the followed run's
  // path elsewhere.
  const task = useLab((s) => s.experiment.task.kind);
  const followed = useLab((s) => s.selected);
  // biome-ignore lint/correctness/useExhaustiveDependencies: series arrays grow in place; `version` marks each batch
  const edge = useMemo((): Layer[] => {
    if (props.metric !== "lr" || !isAnalytic(task)) return [];
    if (task === "quadratic") {
      const e = stabilityEdge(task, 0, 0) as number;
      return [
        {
          run: 3000,
          ref: true,
          color: "var(--fg)",
          name: "2/λ_max",
          caption: `2/λ_max = ${fmt(e)}: above it, gradient descent diverges`,
          main: [
            [0, e],
            [steps, e],
          ],
          raw: null,
        },
      ];
    }
    const s = series[followed];
    if (!s || !s.x1.length) return [];
    const ys = s.x1.map((a, k) => stabilityEdge(task, a, s.x2[k]) ?? Number.NaN);
    return [
      {
        run: 3000,
        ref: true,
        color: "var(--fg)",
        name: "2/λ_max",
        caption: `2/λ_max at ${runs[followed]?.name ?? "the run"}'s point: the local edge of stability`,
        main: decimate(s.steps, ys, props.log),
        raw: null,
      },
    ];
  }, [task, followed, version, steps, props.metric, props.log, runs]);
  const all = useMemo(
    () =>
      refLayers.length || ghosts.length || edge.length
        ? [...edge, ...refLayers, ...ghosts, ...layers]
        : layers,
    [refLayers, ghosts, layers, edge],
  );
  const present = useLab((s) => s.experiment.view.present);
  const font = present ? 18 : 12;
  // biome-ignore lint/correctness/useExhaustiveDependencies: onsets grow in place; `layers` marks each batch
  const marks = useMemo(
    (): Marks => ({
      font,
      onsets: props.metric === "loss" ? onsets.slice(-100) : [],
      markers:
        props.metric === "lr"
          ? layers.flatMap((l) =>
              series[l.run].events
                .filter((e) => MARK[e.kind] && e.to !== undefined && (!props.log || (e.to ?? 0) > 0))
                .slice(-60)
                .map((e) => ({
                  color: l.color,
                  step: e.step,
                  v: e.to as number,
                  // A live change says what changed, on the chart: "✎ F 0.9 → 0.567".
                  mark:
                    e.kind === "param"
                      ? `${MARK.param} ${e.message.replace(/^[^:]*: /, "").replace(/ \(live.*$/, "")}`
                      : MARK[e.kind],
                })),
            )
          : [],
    }),
    [layers, series, onsets, font, props.metric, props.log],
  );
  const yAxis = axisTicks(
    yDomain(
      all.flatMap((l) => (l.band ? [l.main, ...l.band] : [l.main])),
      props.log,
    ),
    props.log,
  );
  const [plotRef, size] = useSize<HTMLDivElement>();
  const area = useMemo(() => plotArea(size.width, size.height, font), [size.width, size.height, font]);
  // The same scales the axes are drawn with (d3-scale, the same domain and range), so lines and ticks agree.
  const [d0, d1] = yAxis.domain;
  const scales = useMemo(() => {
    if (!area) return null;
    const sx = scaleLinear()
      .domain([0, steps])
      .range([area.x, area.x + area.width]);
    const sy = (props.log ? scaleLog() : scaleLinear())
      .domain([d0, d1])
      .range([area.y + area.height, area.y]);
    return { sx, x: (v: number) => sx(v), y: (v: number) => sy(v), invert: (px: number) => sx.invert(px) };
  }, [area, steps, d0, d1, props.log]);
  const points = layers.reduce((a, l) => a + l.main.length, 0);
  // The last step drawn (every live line ends at its run's last finite point), for tests and tools.
  const lastStep = layers.reduce((a, l) => Math.max(a, l.main.at(-1)?.[0] ?? -1), -1);
  return (
    <figure
      ref={ref}
      className="chart"
      aria-label={`${props.title} chart`}
      data-points={points}
      data-last-step={lastStep}
      data-metric={props.metric}
      data-scale={props.log ? "log" : "linear"}
    >
      <figcaption>
        <strong>{props.title}</strong>
        {props.metric === "loss" && runs.some((r, i) => r.sf && !hidden[i]) ? (
          <span className="muted sf-note">
            schedule-free: bold at the average x, faint at the gradient point y
          </span>
        ) : null}
        {edge[0]?.caption ? <span className="muted sf-note">dashed: {edge[0].caption}</span> : null}
        {layers.some((l) => l.guide) ? (
          <span className="muted sf-note">
            dashed: f* + the convex bound (2c* + Σγᵢ²‖gᵢ‖²)/(2Σγᵢ), a guarantee only if the loss is convex
          </span>
        ) : null}
        {layers.some((l) => l.band) ? (
          <span className="muted sf-note">per-weight methods: median η_i, shaded 10–90%</span>
        ) : null}
        <span className="row">
          {props.onSmoothing ? (
            <label className="toggle">
              smoothing
              <input
                type="range"
                min={0}
                max={0.99}
                step={0.01}
                value={smoothing}
                aria-label={`Smoothing (${props.title})`}
                aria-valuetext={smoothing === 0 ? "off" : String(smoothing)}
                onChange={(e) => props.onSmoothing?.(Number(e.target.value))}
              />
            </label>
          ) : null}
          <label className="toggle">
            <input
              type="checkbox"
              checked={props.log}
              onChange={(e) => props.onLog(e.target.checked)}
              aria-label={`Log scale (${props.title})`}
            />
            log scale
          </label>
        </span>
      </figcaption>
      <div className="plot" ref={plotRef}>
        {scales && area ? (
          <>
            <Frame
              sx={scales.sx}
              sy={scales.y}
              domain={yAxis.domain}
              ticks={yAxis.ticks}
              label={yAxis.label}
              font={font}
              width={size.width}
              height={size.height}
              area={area}
            />
            <LinesCanvas layers={all} marks={marks} x={scales.x} y={scales.y} area={area} />
            <Overlay
              layers={all}
              metric={props.metric}
              font={font}
              x={scales.x}
              y={scales.y}
              invert={scales.invert}
              area={area}
            />
          </>
        ) : null}
      </div>
      <HoverReadout metric={props.metric} />
    </figure>
  );
}

/** The values of every run at the crosshair step, in words (also for screen readers). */
function HoverReadout({ metric }: { metric: "loss" | "lr" }) {
  const hover = useLab((s) => s.hover);
  const runs = useLab((s) => s.experiment.runs);
  const series = useLab((s) => s.series);
  const hidden = useLab((s) => s.hidden);
  if (hover === null) return <p className="readout muted hint">hover a chart to compare runs at one step</p>;
  return (
    <output
      className="readout"
      aria-live="polite"
      aria-label={`${metric === "loss" ? "Loss" : "Learning rate"} at step ${hover}`}
    >
      <strong>step {hover}</strong>
      {runs.map((r, i) => {
        if (hidden[i] || !series[i]) return null;
        const v = valueAt(series[i].steps, metric === "loss" ? series[i].loss : series[i].lr, hover);
        return (
          <span key={`${r.color}-${r.name}`} data-run={i}>
            <span className="swatch" style={{ background: r.color }} aria-hidden /> {r.name}: {fmt(v, 4)}
          </span>
        );
      })}
    </output>
  );
}

function LegendBar() {
  const runs = useLab((s) => s.experiment.runs);
  const hidden = useLab((s) => s.hidden);
  const toggle = useLab((s) => s.toggleRun);
  return (
    <fieldset className="legend" aria-label="Legend: show or hide runs">
      {runs.map((r, i) => (
        <button
          key={`${r.color}-${r.name}`}
          type="button"
          className={`legend-item ${hidden[i] ? "off" : ""}`}
          aria-pressed={!hidden[i]}
          aria-label={`Show ${r.name}`}
          onClick={() => toggle(i)}
        >
          <span className="swatch" style={{ background: r.color }} aria-hidden /> {r.name}
        </button>
      ))}
    </fieldset>
  );
}

export function Charts() {
  const view = useLab((s) => s.experiment.view);
  const setView = useLab((s) => s.setView);
  return (
    <section className="charts-wrap" aria-label="Charts">
      <LegendBar />
      <div className="charts">
        <SeriesChart
          title="Loss"
          metric="loss"
          log={view.logLoss}
          onLog={(logLoss) => setView({ logLoss })}
          smoothing={view.smoothing}
          onSmoothing={(smoothing) => setView({ smoothing })}
        />
        <SeriesChart
          title="Learning rate"
          metric="lr"
          log={view.logLr}
          onLog={(logLr) => setView({ logLr })}
        />
        <RecoveryPanel />
      </div>
    </section>
  );
}
