/**
 * "Find the LR": the LR range test on the current experiment (fastai's lr_find or torch-lr-finder), run by the
 * training worker on a throwaway copy — same initial weights, same batches — so the race is left alone. The
 * loss is drawn against the LR on a log axis (raw faint, recorded bold), with the stop and every suggestion
 * marked and named; "Use this LR" sets the base LR or a OneCycleLR / CyclicLR run's max_lr. The test's
 * settings are part of the link (experiment.view.range), so a shared link reopens it.
 */
import { scaleLinear, scaleLog } from "d3-scale";
import { useId } from "react";
import { parseRangeTest, RANGE_FLAVORS, RANGE_PARAMS, type RangeFlavor } from "../engine/rangeTest";
import { axisTicks } from "../experiment/axes";
import { rangeTestPython } from "../experiment/pytorchMethods";
import { namedSuggestions, type RangeRun, SUGGESTION_HELP } from "../experiment/rangeTest";
import { useLab } from "./context";
import { fmt } from "./format";
import { ParamControl } from "./ParamControl";
import { download } from "./share";
import { useModal } from "./useModal";
import { useSize } from "./useSize";

const FLAVOR_LABEL: Record<RangeFlavor, string> = {
  fastai: "fastai (lr_find)",
  "torch-lr-finder": "torch-lr-finder (range_test)",
};
/** Suggestion markers: shape as well as colour (colour-blind safe, Okabe–Ito). */
const MARK: Record<string, { color: string; shape: "circle" | "square" | "diamond" | "triangle" }> = {
  valley: { color: "#D55E00", shape: "circle" },
  slide: { color: "#009E73", shape: "square" },
  minimum: { color: "#CC79A7", shape: "diamond" },
  steep: { color: "#0072B2", shape: "triangle" },
  steepest: { color: "#0072B2", shape: "triangle" },
};

function Marker({ x, y, kind, size }: { x: number; y: number; kind: string; size: number }) {
  const m = MARK[kind] ?? MARK.valley;
  const s = size;
  const common = { fill: m.color, stroke: "var(--bg, #fff)", strokeWidth: 1.5 };
  if (m.shape === "square") return <rect x={x - s} y={y - s} width={2 * s} height={2 * s} {...common} />;
  if (m.shape === "diamond")
    return (
      <polygon
        points={`${x},${y - s * 1.3} ${x + s * 1.3},${y} ${x},${y + s * 1.3} ${x - s * 1.3},${y}`}
        {...common}
      />
    );
  if (m.shape === "triangle")
    return (
      <polygon points={`${x},${y - s * 1.3} ${x + s * 1.2},${y + s} ${x - s * 1.2},${y + s}`} {...common} />
    );
  return <circle cx={x} cy={y} r={s} {...common} />;
}

/** Loss against LR (log x): raw faint, recorded bold, the stop and each suggestion marked and named. */
export function RangeChart({ r, present }: { r: RangeRun; present: boolean }) {
  const [ref, { width }] = useSize<HTMLDivElement>();
  const font = present ? 18 : 13;
  const W = Math.max(280, width);
  // Tall enough to read, short enough that the whole dialog fits a 1280×720 projector.
  const H = Math.round(Math.min(420, W * 0.5, Math.max(220, window.innerHeight * (present ? 0.48 : 0.55))));
  const m = { l: font * 4, r: font, t: font * 0.8, b: font * 2.8 };
  const n = r.lr.length;
  const finite = [...r.raw, ...r.smoothed].filter(Number.isFinite);
  // The y range follows the recorded curve up to 3× its first value, so a divergence does not flatten the rest.
  const first = r.smoothed.find(Number.isFinite) ?? 1;
  const lo = Math.min(...finite);
  const hi = Math.min(Math.max(...finite), Math.max(3 * first, lo * 1.5));
  const yt = axisTicks([Math.max(0, lo - (hi - lo) * 0.05), hi], false, 5);
  const xDom: [number, number] = n
    ? [r.lr[0], r.lr[n - 1] > r.lr[0] ? r.lr[n - 1] : r.lr[0] * 10]
    : [1e-7, 10];
  const xt = axisTicks(xDom, true, 6);
  const x = scaleLog()
    .domain(xDom)
    .range([m.l, W - m.r]);
  const y = scaleLinear()
    .domain(yt.domain)
    .range([H - m.b, m.t])
    .clamp(true);
  const path = (ys: number[]) => {
    let d = "";
    let pen = false;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(ys[i])) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${x(r.lr[i]).toFixed(1)},${y(ys[i]).toFixed(1)}`;
      pen = true;
    }
    return d;
  };
  const sugg = namedSuggestions(r.suggestions);
  const stopX = n ? x(r.lr[n - 1]) : 0;
  const desc = `Range test (${FLAVOR_LABEL[r.flavor]}): ${n} iterations from LR ${fmt(r.lr[0])} to ${fmt(r.lr[n - 1])}, ${
    r.reason === "diverged"
      ? "stopped when the loss diverged"
      : r.reason === "non-finite"
        ? "stopped at a non-finite loss"
        : "ran to the end"
  }. ${sugg.map(({ name, s }) => `${name}: LR ${fmt(s.lr)} (iteration ${s.index})`).join("; ")}.`;
  return (
    <div ref={ref} className="range-chart">
      <svg width={W} height={H} role="img" aria-label={desc} style={{ fontSize: font }}>
        <title>{desc}</title>
        {yt.ticks.map((t) => (
          <g key={`y${t}`}>
            <line x1={m.l} x2={W - m.r} y1={y(t)} y2={y(t)} className="grid" />
            <text x={m.l - 6} y={y(t)} dy="0.32em" textAnchor="end">
              {yt.label(t)}
            </text>
          </g>
        ))}
        {xt.ticks.map((t) => (
          <g key={`x${t}`}>
            <line x1={x(t)} x2={x(t)} y1={m.t} y2={H - m.b} className="grid" />
            <text x={x(t)} y={H - m.b + font * 1.2} textAnchor="middle">
              {xt.label(t)}
            </text>
          </g>
        ))}
        <text x={(m.l + W - m.r) / 2} y={H - 4} textAnchor="middle">
          learning rate (log scale)
        </text>
        <text transform={`translate(${font},${(m.t + H - m.b) / 2}) rotate(-90)`} textAnchor="middle">
          loss
        </text>
        {r.suggestions.window[1] > r.suggestions.window[0] && n ? (
          <rect
            x={x(r.lr[Math.min(r.suggestions.window[0], n - 1)])}
            width={Math.max(
              0,
              x(r.lr[Math.min(r.suggestions.window[1] - 1, n - 1)]) -
                x(r.lr[Math.min(r.suggestions.window[0], n - 1)]),
            )}
            y={m.t}
            height={H - m.b - m.t}
            className="window"
          >
            <title>the points the suggestions are computed from</title>
          </rect>
        ) : null}
        <path d={path(r.raw)} className="raw" />
        <path d={path(r.smoothed)} className="smoothed" />
        {n ? (
          <g>
            <line x1={stopX} x2={stopX} y1={m.t} y2={H - m.b} className="stop" />
            <text x={stopX - 4} y={m.t + font} textAnchor="end" className="stop-label">
              {r.reason === "diverged" || r.reason === "non-finite" ? "stop: diverged" : "end"}
            </text>
          </g>
        ) : null}
        {sugg.map(({ name, s }, k) => {
          const px = x(r.lr[s.index]);
          const py = y(r.smoothed[s.index]);
          return (
            <g key={name}>
              <Marker x={px} y={py} kind={name} size={font * 0.4} />
              <text
                x={px > W - m.r - font * 6 ? px - font * 0.6 : px + font * 0.6}
                textAnchor={px > W - m.r - font * 6 ? "end" : "start"}
                y={py - font * (0.5 + 0.9 * (k % 2))}
                className="sugg-label"
              >
                {name}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** Mounted (lazily) while the experiment has a range test open. */
export function RangeDialog() {
  const exp = useLab((s) => s.experiment);
  const range = useLab((s) => s.range);
  const setRange = useLab((s) => s.setRange);
  const runRange = useLab((s) => s.runRange);
  const cancelRange = useLab((s) => s.cancelRange);
  const closeRange = useLab((s) => s.closeRange);
  const applyLr = useLab((s) => s.useRangeLr);
  const cfg = exp.view.range;
  const ref = useModal(cfg.flavor !== "" && cfg.open);
  const flavorId = useId();
  if (cfg.flavor === "") return null;
  const flavor = cfg.flavor as RangeFlavor;
  const params = parseRangeTest({ flavor, params: cfg.params }).params;
  const r = range.result;
  const cycled = exp.runs
    .map((run, i) => ({ run, i }))
    .filter(({ run }) => run.scheduler.scheduler === "OneCycleLR" || run.scheduler.scheduler === "CyclicLR");
  return (
    <dialog ref={ref} className="range-dialog" aria-label="Find the LR" onClose={closeRange}>
      <h2>Find the LR: the LR range test</h2>
      <p className="muted intro">
        A throwaway copy of this experiment — the same initial weights and batches, no noise, one run — trains
        with its LR growing from the start LR to the end LR, one step per mini-batch, and records the loss at
        each LR. The race is not touched.
      </p>
      <div className="range-settings">
        <label htmlFor={flavorId}>as</label>
        <select
          id={flavorId}
          value={flavor}
          disabled={range.state === "running"}
          onChange={(e) => setRange(e.target.value as RangeFlavor, {})}
        >
          {RANGE_FLAVORS.map((f) => (
            <option key={f} value={f}>
              {FLAVOR_LABEL[f]}
            </option>
          ))}
        </select>
        <div className="range-params">
          {RANGE_PARAMS[flavor].map((m) => (
            <ParamControl
              key={`${flavor}-${m.key}`}
              scheduler="range test"
              meta={m}
              value={params[m.key]}
              runName="range test"
              onChange={(v) => setRange(flavor, { ...cfg.params, [m.key]: v })}
            />
          ))}
        </div>
      </div>
      <div className="row">
        {range.state === "running" ? (
          <>
            <button type="button" onClick={cancelRange}>
              Cancel
            </button>
            <progress
              max={range.progress?.total || 1}
              value={range.progress?.done ?? 0}
              aria-label="range test progress"
            />
            <span role="status">
              iteration {range.progress?.done ?? 0} of {range.progress?.total || "…"}
            </span>
          </>
        ) : (
          <button type="button" className="primary" onClick={runRange}>
            {r ? "Run it again" : "Run the range test"}
          </button>
        )}
        <button
          type="button"
          onClick={() =>
            download(
              "lr_range_test.py",
              new Blob([rangeTestPython({ flavor, params })], { type: "text/x-python" }),
            )
          }
        >
          Export as PyTorch
        </button>
        <button type="button" onClick={closeRange}>
          Close
        </button>
      </div>
      {range.state === "error" ? <p role="alert">The range test failed: {range.error}</p> : null}
      {r ? (
        <>
          {r.diverged ? (
            <p role="status" className="diverged-note">
              Diverged at LR {fmt(r.diverged.lr)} (iteration {r.diverged.index}): the loss was no longer a
              number, so the test stopped there. The curve up to it is kept.
            </p>
          ) : r.reason === "cancelled" ? (
            <p role="status">Cancelled after {r.stop} iterations: the suggestions use what was recorded.</p>
          ) : (
            <p role="status">
              {r.stop} iterations, LR {fmt(r.lr[0])} to {fmt(r.lr[r.stop - 1])}:{" "}
              {r.reason === "diverged"
                ? `stopped when the recorded loss passed ${flavor === "fastai" ? "4×" : `${params.diverge_th}×`} its best`
                : "ran to the end"}
              .
            </p>
          )}
          <RangeChart r={r} present={exp.view.present} />
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable box must be reachable by keyboard */}
          <section className="table-scroll" tabIndex={0} aria-label="Suggestions">
            <table className="range-suggestions">
              <caption>Suggestions ({FLAVOR_LABEL[flavor]}), computed as the library computes them</caption>
              <thead>
                <tr>
                  <th scope="col">suggestion</th>
                  <th scope="col">iteration</th>
                  <th scope="col">LR</th>
                  <th scope="col">use it</th>
                </tr>
              </thead>
              <tbody>
                {namedSuggestions(r.suggestions).map(({ name, s }) => (
                  <tr key={name}>
                    <th scope="row">
                      {name}
                      <div className="muted help">{SUGGESTION_HELP[name]}</div>
                    </th>
                    <td>{s.index}</td>
                    <td>{fmt(s.lr, 3)}</td>
                    <td className="use">
                      <button type="button" onClick={() => applyLr(Number(s.lr.toPrecision(3)), "base")}>
                        as base LR
                      </button>
                      {cycled.map(({ run, i }) => (
                        <button key={i} type="button" onClick={() => applyLr(Number(s.lr.toPrecision(3)), i)}>
                          as max_lr of {run.name}
                        </button>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {namedSuggestions(r.suggestions).length === 0 ? (
            <p>No suggestion: too few points were recorded before the stop.</p>
          ) : null}
        </>
      ) : null}
    </dialog>
  );
}
