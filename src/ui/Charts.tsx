/**
 * Loss and LR charts side by side, sharing one step axis and a synced crosshair. Each run's series is
 * decimated with LTTB (Largest-Triangle-Three-Buckets, the `downsample` package) to ~600 points, so 8 runs ×
 * 20 000 steps redraw smoothly while keeping spikes and restarts visible.
 */
import { LTTB } from "downsample";
import { useMemo, useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Series } from "../store/lab";
import { useLab } from "./context";
import { fmt } from "./format";

const MAX_POINTS = 600;

type Pt = { step: number; v: number };

export function decimate(steps: number[], values: number[], positiveOnly: boolean): Pt[] {
  const pts: [number, number][] = [];
  for (let i = 0; i < steps.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && (!positiveOnly || v > 0)) pts.push([steps[i], v]);
  }
  const out = pts.length > MAX_POINTS ? (LTTB(pts, MAX_POINTS) as [number, number][]) : pts;
  return out.map(([step, v]) => ({ step, v }));
}

function SeriesChart(props: {
  title: string;
  metric: "loss" | "lr";
  log: boolean;
  onLog: (v: boolean) => void;
}) {
  const runs = useLab((s) => s.experiment.runs);
  const series = useLab((s) => s.series);
  const version = useLab((s) => s.version);
  const steps = useLab((s) => s.experiment.steps);
  // biome-ignore lint/correctness/useExhaustiveDependencies: series arrays grow in place; `version` marks each batch
  const data = useMemo(
    () => series.map((s: Series) => decimate(s.steps, props.metric === "loss" ? s.loss : s.lr, props.log)),
    [series, version, props.metric, props.log],
  );
  const points = data.reduce((a, d) => a + d.length, 0);
  return (
    <figure
      className="chart"
      aria-label={`${props.title} chart`}
      data-points={points}
      data-metric={props.metric}
    >
      <figcaption>
        <strong>{props.title}</strong>
        <label className="toggle">
          <input
            type="checkbox"
            checked={props.log}
            onChange={(e) => props.onLog(e.target.checked)}
            aria-label={`Log scale (${props.title})`}
          />
          log scale
        </label>
      </figcaption>
      <div className="plot">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart syncId="lrlab" syncMethod="value" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
            <XAxis
              type="number"
              dataKey="step"
              domain={[0, steps]}
              allowDataOverflow
              tick={{ fontSize: 12 }}
            />
            <YAxis
              type="number"
              scale={props.log ? "log" : "linear"}
              domain={["auto", "auto"]}
              allowDataOverflow
              tickFormatter={(v: number) => fmt(v, 2)}
              width={64}
              tick={{ fontSize: 12 }}
            />
            <Tooltip
              formatter={(v) => fmt(Number(v), 4)}
              labelFormatter={(l) => `step ${l}`}
              isAnimationActive={false}
            />
            <Legend />
            {runs.map((r, i) => (
              <Line
                // biome-ignore lint/suspicious/noArrayIndexKey: a run's index is its identity (worker protocol)
                key={`${i}-${r.name}`}
                data={data[i]}
                dataKey="v"
                name={r.name}
                stroke={r.color}
                dot={false}
                strokeWidth={2}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function Charts() {
  const [logLoss, setLogLoss] = useState(true);
  const [logLr, setLogLr] = useState(false);
  return (
    <section className="charts" aria-label="Charts">
      <SeriesChart title="Loss" metric="loss" log={logLoss} onLog={setLogLoss} />
      <SeriesChart title="Learning rate" metric="lr" log={logLr} onLog={setLogLr} />
    </section>
  );
}
