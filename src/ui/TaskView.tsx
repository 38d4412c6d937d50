/**
 * Task view where it teaches: for analytic 2-D functions, the function as a heatmap (log scale) with every
 * run's trajectory of (x₁, x₂) — too small an LR crawls, too large an LR zig-zags or flies off.
 */
import { useMemo, useRef } from "react";
import { ANALYTIC_F, ANALYTIC_START, type AnalyticKind, isAnalytic } from "../experiment/tasks";
import { useLab } from "./context";
import { useThrottledVersion } from "./useThrottled";

const BOX: Record<AnalyticKind, [number, number, number, number]> = {
  quadratic: [-2.5, 2.5, -2, 2],
  rosenbrock: [-2, 2, -1, 3],
  survey: [-2, 2, -1.5, 1.5],
  rastrigin: [-2, 2, -2, 2],
};
const W = 420;
const H = 320;
const CELLS = 48;

export function TaskView() {
  const kind = useLab((s) => s.experiment.task.kind);
  const runs = useLab((s) => s.experiment.runs);
  const series = useLab((s) => s.series);
  const hidden = useLab((s) => s.hidden);
  const ref = useRef<HTMLElement>(null);
  const version = useThrottledVersion(250, true, ref);
  const heat = useMemo(() => {
    if (!isAnalytic(kind)) return null;
    const [x0, x1, y0, y1] = BOX[kind];
    const f = ANALYTIC_F[kind];
    const cells: { id: string; i: number; j: number; v: number }[] = [];
    for (let j = 0; j < CELLS; j++)
      for (let i = 0; i < CELLS; i++)
        cells.push({
          id: `${i}-${j}`,
          i,
          j,
          v: f(x0 + ((i + 0.5) / CELLS) * (x1 - x0), y1 - ((j + 0.5) / CELLS) * (y1 - y0)),
        });
    const lo = Math.min(...cells.map((c) => c.v));
    const logs = cells.map((c) => Math.log(c.v - lo + 1e-3));
    const a = Math.min(...logs);
    const b = Math.max(...logs);
    return cells.map((c, k) => ({ ...c, v: (logs[k] - a) / (b - a || 1) }));
  }, [kind]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: series grow in place; `version` marks batches
  const paths = useMemo(() => {
    if (!isAnalytic(kind)) return [];
    const [x0, x1, y0, y1] = BOX[kind];
    const px = (x: number) => ((x - x0) / (x1 - x0)) * W;
    const py = (y: number) => ((y1 - y) / (y1 - y0)) * H;
    return series.map((s, r) => {
      if (hidden[r] || !s.x1.length) return null;
      const n = s.x1.length;
      const stride = Math.max(1, Math.ceil(n / 400));
      const pts: string[] = [];
      for (let i = 0; i < n; i += stride)
        if (Number.isFinite(s.x1[i]) && Number.isFinite(s.x2[i]))
          pts.push(`${px(s.x1[i]).toFixed(1)},${py(s.x2[i]).toFixed(1)}`);
      const last = [px(s.x1[n - 1]), py(s.x2[n - 1])];
      return { d: pts.length ? `M${pts.join("L")}` : "", last };
    });
  }, [kind, series, hidden, version]);
  if (!isAnalytic(kind) || !heat) return null;
  const [x0, x1, y0, y1] = BOX[kind];
  const start = ANALYTIC_START[kind];
  return (
    <section ref={ref} className="taskview" aria-label="Trajectories on the loss surface">
      <h2>Trajectories on {kind}</h2>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        style={{ maxWidth: W * 1.4 }}
        role="img"
        aria-label={`Heatmap of ${kind} with each run's path`}
      >
        {heat.map((c) => (
          <rect
            key={c.id}
            x={(c.i * W) / CELLS}
            y={(c.j * H) / CELLS}
            width={W / CELLS + 0.5}
            height={H / CELLS + 0.5}
            fill={`hsl(215 60% ${Math.round(95 - 70 * c.v)}%)`}
          />
        ))}
        <circle
          cx={((start[0] - x0) / (x1 - x0)) * W}
          cy={((y1 - start[1]) / (y1 - y0)) * H}
          r={5}
          fill="none"
          stroke="black"
        />
        {paths.map((p, r) =>
          p ? (
            <g key={`${runs[r]?.color}-${runs[r]?.name}`}>
              <path d={p.d} fill="none" stroke={runs[r]?.color} strokeWidth={1.8} />
              <circle cx={p.last[0]} cy={p.last[1]} r={4} fill={runs[r]?.color} stroke="white" />
            </g>
          ) : null,
        )}
      </svg>
      <p className="muted">
        ○ start ({start.join(", ")}); dots: where each run is now. Lighter = lower loss (log scale).
      </p>
    </section>
  );
}
