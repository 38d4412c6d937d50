/**
 * Explain mode: after each step, what every run's scheduler saw (the loss, and the noise when there was
 * some), how its counters moved, and what it decided — in words. Step (S) advances one step at a time.
 */
import { useRef } from "react";
import { getSpec } from "../engine/registry";
import type { Internal } from "../engine/types";
import { useLab } from "./context";
import { fmt } from "./format";
import { RunName } from "./RunName";
import { useThrottledVersion } from "./useThrottled";

type Snap = { step: number; internals: Internal[] };

const show = (v: Internal["value"]) => (typeof v === "number" ? fmt(v, 4) : String(v));

/** Internals that moved between two snapshots, in words ("improving steps 9 → 10 of patience 10"). */
export function changes(before: Internal[] | undefined, after: Internal[]): string[] {
  if (!before) return [];
  const out: string[] = [];
  for (const a of after) {
    // The LR is said in the decision; countdowns that tick every step are noise here.
    if (a.label === "LR" || a.label === "step" || a.label === "reset in") continue;
    const b = before.find((x) => x.label === a.label);
    if (!b || b.value === a.value) continue;
    out.push(
      `${a.label} ${show(b.value)} → ${show(a.value)}${a.limit !== undefined ? ` (limit ${a.limit})` : ""}`,
    );
  }
  return out;
}

export function ExplainPanel() {
  const runs = useLab((s) => s.experiment.runs);
  const series = useLab((s) => s.series);
  const target = useLab((s) => s.experiment.noise.target);
  const ref = useRef<HTMLElement>(null);
  useThrottledVersion(250, true, ref);
  // The two latest snapshots of every run's internals, to say what moved.
  const snaps = useRef<Snap[][]>([]);
  const lines = runs.map((run, r) => {
    const s = series[r];
    if (!s) return null;
    const n = s.steps.length;
    if (n === 0) return { run, text: "no step yet — press Step (S)." };
    const step = s.steps[n - 1];
    if (!snaps.current[r]) snaps.current[r] = [];
    const hist = snaps.current[r];
    if (!hist.length || hist[hist.length - 1].step !== step) {
      hist.push({ step, internals: s.internals });
      if (hist.length > 2) hist.shift();
    }
    const before = hist.length === 2 ? hist[0].internals : undefined;
    const loss = s.loss[n - 1];
    const lrNow = s.lr[n - 1];
    const lrPrev = n > 1 ? s.lr[n - 2] : lrNow;
    // "after" schedulers decide on seeing step t's loss and stamp the decision with t + 1 (the step whose LR
    // changes); "before" ones (line searches, Polyak...) decide the LR of step t itself.
    let timing: "after" | "before" = "after";
    try {
      timing = getSpec(run.scheduler.scheduler).timing;
    } catch {
      // unknown scheduler: the run shows its notice elsewhere
    }
    const at = timing === "after" ? step + 1 : step;
    const evs = s.events.filter((e) => e.step === at && e.kind !== "param");
    const saw = `saw loss ${fmt(loss, 4)}${target === "signal" ? " (plus any signal noise)" : ""}`;
    const moved = changes(before, s.internals);
    const decided = evs.length
      ? `decided${timing === "after" ? ` (LR of step ${at})` : ""}: ${evs.map((e) => e.message).join("; ")}`
      : lrNow !== lrPrev
        ? `LR ${fmt(lrPrev, 4)} → ${fmt(lrNow, 4)} (its schedule)`
        : `no decision: LR stays ${fmt(lrNow, 4)}`;
    if (s.divergedAt !== null) return { run, text: `diverged at step ${s.divergedAt} and stopped.` };
    return {
      run,
      step,
      text: `${saw}; ${moved.length ? `${moved.join(", ")}; ` : ""}${decided}.`,
      decision: evs.length > 0,
    };
  });
  return (
    <section ref={ref} className="explain" aria-label="Explain" aria-live="polite">
      <h2>Explain — step by step</h2>
      <p className="muted">
        Press Step (S) to advance one step; each run's scheduler says what it saw and decided.
      </p>
      <ul>
        {lines.map((l, r) =>
          l ? (
            <li key={`${l.run.name}-${l.run.color}`} className={l.decision ? "decision" : ""} data-run={r}>
              <strong>
                <RunName run={l.run} />
              </strong>
              {l.step !== undefined ? <span className="muted"> at step {l.step}</span> : null}: {l.text}
            </li>
          ) : null,
        )}
      </ul>
    </section>
  );
}
