import { exampleConfig } from "../engine/examples";
import { getSpec, SCHEDULERS } from "../engine/registry";
import { useLab } from "./context";
import { fmt } from "./format";
import { ParamControl } from "./ParamControl";

const FAMILIES: Record<string, string> = {
  "loss-driven": "Loss-driven",
  pytorch: "PyTorch",
  composite: "PyTorch composites",
  warmup: "Warmup & decay",
  gradient: "Gradient-driven",
  "optimizer-side": "Per-weight (optimizer-side)",
};

export function RunsPanel() {
  const experiment = useLab((s) => s.experiment);
  const setRunScheduler = useLab((s) => s.setRunScheduler);
  useLab((s) => s.version);
  const series = useLab((s) => s.series);
  return (
    <section className="runs" aria-label="Runs">
      <h2>Runs</h2>
      {experiment.runs.map((run, i) => {
        const spec = getSpec(run.scheduler.scheduler);
        const params = spec.parse(run.scheduler.params ?? {}, run.scheduler.children);
        const s = series[i];
        const lastLr = s?.lr.at(-1);
        return (
          <article
            key={`${run.color}-${run.name}`}
            className="run"
            aria-label={`Run ${i + 1}: ${run.name}`}
            style={{ borderColor: run.color }}
          >
            <header>
              <span className="swatch" style={{ background: run.color }} aria-hidden />
              <strong>{run.name}</strong>
              {s?.divergedAt !== null && s?.divergedAt !== undefined ? (
                <span className="diverged" role="status">
                  diverged at step {s.divergedAt}
                </span>
              ) : (
                <span className="muted">LR {fmt(lastLr ?? null)}</span>
              )}
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
            {spec.params
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
            {run.scheduler.children ? (
              <p className="muted">children: {run.scheduler.children.map((c) => c.scheduler).join(" → ")}</p>
            ) : null}
          </article>
        );
      })}
    </section>
  );
}
