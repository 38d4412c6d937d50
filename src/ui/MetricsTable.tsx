/** Per-run metrics, computed from the streamed series; sortable by any column. */
import { useMemo, useRef, useState } from "react";
import { runMetrics } from "../experiment/metrics";
import { useLab } from "./context";
import { fmt } from "./format";
import { useThrottledVersion } from "./useThrottled";

const COLUMNS = [
  { key: "finalLoss", label: "final loss", help: "mean of the last 10 losses" },
  { key: "bestLoss", label: "best loss", help: "lowest loss seen" },
  { key: "auc", label: "AUC", help: "area under the loss curve (trapezoids)" },
  { key: "stepsToTarget", label: "steps to target", help: "first step with loss ≤ the target" },
  {
    key: "medianRecovery",
    label: "median recovery",
    help: "steps until the loss is back below 1.1× its pre-spike value",
  },
  { key: "recoveryRatio", label: "recovery ratio", help: "max loss ÷ final loss" },
  { key: "divergedAt", label: "diverged at", help: "step of the first NaN/∞ loss" },
  {
    key: "cost",
    label: "cost per step",
    help: "what the run's method computes per step on the batch, on average: gradients (its own, plus one for a curvature fact) and extra forward passes (the loss at a schedule-free run's average x, a line search's trials)",
  },
] as const;
type Key = (typeof COLUMNS)[number]["key"];

/** Mean gradients and extra forward passes per step (null before the first step), and their sum to sort by. */
function perStep(c: { grads: number; fwds: number } | undefined, n: number) {
  if (!c || n === 0) return { cost: null, grads: 0, fwds: 0 };
  return { cost: (c.grads + c.fwds) / n, grads: c.grads / n, fwds: c.fwds / n };
}

export function MetricsTable() {
  const runs = useLab((s) => s.experiment.runs);
  const series = useLab((s) => s.series);
  const onsets = useLab((s) => s.onsets);
  const ref = useRef<HTMLElement>(null);
  const version = useThrottledVersion(1000, true, ref);
  const [target, setTarget] = useState(0.1);
  const [sort, setSort] = useState<{ key: Key; asc: boolean }>({ key: "finalLoss", asc: true });
  // biome-ignore lint/correctness/useExhaustiveDependencies: series grow in place; `version` marks each batch
  const rows = useMemo(
    () =>
      runs.map((r, i) => ({
        run: r,
        i,
        m: {
          ...runMetrics(series[i]?.steps ?? [], series[i]?.loss ?? [], {
            onsets,
            target,
            divergedAt: series[i]?.divergedAt ?? null,
          }),
          ...perStep(series[i]?.cost, series[i]?.steps.length ?? 0),
        },
      })),
    [runs, series, onsets, target, version],
  );
  const sorted = [...rows].sort((a, b) => {
    const x = a.m[sort.key];
    const y = b.m[sort.key];
    if (x === null) return 1;
    if (y === null) return -1;
    return sort.asc ? x - y : y - x;
  });
  return (
    <section ref={ref} className="metrics" aria-label="Metrics">
      <div className="row">
        <h2>Metrics</h2>
        <label className="field inline">
          <span>target loss</span>
          <input
            type="number"
            aria-label="Target loss"
            step="any"
            value={target}
            onChange={(e) => Number(e.target.value) > 0 && setTarget(Number(e.target.value))}
          />
        </label>
        <span className="muted">
          {onsets.length} perturbation{onsets.length === 1 ? "" : "s"}
        </span>
      </div>
      <table>
        <thead>
          <tr>
            <th scope="col">run</th>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                scope="col"
                title={c.help}
                aria-sort={sort.key === c.key ? (sort.asc ? "ascending" : "descending") : "none"}
              >
                <button
                  type="button"
                  className="link"
                  onClick={() => setSort({ key: c.key, asc: sort.key === c.key ? !sort.asc : true })}
                >
                  {c.label}
                  {sort.key === c.key ? (sort.asc ? " ▲" : " ▼") : ""}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map(({ run, m, i }) => (
            <tr key={`${run.color}-${run.name}`} data-run={i}>
              <th scope="row">
                <span className="swatch" style={{ background: run.color }} aria-hidden /> {run.name}
              </th>
              <td>{fmt(m.finalLoss, 4)}</td>
              <td>{fmt(m.bestLoss, 4)}</td>
              <td>{fmt(m.auc, 4)}</td>
              <td>{m.stepsToTarget ?? "—"}</td>
              <td>{m.medianRecovery ?? (m.recoveryTimes.length ? "not recovered" : "—")}</td>
              <td>{fmt(m.recoveryRatio, 3)}</td>
              <td className={m.divergedAt !== null ? "diverged" : ""}>{m.divergedAt ?? "—"}</td>
              <td>
                {m.cost === null
                  ? "—"
                  : `${fmt(m.grads, 2)} grad${m.fwds > 0 ? ` + ${fmt(m.fwds, 2)} fwd` : ""}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
