/** Noise recovery: every run's loss around the perturbations, aligned at the onset, with recovery times. */
import { useMemo } from "react";
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { runMetrics } from "../experiment/metrics";
import { alignedWindows } from "../experiment/recovery";
import { useLab } from "./context";
import { fmt } from "./format";
import { useThrottledVersion } from "./useThrottled";

const BEFORE = 5;
const AFTER = 60;

export function RecoveryPanel() {
  const runs = useLab((s) => s.experiment.runs);
  const noise = useLab((s) => s.experiment.noise);
  const series = useLab((s) => s.series);
  const onsets = useLab((s) => s.onsets);
  const version = useThrottledVersion(1000);
  // biome-ignore lint/correctness/useExhaustiveDependencies: series grow in place; `version` marks batches
  const { rows, times } = useMemo(() => {
    const wins = series.map((s) => alignedWindows(s.steps, s.loss, onsets, BEFORE, AFTER));
    const rows = Array.from({ length: BEFORE + AFTER + 1 }, (_, j) => {
      const row: Record<string, number | null> = { k: j - BEFORE };
      wins.forEach((w, i) => {
        row[`r${i}`] = w[j];
      });
      return row;
    });
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
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: 4 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
                <XAxis dataKey="k" type="number" domain={[-BEFORE, AFTER]} tick={{ fontSize: 11 }} />
                <YAxis
                  scale="log"
                  domain={["auto", "auto"]}
                  tickFormatter={(v: number) => fmt(v, 2)}
                  width={44}
                  tick={{ fontSize: 11 }}
                  allowDataOverflow
                />
                <ReferenceLine y={1.1} stroke="var(--muted)" strokeDasharray="4 4" />
                <ReferenceLine x={0} stroke="var(--warn)" />
                <Tooltip
                  formatter={(v) => fmt(Number(v), 3)}
                  labelFormatter={(l) => `${l} steps after onset`}
                  isAnimationActive={false}
                />
                {runs.map((r, i) => (
                  <Line
                    key={`${r.color}-${r.name}`}
                    dataKey={`r${i}`}
                    name={r.name}
                    stroke={r.color}
                    dot={false}
                    isAnimationActive={false}
                    connectNulls
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
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
