import { useRef } from "react";
import { exampleConfig, getSpec, SCHEDULERS } from "../engine/registry";
import { type RunConfig, SF_AVERAGING } from "../experiment/config";
import { useLab } from "./context";
import { fmt } from "./format";
import { ParamControl } from "./ParamControl";
import { useThrottledVersion } from "./useThrottled";

const FAMILIES: Record<string, string> = {
  "loss-driven": "Loss-driven",
  pytorch: "PyTorch",
  composite: "PyTorch composites",
  warmup: "Warmup & decay",
  gradient: "Gradient-driven",
  "optimizer-side": "Per-weight (optimizer-side)",
};

/** The run's current LR, or where it diverged — the only part of a run card that changes every batch. */
function LiveStatus({ run }: { run: number }) {
  const ref = useRef<HTMLElement>(null);
  useThrottledVersion(200, false, ref);
  const s = useLab((st) => st.series[run]);
  if (s?.divergedAt !== null && s?.divergedAt !== undefined)
    return (
      <span ref={ref} className="diverged" role="status">
        diverged at step {s.divergedAt}
      </span>
    );
  return (
    <span ref={ref} className="muted">
      LR {fmt(s?.lr.at(-1) ?? null)}
    </span>
  );
}

export function RunsPanel({ hideParams = false }: { hideParams?: boolean }) {
  const experiment = useLab((s) => s.experiment);
  const setRunScheduler = useLab((s) => s.setRunScheduler);
  const addRun = useLab((s) => s.addRun);
  const removeRun = useLab((s) => s.removeRun);
  const duplicateRun = useLab((s) => s.duplicateRun);
  const renameRun = useLab((s) => s.renameRun);
  const recolorRun = useLab((s) => s.recolorRun);
  const selected = useLab((s) => s.selected);
  const select = useLab((s) => s.select);
  return (
    <section className="runs" aria-label="Runs">
      <div className="row">
        <h2>Runs</h2>
        <button
          type="button"
          onClick={addRun}
          disabled={experiment.runs.length >= 8}
          title="Adding a run restarts the race: all runs share step 0"
        >
          + Add run
        </button>
      </div>
      {experiment.runs.map((run, i) => {
        const spec = getSpec(run.scheduler.scheduler);
        const params = spec.parse(run.scheduler.params ?? {}, run.scheduler.children);
        return (
          <article
            key={`${run.color}-${run.name}`}
            className={`run ${selected === i ? "selected" : ""}`}
            aria-label={`Run ${i + 1}: ${run.name}`}
            style={{ borderColor: run.color }}
            onFocusCapture={() => select(i)}
            onPointerDown={() => select(i)}
          >
            <header>
              <input
                type="color"
                aria-label={`Colour of run ${i + 1}`}
                value={run.color}
                onChange={(e) => recolorRun(i, e.target.value)}
              />
              <input
                className="name"
                aria-label={`Name of run ${i + 1}`}
                defaultValue={run.name}
                key={run.name}
                maxLength={40}
                onBlur={(e) =>
                  e.target.value.trim() && e.target.value !== run.name && renameRun(i, e.target.value.trim())
                }
                onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
              />
              <LiveStatus run={i} />
            </header>
            <label className="param">
              <span>scheduler</span>
              <select
                aria-label={`Scheduler (${run.name})`}
                value={spec.id}
                onChange={(e) =>
                  setRunScheduler(i, exampleConfig(e.target.value, experiment.steps, experiment.baseLr))
                }
              >
                {Object.entries(FAMILIES).map(([fam, title]) => (
                  <optgroup key={fam} label={title}>
                    {SCHEDULERS.filter(
                      (x) => x.family === fam || (fam === "warmup" && x.family === "constant"),
                    ).map((x) => (
                      <option key={x.id} value={x.id}>
                        {x.label}
                      </option>
                    ))}
                  </optgroup>
                ))}
              </select>
            </label>
            <p className="desc">{spec.description}</p>
            {spec.needs.includes("lineSearch") && experiment.optimizer !== "sgd" ? (
              <p className="problem" role="note">
                Line searches pick η along −g, the step plain SGD takes; with {experiment.optimizer} the step
                taken is not the one searched. Choose the sgd optimizer in the experiment panel.
              </p>
            ) : null}
            {(hideParams ? [] : spec.params)
              .filter((m) => m.key !== "scale_fn" && m.key !== "scale_mode")
              .map((m) => (
                <ParamControl
                  key={m.key}
                  scheduler={spec.id}
                  meta={m}
                  runName={run.name}
                  value={params[m.key]}
                  onChange={(v) =>
                    setRunScheduler(i, {
                      ...run.scheduler,
                      params: { ...(run.scheduler.params ?? {}), [m.key]: v },
                    })
                  }
                />
              ))}
            {spec.optimizer || hideParams ? null : <SfControl run={i} />}
            <div className="row small">
              <button
                type="button"
                onClick={() => duplicateRun(i)}
                aria-label={`Duplicate ${run.name}`}
                disabled={experiment.runs.length >= 8}
              >
                Duplicate
              </button>
              <button
                type="button"
                onClick={() => removeRun(i)}
                aria-label={`Remove ${run.name}`}
                disabled={experiment.runs.length <= 1}
              >
                Remove
              </button>
            </div>
            {run.scheduler.children ? (
              <p className="muted">children: {run.scheduler.children.map((c) => c.scheduler).join(" → ")}</p>
            ) : null}
          </article>
        );
      })}
    </section>
  );
}

const AVERAGING_HELP: Record<string, string> = {
  schedulet: "c = γₜ / Σγᵢ: the average weighs each step by its LR (the seed paper's rule for any schedule)",
  reference: "weights grow with the largest LR so far (facebookresearch/schedule_free)",
  theory: "c = 1/(t+1): every step counts the same",
};

/**
 * Whether run `run` trains with schedule-free, driven by its scheduler's LR, and how it averages. Changing it
 * changes the training itself, so the race restarts.
 */
function SfControl({ run }: { run: number }) {
  const experiment = useLab((s) => s.experiment);
  const setExperiment = useLab((s) => s.setExperiment);
  const r = experiment.runs[run];
  const set = (sf: RunConfig["sf"]) =>
    setExperiment({
      ...experiment,
      runs: experiment.runs.map((x, k) => {
        if (k !== run) return x;
        const { sf: _old, ...rest } = x;
        return sf ? { ...rest, sf } : rest;
      }),
    });
  const sf = r.sf;
  return (
    <div className="sf-control">
      <label className="param">
        <span>trained by</span>
        <select
          aria-label={`Optimizer (${r.name})`}
          value={sf ? `sf-${sf.variant}` : "experiment"}
          title="Schedule-free: the run's scheduler sets the LR; the loss chart shows the loss at the average x"
          onChange={(e) => {
            const v = e.target.value;
            if (v === "experiment") set(undefined);
            else
              set({
                variant: v === "sf-adamw" ? "adamw" : "sgd",
                averaging: sf?.averaging ?? "schedulet",
                beta: sf?.beta ?? 0.9,
              });
          }}
        >
          <option value="experiment">the experiment's optimizer ({experiment.optimizer})</option>
          <option value="sf-sgd">schedule-free SGD, driven by this scheduler</option>
          <option value="sf-adamw">schedule-free AdamW, driven by this scheduler</option>
        </select>
      </label>
      {sf ? (
        <label className="param">
          <span>averaging</span>
          <select
            aria-label={`Schedule-free averaging (${r.name})`}
            value={sf.averaging}
            title={AVERAGING_HELP[sf.averaging]}
            onChange={(e) => set({ ...sf, averaging: e.target.value as typeof sf.averaging })}
          >
            {SF_AVERAGING.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {sf ? (
        <p className="muted small">
          {AVERAGING_HELP[sf.averaging]}; β = {sf.beta}
        </p>
      ) : null}
    </div>
  );
}
