/** Noise recovery: every run's loss around the perturbations, aligned at the onset, with recovery times. */
import { useMemo } from "react";
import { runMetrics } from "../experiment/metrics";
import { alignedWindows } from "../experiment/recovery";
import { useLab } from "./context";
import { useThrottledVersion } from "./useThrottled";

const BEFORE = 5;
const AFTER = 60;
const W = 420;
const H = 200;
const M = { l: 40, r: 8, t: 8, b: 20 };

/**
 * A small plain-SVG chart (log y): a few short lines need no chart library, and recharts' <Line> measures its
 * path on every render (a forced layout), which made this panel a long task with 8 runs.
 */
function AlignedChart({
  rows,
  runs,
}: {
  rows: (number | null)[][];
  runs: { name: string; color: string }[];
}) {
  const all = rows.flat().filter((v): v is number => v !== null && v > 0);
  const lo = Math.min(0.5, ...all);
  const hi = Math.max(2, ...all);
  const x = (k: number) => M.l + ((k + BEFORE) / (BEFORE + AFTER)) * (W - M.l - M.r);
  const y = (v: number) =>
    M.t + (1 - (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (H - M.t - M.b);
  const ticks = [0.5, 1.1, 2, 5, 10, 100].filter((t) => t >= lo && t <= hi);
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      style={{ display: "block", width: "100%", height: "auto", aspectRatio: `${W} / ${H}` }}
      role="img"
      aria-label="Loss after each perturbation, relative to the loss just before it"
    >
      {ticks.map((t) => (
        <g key={t}>
          <line
            x1={M.l}
            x2={W - M.r}
            y1={y(t)}
            y2={y(t)}
            stroke="var(--grid)"
            strokeDasharray={t === 1.1 ? "4 4" : undefined}
          />
          <text x={M.l - 4} y={y(t) + 4} fontSize={10} textAnchor="end" fill="var(--muted)">
            {t}×
          </text>
        </g>
      ))}
      {[0, 15, 30, 45, 60].map((k) => (
        <text key={k} x={x(k)} y={H - 4} fontSize={10} textAnchor="middle" fill="var(--muted)">
          {k}
        </text>
      ))}
      <line x1={x(0)} x2={x(0)} y1={M.t} y2={H - M.b} stroke="var(--warn)" />
      {rows.map((w, i) => {
        const pts = w.flatMap((v, j) =>
          v !== null && v > 0 ? [`${x(j - BEFORE).toFixed(1)},${y(v).toFixed(1)}`] : [],
        );
        return pts.length ? (
          <path
            key={`${runs[i]?.color}-${runs[i]?.name}`}
            d={`M${pts.join("L")}`}
            stroke={runs[i]?.color}
            strokeWidth={1.8}
            fill="none"
          />
        ) : null;
      })}
    </svg>
  );
}

export function RecoveryPanel() {
  const runs = useLab((s) => s.experiment.runs);
  const noise = useLab((s) => s.experiment.noise);
  const series = useLab((s) => s.series);
  const onsets = useLab((s) => s.onsets);
  const version = useThrottledVersion(1000);
  // biome-ignore lint/correctness/useExhaustiveDependencies: series grow in place; `version` marks batches
  const { rows, times } = useMemo(() => {
    const rows = series.map((s) => alignedWindows(s.steps, s.loss, onsets, BEFORE, AFTER));
    const times = series.map((s) => runMetrics(s.steps, s.loss, { onsets }).recoveryTimes);
    return { rows, times };
  }, [series, onsets, version]);
  if (noise.type === "clean") return null;
  return (
    <section className="recovery" aria-label="Noise recovery">
      <h2>Noise recovery</h2>
      <p className="muted">
        {noise.type} noise ×{noise.strength} entering the {noise.target}.{" "}
        {onsets.length
          ? `Loss ÷ the loss just before each of the ${onsets.length} perturbation${onsets.length > 1 ? "s" : ""}, averaged; recovered = back below 1.1×.`
          : noise.type === "gaussian" || noise.type === "adversarial"
            ? "This noise acts every step (no onsets to align)."
            : "No perturbation yet."}
      </p>
      {onsets.length ? (
        <div className="row top">
          <div className="plot small">
            <AlignedChart rows={rows} runs={runs} />
          </div>
          <table className="times">
            <thead>
              <tr>
                <th scope="col">run</th>
                <th scope="col">recovery times (steps)</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r, i) => (
                <tr key={`${r.color}-${r.name}`}>
                  <th scope="row">
                    <span className="swatch" style={{ background: r.color }} aria-hidden /> {r.name}
                  </th>
                  <td>
                    {(times[i] ?? [])
                      .slice(-8)
                      .map((t) => (t === null ? "✗" : t))
                      .join(", ") || "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
