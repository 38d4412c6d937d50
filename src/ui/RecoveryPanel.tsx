/**
 * Noise recovery, the third chart of the stage: every run's loss around the perturbations, aligned at the
 * onset and divided by the loss just before it (averaged over onsets), with the 1.1× "recovered" line and each
 * run's recovery times. With no noise configured it says how to get one, so the stage never has a hole.
 */
import { useMemo, useRef } from "react";
import { recoveryTimes } from "../experiment/metrics";
import { alignedWindows } from "../experiment/recovery";
import { useLab } from "./context";
import { useSize } from "./useSize";
import { useThrottledVersion } from "./useThrottled";

const BEFORE = 5;
const AFTER = 60;

/**
 * A plain-SVG chart (log y) drawn in real pixels: a few short lines need no chart library (recharts' <Line>
 * measures its path on every render), and text keeps its size on a projector.
 */
function AlignedChart({
  rows,
  runs,
  font,
}: {
  rows: (number | null)[][];
  runs: { name: string; color: string }[];
  font: number;
}) {
  const [ref, { width: W, height: H }] = useSize<HTMLDivElement>();
  const M = { l: font * 3.2, r: font * 1.4, t: 8, b: font * 1.8 };
  const all = rows.flat().filter((v): v is number => v !== null && v > 0);
  const lo = Math.min(0.5, ...all);
  const hi = Math.max(2, ...all);
  const x = (k: number) => M.l + ((k + BEFORE) / (BEFORE + AFTER)) * (W - M.l - M.r);
  const y = (v: number) =>
    M.t + (1 - (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (H - M.t - M.b);
  const ticks = [0.5, 1, 1.1, 2, 5, 10, 100, 1000].filter((t) => t >= lo && t <= hi && t !== 1);
  return (
    <div ref={ref} className="svg-box">
      {W > 0 && H > 0 ? (
        <svg
          width={W}
          height={H}
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
              <text x={M.l - 4} y={y(t) + font / 3} fontSize={font} textAnchor="end" fill="var(--muted)">
                {t}×
              </text>
            </g>
          ))}
          {[0, 20, 40, 60].map((k) => (
            <text key={k} x={x(k)} y={H - 4} fontSize={font} textAnchor="middle" fill="var(--muted)">
              {k === 0 ? "onset" : `+${k}`}
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
                strokeWidth={2.5}
                fill="none"
              />
            ) : null;
          })}
        </svg>
      ) : null}
    </div>
  );
}

export function RecoveryPanel() {
  const runs = useLab((s) => s.experiment.runs);
  const noise = useLab((s) => s.experiment.noise);
  const present = useLab((s) => s.experiment.view.present);
  const series = useLab((s) => s.series);
  const onsets = useLab((s) => s.onsets);
  const ref = useRef<HTMLElement>(null);
  const version = useThrottledVersion(1000, true, ref);
  // biome-ignore lint/correctness/useExhaustiveDependencies: series grow in place; `version` marks batches
  const { rows, times } = useMemo(() => {
    const rows = series.map((s) => alignedWindows(s.steps, s.loss, onsets, BEFORE, AFTER));
    const times = series.map((s) => recoveryTimes(s.steps, s.loss, onsets));
    return { rows, times };
  }, [series, onsets, version]);
  const empty =
    noise.type === "clean"
      ? "No noise in this experiment. Choose one under Experiment → Noise to see how each run recovers from perturbations: its loss after each one, relative to the loss just before it."
      : onsets.length
        ? null
        : noise.type === "gaussian" || noise.type === "adversarial"
          ? `${noise.type} noise acts at every step: there are no onsets to align.`
          : "No perturbation yet: press Play.";
  return (
    <figure ref={ref} className="chart recovery" aria-label="Noise recovery chart">
      <figcaption>
        <strong>Noise recovery</strong>
        <span className="muted small">
          {noise.type === "clean"
            ? "no noise"
            : `${noise.type} ×${noise.strength} into the ${noise.target}${onsets.length ? ` · ${onsets.length} onset${onsets.length > 1 ? "s" : ""}` : ""}`}
        </span>
      </figcaption>
      <div className="plot">
        {empty ? (
          <p className="empty muted">{empty}</p>
        ) : (
          <AlignedChart rows={rows} runs={runs} font={present ? 18 : 12} />
        )}
      </div>
      {empty ? null : (
        <p className="readout">
          <strong title="steps until the loss is back below 1.1× the loss before the onset (✗: not yet)">
            recovered in (steps)
          </strong>
          {runs.map((r, i) => (
            <span key={`${r.color}-${r.name}`}>
              <span className="swatch" style={{ background: r.color }} aria-hidden /> {r.name}:{" "}
              {(times[i] ?? [])
                .slice(-4)
                .map((t) => (t === null ? "✗" : t))
                .join(", ") || "—"}
            </span>
          ))}
        </p>
      )}
    </figure>
  );
}
