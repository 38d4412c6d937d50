/**
 * What the models have learned, where it teaches: the selected run's decision boundary for 2-D
 * classification (probability of class 1 on a grid, with the data), every run's fit for 1-D regression.
 * The worker computes the grid in one batched forward pass a couple of times per second.
 */
import { useLab } from "./context";

const W = 360;
const H = 300;

export function ModelView() {
  const data = useLab((s) => s.taskData);
  const view = useLab((s) => s.taskView);
  const runs = useLab((s) => s.experiment.runs);
  const selected = useLab((s) => s.selected);
  const hidden = useLab((s) => s.hidden);
  if (!data || !view) return null;
  const { lo, hi, grid } = view;
  const px = (v: number) => ((v - lo) / (hi - lo)) * W;
  if (data.kind === "classification" && data.dim === 2) {
    const run = Math.min(selected, view.values.length - 1);
    const vals = view.values[run];
    const cells = Array.from(vals, (p, k) => ({
      id: `${k % grid}-${Math.floor(k / grid)}`,
      i: k % grid,
      j: Math.floor(k / grid),
      p,
    }));
    const pts = Array.from({ length: data.x.length / 2 }, (_, k) => ({
      id: `d${k}`,
      a: data.x[2 * k],
      b: data.x[2 * k + 1],
      c: data.y[k],
    }));
    const py = (v: number) => ((hi - v) / (hi - lo)) * H;
    return (
      <section className="taskview" aria-label="Decision boundary">
        <h2>
          Decision boundary — <span style={{ color: runs[run]?.color }}>{runs[run]?.name}</span>{" "}
          <span className="muted">(select a run to see its boundary)</span>
        </h2>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          width="100%"
          style={{ maxWidth: W * 1.5 }}
          role="img"
          aria-label={`Decision boundary of ${runs[run]?.name}`}
        >
          {cells.map((c) => (
            <rect
              key={c.id}
              x={(c.i * W) / grid}
              y={(c.j * H) / grid}
              width={W / grid + 0.5}
              height={H / grid + 0.5}
              fill={
                c.p > 0.5
                  ? `rgba(234, 88, 12, ${(c.p - 0.5) * 1.2})`
                  : `rgba(37, 99, 235, ${(0.5 - c.p) * 1.2})`
              }
            />
          ))}
          {pts.map((p) => (
            <circle
              key={p.id}
              cx={px(p.a)}
              cy={py(p.b)}
              r={2.2}
              fill={p.c ? "#ea580c" : "#2563eb"}
              stroke="white"
              strokeWidth={0.6}
            />
          ))}
        </svg>
      </section>
    );
  }
  if (data.kind === "regression") {
    let ylo = Number.POSITIVE_INFINITY;
    let yhi = Number.NEGATIVE_INFINITY;
    for (const v of data.y) {
      ylo = Math.min(ylo, v);
      yhi = Math.max(yhi, v);
    }
    const pad = (yhi - ylo) * 0.15 || 1;
    ylo -= pad;
    yhi += pad;
    const py = (v: number) => ((yhi - Math.min(yhi, Math.max(ylo, v))) / (yhi - ylo)) * H;
    const xs = Array.from({ length: grid }, (_, i) => lo + ((hi - lo) * i) / (grid - 1));
    const pts = Array.from(data.x, (a, k) => ({ id: `d${k}`, a, b: data.y[k] }));
    return (
      <section className="taskview" aria-label="Fit">
        <h2>Fit to the data</h2>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          width="100%"
          style={{ maxWidth: W * 1.5 }}
          role="img"
          aria-label="Each run's fit to the noisy sine"
        >
          {pts.map((p) => (
            <circle key={p.id} cx={px(p.a)} cy={py(p.b)} r={2} fill="var(--muted)" />
          ))}
          {view.values.map((vals, r) =>
            hidden[r] || !runs[r] ? null : (
              <path
                key={`${runs[r].color}-${runs[r].name}`}
                d={`M${xs.map((x, i) => `${px(x).toFixed(1)},${py(vals[i]).toFixed(1)}`).join("L")}`}
                fill="none"
                stroke={runs[r].color}
                strokeWidth={2}
              />
            ),
          )}
        </svg>
      </section>
    );
  }
  return null;
}
