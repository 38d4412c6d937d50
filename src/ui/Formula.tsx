/**
 * The selected run's rule, typeset with KaTeX, and the same rule with this step's numbers — plus, for
 * loss-driven schedulers, why the last decision happened, in words.
 */
import katex from "katex";
import "katex/dist/katex.min.css";
import { useMemo, useRef } from "react";
import { formulaFor, getSpec } from "../engine/registry";
import { useLab } from "./context";
import { useThrottledVersion } from "./useThrottled";

function Tex({ tex, label }: { tex: string; label: string }) {
  // Our own templates with numbers substituted: KaTeX escapes text, and errors render as text.
  const html = useMemo(() => katex.renderToString(tex, { throwOnError: false, displayMode: true }), [tex]);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: KaTeX output of our own templates (no user HTML)
  return <div className="tex" role="math" aria-label={label} dangerouslySetInnerHTML={{ __html: html }} />;
}

export function FormulaPanel() {
  const run = useLab((s) => s.experiment.runs[s.selected]);
  const baseLr = useLab((s) => s.experiment.baseLr);
  const series = useLab((s) => s.series[s.selected]);
  const ref = useRef<HTMLElement>(null);
  useThrottledVersion(1000, true, ref);
  if (!run || !series) return null;
  let params = {};
  try {
    params = getSpec(run.scheduler.scheduler).parse(run.scheduler.params ?? {}, run.scheduler.children);
  } catch {
    return null;
  }
  const n = series.lr.length;
  const decisions = series.events.filter(
    (e) => e.kind !== "param" && e.kind !== "cooldown-end" && e.kind !== "warmup-end",
  );
  const f = formulaFor({
    id: run.scheduler.scheduler,
    params,
    lr: n ? series.lr[n - 1] : baseLr,
    baseLr,
    step: n ? series.steps[n - 1] : 0,
    internals: series.internals,
    last: decisions.at(-1),
  });
  return (
    <section ref={ref} className="formula" aria-label="Formula">
      <h2>
        <span className="swatch" style={{ background: run.color }} aria-hidden /> {run.name} — the rule, with
        today's numbers
      </h2>
      <Tex tex={f.rule} label={`Rule of ${run.name}`} />
      <Tex tex={f.now} label={`Rule of ${run.name} with current values`} />
      {f.because ? <p className="because">{f.because}</p> : null}
    </section>
  );
}
