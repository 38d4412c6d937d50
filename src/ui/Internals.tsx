import { useRef } from "react";
/**
 * Inside the scheduler: the live internals (best so far, counters against patience, cooldown, …) and the
 * decisions in words. It follows the selected run; when two or more runs are loss-driven (GreedyLR against
 * ReduceLROnPlateau, say), their counters stand side by side, so a class compares them step by step.
 */
import { getSpec } from "../engine/registry";
import { useLab } from "./context";
import { fmt } from "./format";
import { RunName } from "./RunName";
import { useThrottledVersion } from "./useThrottled";

function RunInternals({ index }: { index: number }) {
  const run = useLab((s) => s.experiment.runs[index]);
  const series = useLab((s) => s.series[index]);
  if (!run || !series) return null;
  const decisions = series.events
    .filter((e) => e.kind !== "cooldown-end" && e.kind !== "warmup-end")
    .slice(-12)
    .reverse();
  return (
    <div className="run-internals" data-run={index}>
      <h3>
        <RunName run={run} />
      </h3>
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
                  aria-label={`${x.label} of ${x.limit + 1} (${run.name})`}
                />
              ) : null}
            </dd>
          </div>
        ))}
      </dl>
      <h4>Decisions</h4>
      {/* A scrolling list: focusable, so a keyboard user can scroll it (axe: scrollable-region-focusable). */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <ol className="log" aria-label={`Decisions of run ${index + 1}`} aria-live="polite" tabIndex={0}>
        {decisions.length === 0 ? <li className="muted">none yet</li> : null}
        {decisions.map((e) => (
          <li key={`${e.step}-${e.kind}-${e.message}`}>
            <span className="muted">step {e.step}:</span> {e.message}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The runs whose internals are shown: every loss-driven run when there are two or more, else the selected one. */
export function shownRuns(runs: { scheduler: { scheduler: string } }[], selected: number): number[] {
  const lossDriven = runs.flatMap((r, i) =>
    getSpec(r.scheduler.scheduler).needs.includes("loss") ? [i] : [],
  );
  return lossDriven.length >= 2 ? lossDriven.slice(0, 4) : [selected];
}

export function Internals() {
  const selected = useLab((s) => s.selected);
  const runs = useLab((s) => s.experiment.runs);
  const ref = useRef<HTMLElement>(null);
  useThrottledVersion(1000, false, ref);
  const shown = shownRuns(runs, selected);
  return (
    <section ref={ref} className="internals" aria-label="Scheduler internals">
      <h2>Inside the scheduler{shown.length > 1 ? " — side by side" : ""}</h2>
      <div className="internals-grid">
        {shown.map((i) => (
          <RunInternals key={`${runs[i]?.name}-${i}`} index={i} />
        ))}
      </div>
    </section>
  );
}
