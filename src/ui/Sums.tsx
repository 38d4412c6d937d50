import { useRef } from "react";
/**
 * Robbins–Monro view: each run's running Σλ and Σλ² next to the LR. SGD converges (for convex, smooth
 * problems with bounded noise) when Σλ = ∞ — the steps can reach any distance — and Σλ² < ∞ — the noise they
 * inject stays bounded. A sum still rising at the end of the run is heading for ∞; one that has levelled off
 * is converging.
 */
import { useLab } from "./context";
import { fmt } from "./format";
import { RunName } from "./RunName";
import { useThrottledVersion } from "./useThrottled";

const W = 300;
const H = 120;
const MAX_POINTS = 300;

/** Running sums of λ and λ², decimated to at most MAX_POINTS points. */
export function runningSums(lr: readonly number[]): { s1: number[]; s2: number[]; at: number[] } {
  const every = Math.max(1, Math.ceil(lr.length / MAX_POINTS));
  const s1: number[] = [];
  const s2: number[] = [];
  const at: number[] = [];
  let a = 0;
  let b = 0;
  lr.forEach((x, i) => {
    a += x;
    b += x * x;
    if (i % every === 0 || i === lr.length - 1) {
      s1.push(a);
      s2.push(b);
      at.push(i);
    }
  });
  return { s1, s2, at };
}

function Mini({
  title,
  data,
  runs,
}: {
  title: string;
  data: { ys: number[]; at: number[]; color: string; name: string }[];
  runs: number;
}) {
  const maxX = Math.max(1, ...data.map((d) => d.at.at(-1) ?? 0));
  const maxY = Math.max(1e-12, ...data.flatMap((d) => d.ys));
  return (
    <figure className="mini">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`${title} of ${runs} runs`}>
        <line x1={0} y1={H} x2={W} y2={H} stroke="var(--muted)" />
        {data.map((d) => (
          <polyline
            key={`${d.name}-${d.color}`}
            fill="none"
            stroke={d.color}
            strokeWidth={2}
            points={d.ys
              .map((y, i) => `${((d.at[i] / maxX) * W).toFixed(1)},${(H - (y / maxY) * (H - 4)).toFixed(1)}`)
              .join(" ")}
          />
        ))}
      </svg>
    </figure>
  );
}

export function SumsPanel() {
  const runs = useLab((s) => s.experiment.runs);
  const series = useLab((s) => s.series);
  const hidden = useLab((s) => s.hidden);
  const ref = useRef<HTMLElement>(null);
  useThrottledVersion(300, false, ref);
  const rows = runs
    .map((run, r) => ({ run, r, sums: runningSums(series[r]?.lr ?? []) }))
    .filter((x) => !hidden[x.r]);
  // "Still growing": the last 10% of the run added more than 2% to the sum.
  const growing = (ys: number[]) => {
    if (ys.length < 10) return "—";
    const end = ys[ys.length - 1];
    const before = ys[Math.floor(ys.length * 0.9)];
    return end > 0 && (end - before) / end > 0.02 ? "still growing" : "levelling off";
  };
  return (
    <section ref={ref} className="sums" aria-label="Robbins–Monro sums">
      <h2>Robbins–Monro: Σλ should grow without bound, Σλ² should level off</h2>
      <div className="minis">
        <Mini
          title="Σλ (distance the steps can cover)"
          runs={rows.length}
          data={rows.map((x) => ({ ys: x.sums.s1, at: x.sums.at, color: x.run.color, name: x.run.name }))}
        />
        <Mini
          title="Σλ² (noise the steps inject)"
          runs={rows.length}
          data={rows.map((x) => ({ ys: x.sums.s2, at: x.sums.at, color: x.run.color, name: x.run.name }))}
        />
      </div>
      <table>
        <thead>
          <tr>
            <th scope="col">run</th>
            <th scope="col">Σλ</th>
            <th scope="col">last 10% of steps</th>
            <th scope="col">Σλ²</th>
            <th scope="col">last 10% of steps</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((x) => (
            <tr key={`${x.run.name}-${x.run.color}`}>
              <th scope="row">
                <RunName run={x.run} />
              </th>
              <td>{fmt(x.sums.s1.at(-1) ?? 0, 4)}</td>
              <td>{growing(x.sums.s1)}</td>
              <td>{fmt(x.sums.s2.at(-1) ?? 0, 4)}</td>
              <td>{growing(x.sums.s2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
