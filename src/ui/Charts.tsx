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
import { scaleLinear, scaleLog } from "d3-scale";
import { LTTB } from "downsample";
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { CartesianGrid, ComposedChart, ResponsiveContainer, usePlotArea, XAxis, YAxis } from "recharts";
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

interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}
type Fn = (v: number) => number;

/** recharts' plot area, reported to the chart whenever recharts lays its axes out again (size, axis width). */
function AreaProbe({ onArea }: { onArea: (a: Area) => void }) {
  const a = usePlotArea();
  const [x, y, width, height] = [a?.x, a?.y, a?.width, a?.height];
  useLayoutEffect(() => {
    if (x !== undefined && y !== undefined && width !== undefined && height !== undefined)
      onArea({ x, y, width, height });
  }, [x, y, width, height, onArea]);
  return null;
}

interface FrameProps {
  steps: number;
  log: boolean;
  domain: [number, number];
  ticks: number[];
  label: (v: number) => string;
  font: number;
  onArea: (a: Area) => void;
}

/**
 * The grid and the axes (recharts). Re-rendered only when the axes change — the y-axis moves a few times per
 * run, not on every batch — while the lines and labels over it redraw on the shared clock.
 */
const Frame = memo(
  function Frame(p: FrameProps) {
    return (
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart margin={{ top: 14, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis
            type="number"
            dataKey="step"
            domain={[0, p.steps]}
            allowDataOverflow
            tick={{ fontSize: p.font }}
            height={p.font * 2 + 4}
          />
          <YAxis
            type="number"
            scale={p.log ? "log" : "linear"}
            domain={p.domain}
            ticks={p.ticks}
            interval={0}
            allowDataOverflow
            tickFormatter={p.label}
            width={p.font * 4 + 10}
            tick={{ fontSize: p.font }}
          />
          <AreaProbe onArea={p.onArea} />
        </ComposedChart>
      </ResponsiveContainer>
    );
  },
  (a, b) =>
    a.steps === b.steps &&
    a.log === b.log &&
    a.font === b.font &&
    a.onArea === b.onArea &&
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

/**
 * Every line of a chart onto one canvas over the plot area, in one pass: bands, faint raw lines, dashed
 * guides, then a halo under each run's line and the line. A canvas is redrawn as a bitmap — the SVG paths it
 * replaces cost the page a re-render, a style pass and a paint of every path on each redraw.
 * For tests and tools the canvas says what it drew: `data-lines`, each line's run, kind and last pixel.
 */
function drawLines(canvas: HTMLCanvasElement, layers: Layer[], x: Fn, y: Fn, area: Area): void {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(area.width * dpr));
  const h = Math.max(1, Math.round(area.height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, -area.x * dpr, -area.y * dpr);
  ctx.clearRect(area.x, area.y, area.width, area.height);
  const color = varResolver(canvas);
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
  ctx.setLineDash([]);
  canvas.dataset.lines = JSON.stringify(drawn);
}

function LinesCanvas(props: { layers: Layer[]; x: Fn; y: Fn; area: Area }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { layers, x, y, area } = props;
  // The halo's colour is the theme's: a theme switch redraws the lines, even while paused.
  const [theme, setTheme] = useState(() => document.documentElement.dataset.theme);
  useEffect(() => {
    const root = document.documentElement;
    const mo = new MutationObserver(() => setTheme(root.dataset.theme));
    mo.observe(root, { attributes: true, attributeFilter: ["data-theme"] });
    return () => mo.disconnect();
  }, []);
  // Drawn in the commit that brings new lines, before the frame is painted, with the axes of that commit.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `theme` changes the colours drawLines reads
  useLayoutEffect(() => {
    if (ref.current) drawLines(ref.current, layers, x, y, area);
  }, [layers, x, y, area, theme]);
  return (
    <canvas
      ref={ref}
      className="lines"
      aria-hidden
      style={{ left: area.x, top: area.y, width: area.width, height: area.height }}
    />
  );
}

/** What is drawn over the lines: noise onsets, scheduler decisions, run names at the line ends, the crosshair. */
function Overlay(props: {
  layers: Layer[];
  markers: { run: number; step: number; v: number; mark: string }[];
  onsets: number[];
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
  const colorOf = (run: number) => props.layers.find((l) => l.run === run)?.color ?? "currentColor";
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
      <defs>
        <clipPath id={`clip-${props.metric}`}>
          <rect x={area.x} y={area.y} width={area.width} height={area.height} />
        </clipPath>
      </defs>
      <g clipPath={`url(#clip-${props.metric})`}>
        {props.metric === "loss"
          ? props.onsets
              .slice(-100)
              .map((o) => (
                <line
                  key={`o${o}`}
                  x1={x(o)}
                  x2={x(o)}
                  y1={area.y}
                  y2={area.y + area.height}
                  stroke="var(--warn)"
                  strokeDasharray="2 3"
                />
              ))
          : null}
        {props.markers.map((m) => (
          <text
            key={`m${m.run}-${m.step}-${m.mark}`}
            x={x(m.step)}
            y={y(m.v) - 4}
            textAnchor="middle"
            fontSize={props.font}
            fill="var(--fg)"
            stroke={colorOf(m.run)}
            strokeWidth={0.6}
          >
            {m.mark}
          </text>
        ))}
      </g>
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
  const markers =
    props.metric === "lr"
      ? layers.flatMap((l) =>
          series[l.run].events
            .filter((e) => MARK[e.kind] && e.to !== undefined && (!props.log || (e.to ?? 0) > 0))
            .slice(-60)
            .map((e) => ({
              run: l.run,
              step: e.step,
              v: e.to as number,
              // A live change says what changed, on the chart: "✎ F 0.9 → 0.567".
              mark:
                e.kind === "param"
                  ? `${MARK.param} ${e.message.replace(/^[^:]*: /, "").replace(/ \(live.*$/, "")}`
                  : MARK[e.kind],
            })),
        )
      : [];
  const present = useLab((s) => s.experiment.view.present);
  const font = present ? 18 : 12;
  const yAxis = axisTicks(
    yDomain(
      all.flatMap((l) => (l.band ? [l.main, ...l.band] : [l.main])),
      props.log,
    ),
    props.log,
  );
  const [area, setAreaState] = useState<Area | null>(null);
  const setArea = useCallback(
    (a: Area) =>
      setAreaState((p) =>
        p && p.x === a.x && p.y === a.y && p.width === a.width && p.height === a.height ? p : a,
      ),
    [],
  );
  // The same scales recharts draws the axes with (d3-scale, the same domain and range), so lines and ticks agree.
  const [d0, d1] = yAxis.domain;
  const scales = useMemo(() => {
    if (!area) return null;
    const sx = scaleLinear()
      .domain([0, steps])
      .range([area.x, area.x + area.width]);
    const sy = (props.log ? scaleLog() : scaleLinear())
      .domain([d0, d1])
      .range([area.y + area.height, area.y]);
    return { x: (v: number) => sx(v), y: (v: number) => sy(v), invert: (px: number) => sx.invert(px) };
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
      <div className="plot">
        <Frame
          steps={steps}
          log={props.log}
          domain={yAxis.domain}
          ticks={yAxis.ticks}
          label={yAxis.label}
          font={font}
          onArea={setArea}
        />
        {scales && area ? (
          <>
            <LinesCanvas layers={all} x={scales.x} y={scales.y} area={area} />
            <Overlay
              layers={all}
              markers={markers}
              onsets={onsets}
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
