/**
 * The paper replication view: runs the repo's F sweep and noise-robustness sweep in a worker (progress,
 * cancel), shows the computed tables beside the paper's figures, and says where they agree or differ.
 */
import { useMemo } from "react";
import { useStore } from "zustand";
import { sweepFigures } from "../experiment/figures";
import {
  F_SWEEP,
  fSweepVerdict,
  NOISE_SWEEP,
  noiseVerdict,
  reduced,
  type Verdict,
} from "../experiment/replication";
import type { Sweep, SweepRow } from "../experiment/sweep";
import { replicationStore, type SweepKey } from "../store/replication";
import { fmt } from "./format";
import { download } from "./share";
import { useModal } from "./useModal";

const SWEEPS: Record<SweepKey, { sweep: Sweep; title: string }> = {
  f: { sweep: F_SWEEP, title: "F sweep" },
  noise: { sweep: NOISE_SWEEP, title: "Noise robustness" },
};

function FTable({ rows }: { rows: SweepRow[] }) {
  return (
    <table aria-label="F sweep results">
      <thead>
        <tr>
          <th scope="col">run</th>
          <th scope="col">median final loss</th>
          <th scope="col">median best loss</th>
          <th scope="col">diverged</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.run}>
            <th scope="row">{r.run}</th>
            <td>{fmt(r.finalLoss, 4)}</td>
            <td>{fmt(r.bestLoss, 4)}</td>
            <td>
              {r.diverged} / {r.seeds}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NoiseTable({ rows }: { rows: SweepRow[] }) {
  const variants = [...new Set(rows.map((r) => r.variant))];
  const runs = [...new Set(rows.map((r) => r.run))];
  return (
    <table aria-label="Noise robustness results">
      <caption className="muted">median final loss over seeds (lowest per setting in bold)</caption>
      <thead>
        <tr>
          <th scope="col">noise</th>
          {runs.map((r) => (
            <th scope="col" key={r}>
              {r}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {variants.map((v) => {
          const inV = rows.filter((r) => r.variant === v);
          const best = Math.min(...inV.map((r) => r.finalLoss ?? Number.POSITIVE_INFINITY));
          return (
            <tr key={v}>
              <th scope="row">{v}</th>
              {runs.map((name) => {
                const r = inV.find((x) => x.run === name);
                const v2 = r?.finalLoss ?? null;
                return (
                  <td key={name}>
                    {v2 !== null && v2 === best ? <strong>{fmt(v2, 3)}</strong> : fmt(v2, 3)}
                    {r?.diverged ? <span className="danger"> ({r.diverged} diverged)</span> : null}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * The sweep's figures (experiment/figures.ts): the very SVG the sweep CLI writes, shown as an image (no
 * markup injected into the page) with its caption, its numbers as the image's text alternative, and a
 * download.
 */
function Figures({ sweep, rows, k }: { sweep: Sweep; rows: SweepRow[]; k: SweepKey }) {
  const figs = useMemo(() => sweepFigures(sweep, rows, "#ffffff"), [sweep, rows]);
  return (
    <div className="sweep-figures">
      {figs.map((f) => (
        <figure key={f.id} className="sweep-figure">
          {/* On a phone the figure keeps a readable size and scrolls sideways. */}
          <div className="figure-scroll">
            <img src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(f.svg)}`} alt={f.description} />
          </div>
          <figcaption className="muted">
            {f.caption}{" "}
            <button
              type="button"
              className="link"
              onClick={() =>
                download(`lr-lab-${k}-sweep.${f.id}.svg`, new Blob([f.svg], { type: "image/svg+xml" }))
              }
            >
              Download SVG
            </button>
          </figcaption>
        </figure>
      ))}
    </div>
  );
}

function VerdictBox({ v }: { v: Verdict }) {
  return (
    <div className={`verdict ${v.agrees ? "agrees" : "differs"}`}>
      <p>
        <strong>Paper:</strong> {v.paper}
      </p>
      <p>
        <strong>LR Lab:</strong> {v.ours}
      </p>
    </div>
  );
}

function SweepSection({ k }: { k: SweepKey }) {
  const running = useStore(replicationStore, (s) => s.running);
  const progress = useStore(replicationStore, (s) => s.progress);
  const result = useStore(replicationStore, (s) => s.results[k]);
  const { sweep, title } = SWEEPS[k];
  const mine = running === k;
  return (
    <section className="sweep" aria-label={title}>
      <h3>{title}</h3>
      <p className="muted">{sweep.description}</p>
      <div className="sweep-actions">
        <button
          type="button"
          disabled={running !== null}
          onClick={() => replicationStore.getState().run(k, reduced(sweep))}
        >
          Run reduced (1 seed)
        </button>
        <button
          type="button"
          disabled={running !== null}
          onClick={() => replicationStore.getState().run(k, sweep)}
        >
          Run full ({sweep.seeds.length} seeds)
        </button>
        {mine ? (
          <button type="button" onClick={() => replicationStore.getState().cancel()}>
            Cancel
          </button>
        ) : null}
      </div>
      {mine && progress ? (
        <p>
          <progress value={progress.done} max={progress.total} aria-label={`${title} progress`} />{" "}
          {progress.done} / {progress.total} <span className="muted">{progress.label}</span>
        </p>
      ) : null}
      {result ? (
        <>
          <p className="muted">
            {result.seeds} seed{result.seeds === 1 ? "" : "s"}, {(result.ms / 1000).toFixed(1)} s on{" "}
            {result.backend}.
          </p>
          <Figures sweep={result.sweep} rows={result.rows} k={k} />
          {k === "f" ? <FTable rows={result.rows} /> : <NoiseTable rows={result.rows} />}
          <VerdictBox v={k === "f" ? fSweepVerdict(result.rows) : noiseVerdict(result.rows)} />
        </>
      ) : null}
    </section>
  );
}

export function ReplicationDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useModal(open);
  const error = useStore(replicationStore, (s) => s.error);
  return (
    <dialog ref={ref} aria-label="Replicate the paper" onClose={onClose} className="replication-dialog">
      <h2>Replicate the GreedyLR paper</h2>
      <p className="muted">
        The two sweeps of this repository (<code>sweeps/*.json</code>, also run by <code>npm run sweep</code>
        ), trained here in a background worker with the lab's own code. The paper's figures are quoted; every
        LR Lab number is computed by the run you start.
      </p>
      {error ? (
        <p role="alert" className="problem">
          {error}
        </p>
      ) : null}
      <SweepSection k="f" />
      <SweepSection k="noise" />
      <button type="button" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}
