/** The selected run's scheduler internals (live) and its decisions in words. */
import { useLab } from "./context";
import { fmt } from "./format";
import { useThrottledVersion } from "./useThrottled";

export function Internals() {
  const selected = useLab((s) => s.selected);
  const run = useLab((s) => s.experiment.runs[s.selected]);
  const series = useLab((s) => s.series[s.selected]);
  useThrottledVersion(200);
  if (!run || !series) return null;
  const decisions = series.events
    .filter((e) => e.kind !== "cooldown-end" && e.kind !== "warmup-end")
    .slice(-12)
    .reverse();
  return (
    <section className="internals" aria-label="Scheduler internals">
      <h2>
        <span className="swatch" style={{ background: run.color }} aria-hidden /> {run.name} — inside the
        scheduler
      </h2>
      <dl>
        {series.internals.map((x) => (
          <div key={x.label} className="internal">
            <dt>{x.label}</dt>
            <dd>
              {typeof x.value === "number" ? fmt(x.value, 4) : String(x.value)}
              {x.limit !== undefined && typeof x.value === "number" ? (
                <meter
                  min={0}
                  max={Math.max(1, x.limit + 1)}
                  value={x.value}
                  aria-label={`${x.label} of ${x.limit + 1}`}
                />
              ) : null}
            </dd>
          </div>
        ))}
      </dl>
      <h3>Decisions</h3>
      <ol className="log" aria-label={`Decisions of run ${selected + 1}`} aria-live="polite">
        {decisions.length === 0 ? <li className="muted">none yet</li> : null}
        {decisions.map((e) => (
          <li key={`${e.step}-${e.kind}-${e.message}`}>
            <span className="muted">step {e.step}:</span> {e.message}
          </li>
        ))}
      </ol>
    </section>
  );
}
