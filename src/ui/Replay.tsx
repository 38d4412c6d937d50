/**
 * Replay mode: bring your own training log and see what loss-driven schedulers would decide on it. The log's
 * loss is drawn once; each run's LR trajectory is the engine's answer to that loss stream, recomputed at once
 * when a slider moves. Open loop, and the page says so: the run's loss did not react to these LRs.
 */
import { LTTB } from "downsample";
import { useEffect, useMemo, useRef, useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useStore } from "zustand";
import { getSpec } from "../engine";
import { toCsvText } from "../experiment/csv";
import { peakLr } from "../experiment/logs";
import { pytorchSnippet } from "../experiment/pytorch";
import {
  EXAMPLE_LOGS,
  LOSS_DRIVEN,
  type ReplayResult,
  replayable,
  replayExperiment,
  replayRun,
} from "../experiment/replay";
import { replayLogStore } from "../store/replay";
import { useLab } from "./context";
import { ParamControl } from "./ParamControl";
import { download, shareUrl } from "./share";

/** The sliders a replay shows per scheduler (the rest stay at their values; the race panel has them all). */
const KEYS: Record<string, string[]> = {
  GreedyLR: ["factor", "patience", "smooth", "window_size", "cooldown", "min_lr", "max_lr"],
  ReduceLROnPlateau: ["factor", "patience", "threshold", "cooldown", "min_lr"],
};

const POINTS = 800;
const down = (xs: ArrayLike<number>, ys: ArrayLike<number>): { x: number; y: number }[] => {
  const pts: [number, number][] = [];
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(ys[i])) pts.push([xs[i], ys[i]]);
  const d = pts.length > POINTS ? (LTTB(pts, POINTS) as [number, number][]) : pts;
  return d.map(([x, y]) => ({ x, y }));
};

/** The trajectories as CSV (experiment/csv.ts: quoted, formulas neutralised, empty cells for runs that cannot replay). */
function toCsv(
  steps: ArrayLike<number>,
  loss: ArrayLike<number>,
  logLr: ArrayLike<number> | null,
  names: string[],
  res: (ReplayResult | null)[],
) {
  const fields = ["step", "loss", ...(logLr ? ["log_lr"] : []), ...names.map((n) => `lr ${n}`)];
  const data = Array.from({ length: steps.length }, (_, i) => [
    steps[i],
    loss[i],
    ...(logLr ? [logLr[i]] : []),
    ...res.map((r) => (r ? r.lr[i] : "")),
  ]);
  return toCsvText(fields, data);
}

export function ReplayView() {
  const exp = useLab((s) => s.experiment);
  const setExperiment = useLab((s) => s.setExperiment);
  const setRunScheduler = useLab((s) => s.setRunScheduler);
  const setView = useLab((s) => s.setView);
  const log = useStore(replayLogStore);
  const [drag, setDrag] = useState(false);
  const [copied, setCopied] = useState(false);
  const wanted = exp.view.replay;
  const example = EXAMPLE_LOGS.find((x) => x.file === wanted);
  // A link to a bundled example opens with its log; a link to the user's own log asks for the file again.
  const load = log.loadExample;
  const loaded = log.name;
  useEffect(() => {
    if (example && loaded !== example.file) void load(example.file);
  }, [example, loaded, load]);

  const open = (f: File) => {
    log.load(f.name, f);
    setView({ replay: f.name.replace(/[/\\<>"]/g, "_").slice(0, 120) });
  };
  const s = log.name === wanted || !wanted ? log.series : null;
  // A log of one's own starts its schedulers where its run started: the peak logged LR, the LR the run was
  // configured with even when it warmed up to it. Once per log, so a base LR typed afterwards is kept. The
  // bundled examples keep their lessons' settings.
  const startedFrom = useRef<object | null>(null);
  const [baseNote, setBaseNote] = useState<string | null>(null);
  useEffect(() => {
    if (!s || startedFrom.current === s || EXAMPLE_LOGS.some((x) => x.file === log.name)) return;
    startedFrom.current = s;
    const peak = peakLr(s);
    if (peak === null || Math.abs(peak - exp.baseLr) <= 1e-9 * peak) {
      setBaseNote(null);
      return;
    }
    // GreedyLR's bounds keep their ratios to the base LR (the example's 1e-7 and 2e-4 around 2e-5).
    const k = peak / exp.baseLr;
    const runs = exp.runs.map((r) => {
      if (r.scheduler.scheduler !== "GreedyLR") return r;
      const p = { ...r.scheduler.params };
      for (const key of ["min_lr", "max_lr"])
        if (typeof p[key] === "number") p[key] = Number(((p[key] as number) * k).toPrecision(6));
      return { ...r, scheduler: { ...r.scheduler, params: p } };
    });
    setExperiment({ ...exp, baseLr: peak, runs });
    setBaseNote(
      `Every scheduler starts at the run's peak logged LR, ${String(peak)}: the LR it was configured with (it may have warmed up to it). GreedyLR's min_lr and max_lr moved with it. Change it in “base LR”.`,
    );
  }, [s, log.name, exp, setExperiment]);

  // Each run's replay is kept per (log, settings): a slider move recomputes only the run it belongs to.
  const cache = useRef(new WeakMap<object, Map<string, ReplayResult>>());
  const computed = useMemo(() => {
    if (!s) return null;
    let m = cache.current.get(s);
    if (!m) {
      m = new Map();
      cache.current.set(s, m);
    }
    const t0 = performance.now();
    let fresh = 0;
    const res = exp.runs.map((r) => {
      if (!replayable(r.scheduler.scheduler)) return null;
      const key = `${exp.baseLr}|${JSON.stringify(r.scheduler)}`;
      let x = m.get(key);
      if (!x) {
        x = replayRun(r.scheduler, exp.baseLr, s.values);
        m.set(key, x);
        fresh++;
      }
      return x;
    });
    if (m.size > 64) m.clear();
    return { res, ms: performance.now() - t0, fresh };
  }, [s, exp.runs, exp.baseLr]);

  const lossData = useMemo(() => (s ? down(s.steps, s.values) : []), [s]);
  // The loss is drawn on a log scale unless some logged value is ≤ 0 (a log-likelihood, a shifted metric).
  const lossLog = useMemo(() => !!s && s.values.every((v) => v > 0), [s]);
  const lrData = useMemo(() => {
    if (!s || !computed) return [];
    // One row per kept x of the first run's downsampling; every run is sampled at the same points.
    const idx: number[] = [];
    const stride = Math.max(1, Math.floor(s.steps.length / POINTS));
    for (let i = 0; i < s.steps.length; i += stride) idx.push(i);
    if (idx[idx.length - 1] !== s.steps.length - 1) idx.push(s.steps.length - 1);
    return idx.map((i) => {
      const row: Record<string, number> = { x: s.steps[i] };
      // A log scale has no place for 0 (a decay's last LR, a scheduler at min_lr = 0): those points are gaps.
      if (s.lr && s.lr[i] > 0 && Number.isFinite(s.lr[i])) row.log = s.lr[i];
      computed.res.forEach((r, k) => {
        if (r && r.lr[i] > 0) row[`r${k}`] = r.lr[i];
      });
      return row;
    });
  }, [s, computed]);

  return (
    <section
      className={`replay ${drag ? "drag" : ""}`}
      aria-label="Replay a training log"
      onDragOver={(e) => {
        e.preventDefault();
        setDrag(true);
      }}
      onDragLeave={() => setDrag(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDrag(false);
        const f = e.dataTransfer.files[0];
        if (f) open(f);
      }}
    >
      <h2>Replay a training log</h2>
      <p className="open-loop" role="note">
        <strong>Open loop.</strong> The logged run did not react to these LRs: each line shows what a
        scheduler would have decided on this loss, not what the run would have become. Each logged point is
        one scheduler step.
      </p>
      <div className="row">
        <label className="file">
          Open a log (trainer_state.json, CSV, W&amp;B or TensorBoard CSV, JSON lines){" "}
          <input
            type="file"
            accept=".json,.jsonl,.ndjson,.csv,.txt,.tsv"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) open(f);
              e.target.value = "";
            }}
          />
        </label>
        {EXAMPLE_LOGS.map((x) => (
          <button
            key={x.file}
            type="button"
            onClick={() => {
              void log.loadExample(x.file);
              setView({ replay: x.file });
            }}
          >
            {x.label}
          </button>
        ))}
        <button type="button" onClick={() => setView({ replay: "", series: "" })}>
          Back to the live race
        </button>
      </div>
      <div className="row">
        <label className="field inline">
          base LR{" "}
          <input
            key={exp.baseLr}
            type="text"
            inputMode="decimal"
            defaultValue={String(exp.baseLr)}
            aria-describedby="replay-base-help"
            size={8}
            onKeyDown={(e) => {
              if (e.key !== "Enter") return;
              const v = Number((e.target as HTMLInputElement).value);
              setExperiment({ ...exp, baseLr: v }); // validated there: a bad value is named, nothing changes
            }}
          />
        </label>
        <span id="replay-base-help" className="muted">
          where every replayed scheduler starts (Enter applies)
        </span>
      </div>
      {baseNote ? (
        <p className="notice" role="status">
          {baseNote}
        </p>
      ) : null}
      {wanted && !example && log.name !== wanted ? (
        <p className="notice" role="status">
          This link replays “{wanted}” with the settings below. The log is not in the link: open that file
          again, or try a bundled example.
        </p>
      ) : null}
      {log.progress ? (
        <p>
          <progress max={1} value={log.progress.fraction} aria-label="Reading the log" /> {log.progress.phase}{" "}
          {log.name}… {(log.progress.fraction * 100).toFixed(0)}%
        </p>
      ) : null}
      {log.error ? (
        <p className="problem" role="alert">
          {log.error}
        </p>
      ) : null}
      {log.table ? (
        <details className="columns" open={!s}>
          <summary>
            {log.name}: {log.table.data[0]?.length ?? 0} rows, read in {log.parseMs?.toFixed(0)} ms — columns{" "}
            {log.columns.step} / {log.columns.value}
            {log.columns.lr ? ` / ${log.columns.lr}` : ""}
          </summary>
          <div className="row">
            {(["step", "value", "lr"] as const).map((k) => (
              <label key={k}>
                {k === "step" ? "step column" : k === "value" ? "loss column" : "LR the run used"}{" "}
                <select
                  value={log.columns[k] ?? ""}
                  onChange={(e) => {
                    log.choose({ [k]: e.target.value || null });
                    if (k === "value") setView({ series: e.target.value });
                  }}
                >
                  {k === "lr" ? <option value="">(none)</option> : null}
                  {log.table!.columns.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              </label>
            ))}
          </div>
          <table className="preview">
            <tbody>
              {log.table.preview.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a fixed preview
                <tr key={i}>{r.map((c, j) => (i === 0 ? <th key={j}>{c}</th> : <td key={j}>{c}</td>))}</tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
      {log.table && (log.table.notes.length || s?.notes.length) ? (
        // The live region wraps the list: a <ul> given role="status" would no longer be a list for its items.
        <div className="notice log-notes" role="status" aria-label="What the log reader did">
          <ul>
            {[...log.table.notes, ...(s?.notes ?? [])].map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {s && computed ? (
        <>
          <div className="charts replay-charts">
            <figure className="chart">
              <figcaption>Logged loss ({log.columns.value})</figcaption>
              <ResponsiveContainer width="100%" height={240}>
                <LineChart data={lossData} margin={{ left: 8, right: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="x" type="number" domain={["dataMin", "dataMax"]} />
                  <YAxis
                    scale={lossLog ? "log" : "linear"}
                    domain={["auto", "auto"]}
                    allowDataOverflow
                    width={60}
                  />
                  <Tooltip />
                  <Line dataKey="y" name="loss" dot={false} stroke="var(--fg)" isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </figure>
            <figure className="chart">
              <figcaption>
                LR each scheduler would choose (log scale){s.lr ? "; dashed: the LR the run used" : ""}
              </figcaption>
              <ResponsiveContainer width="100%" height={240}>
                <LineChart data={lrData} margin={{ left: 8, right: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="x" type="number" domain={["dataMin", "dataMax"]} />
                  <YAxis
                    scale="log"
                    domain={["auto", "auto"]}
                    allowDataOverflow
                    width={64}
                    tickFormatter={(v: number) => v.toExponential(0)}
                  />
                  <Tooltip />
                  <Legend />
                  {s.lr ? (
                    <Line
                      dataKey="log"
                      name="logged LR"
                      dot={false}
                      stroke="var(--muted)"
                      strokeDasharray="6 4"
                      isAnimationActive={false}
                    />
                  ) : null}
                  {exp.runs.map((r, k) =>
                    computed.res[k] ? (
                      <Line
                        key={r.name}
                        dataKey={`r${k}`}
                        name={r.name}
                        dot={false}
                        stroke={r.color}
                        strokeWidth={2}
                        isAnimationActive={false}
                      />
                    ) : null,
                  )}
                </LineChart>
              </ResponsiveContainer>
            </figure>
          </div>
          <table className="replay-metrics">
            <caption>
              {exp.runs.length} schedulers × {s.values.length.toLocaleString("en")} points
              {computed.fresh ? ` — ${computed.fresh} recomputed in ${computed.ms.toFixed(0)} ms` : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">run</th>
                <th scope="col">LR changes</th>
                <th scope="col">per 1 000 points</th>
                <th
                  scope="col"
                  title="an LR raise followed by a cut within 2 × (patience + 1) points: chasing noise"
                >
                  reversals
                </th>
                <th scope="col">final LR</th>
              </tr>
            </thead>
            <tbody>
              {exp.runs.map((r, k) => {
                const x = computed.res[k];
                return (
                  <tr key={r.name} data-run={k}>
                    <th scope="row">
                      <span className="swatch" style={{ background: r.color }} /> {r.name}
                    </th>
                    {x ? (
                      <>
                        <td className="decisions">{x.changes.length}</td>
                        <td>{x.decisionsPer1000.toFixed(1)}</td>
                        <td className="reversals">{x.reversals}</td>
                        <td>{x.finalLr.toPrecision(3)}</td>
                      </>
                    ) : (
                      <td colSpan={4}>
                        {r.scheduler.scheduler} needs gradient facts, which a loss log does not have.
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
      <div className="replay-runs">
        {exp.runs.map((r, k) => {
          const spec = getSpec(r.scheduler.scheduler);
          const keys = KEYS[spec.id] ?? spec.params.map((m) => m.key);
          return (
            <fieldset key={r.name} className="replay-run">
              <legend>
                <span className="swatch" style={{ background: r.color }} /> {r.name}
              </legend>
              <label>
                scheduler{" "}
                <select
                  value={r.scheduler.scheduler}
                  onChange={(e) => setRunScheduler(k, { scheduler: e.target.value, params: {} })}
                >
                  {[...new Set([r.scheduler.scheduler, ...LOSS_DRIVEN])].map((id) => (
                    <option key={id}>{id}</option>
                  ))}
                </select>
              </label>
              {spec.params
                .filter((m) => keys.includes(m.key))
                .map((m) => (
                  <ParamControl
                    key={m.key}
                    scheduler={spec.id}
                    meta={m}
                    runName={r.name}
                    value={(r.scheduler.params as Record<string, never>)[m.key] ?? (m.default as never)}
                    onChange={(v) =>
                      setRunScheduler(k, { ...r.scheduler, params: { ...r.scheduler.params, [m.key]: v } })
                    }
                  />
                ))}
            </fieldset>
          );
        })}
      </div>
      <div className="row replay-actions">
        <button
          type="button"
          onClick={async () => {
            await navigator.clipboard?.writeText(shareUrl(exp, "students")).catch(() => {});
            setCopied(true);
          }}
        >
          {copied ? "Link copied (the log is not in it)" : "Copy replay link"}
        </button>
        <button
          type="button"
          disabled={!s || !computed}
          onClick={() =>
            s &&
            computed &&
            download(
              "lr-replay.csv",
              new Blob(
                [
                  toCsv(
                    s.steps,
                    s.values,
                    s.lr,
                    exp.runs.map((r) => r.name),
                    computed.res,
                  ),
                ],
                { type: "text/csv" },
              ),
            )
          }
        >
          Export LR trajectories (CSV)
        </button>
        {exp.runs.map((r) =>
          r.scheduler.scheduler === "GreedyLR" ? (
            <button
              key={r.name}
              type="button"
              onClick={() =>
                download(
                  `greedylr_${r.name.replace(/\W+/g, "_").toLowerCase()}.py`,
                  new Blob([pytorchSnippet(r.scheduler, exp.baseLr, "AdamW")], { type: "text/x-python" }),
                )
              }
            >
              PyTorch class: {r.name}
            </button>
          ) : null,
        )}
        <button type="button" onClick={() => setExperiment(replayExperiment())}>
          Reset to the example settings
        </button>
      </div>
    </section>
  );
}
