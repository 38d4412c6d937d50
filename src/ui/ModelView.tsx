/**
 * What the models have learned, where it teaches: the selected run's decision boundary for 2-D
 * classification (probability of class 1 on a grid, with the data), every run's fit for 1-D regression,
 * held-out digits labelled by the selected run (with every run's accuracy), and text sampled from each run
 * of the char-LM. The worker computes them in batched forward passes a couple of times per second.
 */
import { useEffect, useMemo, useRef } from "react";
import type { RunConfig } from "../experiment/config";
import type { FromWorker, TaskViewMessage } from "../train/protocol";
import { useLab } from "./context";
import { RunName } from "./RunName";

/** The probability grid painted on a canvas (1 600 SVG rects re-rendered twice a second were a long task). */
function Heat({ values, grid }: { values: Float32Array; grid: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext("2d");
    if (!ctx) return;
    const img = ctx.createImageData(grid, grid);
    for (let k = 0; k < grid * grid; k++) {
      const p = values[k];
      const a = Math.min(1, Math.abs(p - 0.5) * 1.2);
      const [r, g, b] = p > 0.5 ? [234, 88, 12] : [37, 99, 235];
      img.data[4 * k] = Math.round(255 + (r - 255) * a);
      img.data[4 * k + 1] = Math.round(255 + (g - 255) * a);
      img.data[4 * k + 2] = Math.round(255 + (b - 255) * a);
      img.data[4 * k + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [values, grid]);
  return <canvas ref={ref} width={grid} height={grid} className="heat" aria-hidden />;
}

const W = 360;
const H = 300;

/** The data points (static for a build): memoised so view updates do not re-render 400 circles. */
function Points({
  x,
  y,
  lo,
  hi,
  label,
}: {
  x: Float32Array;
  y: Float32Array;
  lo: number;
  hi: number;
  label: string;
}) {
  const circles = useMemo(() => {
    const px = (v: number) => ((v - lo) / (hi - lo)) * W;
    const py = (v: number) => ((hi - v) / (hi - lo)) * H;
    return Array.from({ length: x.length / 2 }, (_, k) => (
      <circle
        // biome-ignore lint/suspicious/noArrayIndexKey: a static dataset: a point's index is its identity
        key={k}
        cx={px(x[2 * k])}
        cy={py(x[2 * k + 1])}
        r={2.2}
        fill={y[k] ? "#ea580c" : "#2563eb"}
        stroke="white"
        strokeWidth={0.6}
      />
    ));
  }, [x, y, lo, hi]);
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      preserveAspectRatio="none"
      className="points"
      role="img"
      aria-label={label}
    >
      {circles}
    </svg>
  );
}

export function ModelView() {
  const data = useLab((s) => s.taskData);
  const view = useLab((s) => s.taskView);
  const runs = useLab((s) => s.experiment.runs);
  const selected = useLab((s) => s.selected);
  const hidden = useLab((s) => s.hidden);
  if (!data || !view) return null;
  if (view.type === "digits")
    return data.kind === "digits" ? (
      <DigitsView data={data} view={view} runs={runs} selected={selected} hidden={hidden} />
    ) : null;
  if (view.type === "text") return <TextView view={view} runs={runs} hidden={hidden} title={data.title} />;
  const { lo, hi, grid } = view;
  const px = (v: number) => ((v - lo) / (hi - lo)) * W;
  if (data.kind === "classification" && data.dim === 2) {
    const run = Math.min(selected, view.values.length - 1);
    return (
      <section className="taskview" aria-label="Decision boundary">
        <h2>
          Decision boundary — <RunName run={runs[run]} />{" "}
          <span className="muted">(select a run to see its boundary)</span>
        </h2>
        <div className="heat-wrap" style={{ maxWidth: W * 1.5 }}>
          <Heat values={view.values[run]} grid={grid} />
          <Points x={data.x} y={data.y} lo={lo} hi={hi} label={`Decision boundary of ${runs[run]?.name}`} />
        </div>
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

/** One 14×14 digit on a canvas, scaled up by CSS (pixelated). */
function Digit({ pixels }: { pixels: Float32Array }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const side = Math.round(Math.sqrt(pixels.length));
  useEffect(() => {
    const ctx = ref.current?.getContext("2d");
    if (!ctx) return;
    const img = ctx.createImageData(side, side);
    for (let k = 0; k < side * side; k++) {
      const v = 255 - Math.round(pixels[k] * 255);
      img.data.set([v, v, v, 255], 4 * k);
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels, side]);
  return <canvas ref={ref} width={side} height={side} className="digit" aria-hidden />;
}

interface ViewProps<V> {
  view: V;
  runs: RunConfig[];
  hidden: boolean[];
}

function DigitsView({
  data,
  view,
  runs,
  selected,
  hidden,
}: ViewProps<Extract<TaskViewMessage, { type: "digits" }>> & {
  data: Extract<FromWorker, { type: "data" }>;
  selected: number;
}) {
  const run = Math.min(selected, view.preds.length - 1);
  const P = data.dim;
  const images = useMemo(
    () => Array.from({ length: data.y.length }, (_, k) => data.x.subarray(k * P, (k + 1) * P)),
    [data, P],
  );
  const preds = view.preds[run] ?? new Int32Array(0);
  return (
    <section className="taskview" aria-label="Digits">
      <h2>
        Held-out digits as <RunName run={runs[run]} /> reads them{" "}
        <span className="muted">(select a run; red = wrong)</span>
      </h2>
      <div className="digits">
        {images.map((img, k) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list of held-out digits
          <figure key={k} className={preds[k] === data.y[k] ? "ok" : "wrong"}>
            <Digit pixels={img} />
            <figcaption>{preds[k] ?? "?"}</figcaption>
          </figure>
        ))}
      </div>
      <ul className="accuracy" aria-label="Accuracy on held-out digits">
        {view.accuracy.map((a, r) =>
          hidden[r] || !runs[r] ? null : (
            <li key={`${runs[r].color}-${runs[r].name}`}>
              <RunName run={runs[r]} />: {(a * 100).toFixed(1)}% of {view.heldOut}
            </li>
          ),
        )}
      </ul>
    </section>
  );
}

function TextView({
  view,
  runs,
  hidden,
  title,
}: ViewProps<Extract<TaskViewMessage, { type: "text" }>> & { title?: string }) {
  return (
    <section className="taskview" aria-label="Sampled text">
      <h2>
        Text each run writes after “{view.prompt.trim()}”{" "}
        <span className="muted">
          (step {view.step}; trained on {title})
        </span>
      </h2>
      <div className="samples">
        {view.samples.map((t, r) =>
          hidden[r] || !runs[r] ? null : (
            <figure key={`${runs[r].color}-${runs[r].name}`}>
              <figcaption>
                <RunName run={runs[r]} />
              </figcaption>
              <pre className="sample">
                <span className="muted">{view.prompt}</span>
                {t}
              </pre>
            </figure>
          ),
        )}
      </div>
    </section>
  );
}
