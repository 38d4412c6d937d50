/**
 * One scheduler parameter, rendered from its registry metadata: a slider (log scale where the registry says
 * so), a numeric entry, a reset-to-default button and the help text (on hover and focus, and for screen
 * readers). Invalid entries are not sent: the field shows why.
 */
import { useId, useState } from "react";
import { checkParam } from "../engine/params";
import type { ParamMeta, ParamValue } from "../engine/types";
import { fmt } from "./format";

const SLIDER_STEPS = 1000;

function range(m: ParamMeta): [number, number] {
  const lo = m.uiMin ?? m.min ?? 0;
  const hi = m.uiMax ?? m.max ?? (m.type === "int" ? 100 : 1);
  return [lo, hi];
}

function toSlider(m: ParamMeta, v: number): number {
  const [lo, hi] = range(m);
  if (m.scale === "log" && lo > 0) {
    const p = (Math.log(Math.max(v, lo)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
    return Math.round(Math.min(1, Math.max(0, p)) * SLIDER_STEPS);
  }
  return Math.round(Math.min(1, Math.max(0, (v - lo) / (hi - lo))) * SLIDER_STEPS);
}

function fromSlider(m: ParamMeta, s: number): number {
  const [lo, hi] = range(m);
  const p = s / SLIDER_STEPS;
  let v =
    m.scale === "log" && lo > 0
      ? Math.exp(Math.log(lo) + p * (Math.log(hi) - Math.log(lo)))
      : lo + p * (hi - lo);
  if (m.type === "int") v = Math.round(v);
  else v = Number(v.toPrecision(4));
  // Keep exclusive bounds valid at the slider's ends.
  if (m.minExclusive && m.min !== undefined && v <= m.min) v = m.min + (hi - lo) / SLIDER_STEPS;
  if (m.maxExclusive && m.max !== undefined && v >= m.max)
    v = Number((m.max - (hi - lo) / SLIDER_STEPS).toPrecision(6));
  return v;
}

export function ParamControl(props: {
  scheduler: string;
  meta: ParamMeta;
  value: ParamValue;
  onChange: (v: ParamValue) => void;
  runName: string;
}) {
  const { meta: m, value, onChange } = props;
  const id = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const label = `${m.label} (${props.runName})`;
  const helpId = `${id}-help`;
  /** The slider's position while it is dragged: one committed value when it is let go, not one per pixel. */
  const [slide, setSlide] = useState<number | null>(null);
  const commit = (raw: unknown) => {
    try {
      const v = checkParam(props.scheduler, m, raw);
      setProblem(null);
      setDraft(null);
      if (JSON.stringify(v) !== JSON.stringify(value)) onChange(v);
    } catch (e) {
      setProblem((e as Error).message);
    }
  };
  const isDefault = JSON.stringify(value) === JSON.stringify(m.default);

  /** A text field edited as a draft and committed (validated) on blur or Enter. */
  const textEntry = (shown: string, parse: (t: string) => unknown, mode: "numeric" | "decimal") => (
    <input
      id={id}
      type="text"
      inputMode={mode}
      aria-label={label}
      aria-describedby={helpId}
      aria-invalid={problem ? true : undefined}
      value={draft ?? shown}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={() => draft !== null && commit(parse(draft))}
      onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
    />
  );

  let control: React.ReactNode;
  if (m.type === "bool") {
    control = (
      <input
        id={id}
        type="checkbox"
        checked={value === true}
        aria-label={label}
        aria-describedby={helpId}
        onChange={(e) => commit(e.target.checked)}
      />
    );
  } else if (m.type === "enum") {
    control = (
      <select
        id={id}
        value={String(value ?? "")}
        aria-label={label}
        aria-describedby={helpId}
        onChange={(e) => commit(e.target.value || null)}
      >
        {m.nullable ? <option value="">—</option> : null}
        {(m.options ?? []).map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else if (m.type === "intList") {
    control = textEntry(
      Array.isArray(value) ? value.join(", ") : "",
      (t) =>
        t
          .split(/[,\s]+/)
          .filter(Boolean)
          .map(Number),
      "numeric",
    );
  } else {
    const num = typeof value === "number" ? value : null;
    control = (
      <span className="numeric">
        <input
          type="range"
          min={0}
          max={SLIDER_STEPS}
          step={1}
          aria-label={`${label} slider`}
          aria-valuetext={fmt(num)}
          aria-describedby={helpId}
          value={slide ?? (num === null ? 0 : toSlider(m, num))}
          onChange={(e) => setSlide(Number(e.target.value))}
          onPointerUp={() => {
            if (slide !== null) commit(fromSlider(m, slide));
            setSlide(null);
          }}
          onBlur={() => {
            if (slide !== null) commit(fromSlider(m, slide));
            setSlide(null);
          }}
          onKeyDown={(e) => {
            // The keyboard gets the slider's own steps, one committed value per press: the next slider
            // position whose value differs (an integer parameter moves by at least 1).
            const dir = {
              ArrowRight: 1,
              ArrowUp: 1,
              PageUp: 10,
              ArrowLeft: -1,
              ArrowDown: -1,
              PageDown: -10,
            }[e.key];
            if (!dir || num === null) return;
            e.preventDefault();
            let p = toSlider(m, num);
            let v = num;
            while (v === num && p + dir >= 0 && p + dir <= SLIDER_STEPS) {
              p += dir;
              v = fromSlider(m, p);
            }
            commit(v);
          }}
        />
        {textEntry(
          num === null ? "" : String(num),
          (t) => (t.trim() === "" ? null : Number(t.trim())),
          "decimal",
        )}
      </span>
    );
  }
  return (
    <div className="param" title={m.help}>
      <label htmlFor={id}>{m.label}</label>
      {control}
      <button
        type="button"
        className="icon"
        aria-label={`Restore default: ${label}`}
        disabled={isDefault || (m.default === null && !m.nullable)}
        onClick={() => commit(m.default)}
      >
        ↺
      </button>
      <span id={helpId} className="help">
        {m.help}
        {m.live ? ` Live: ${m.live}` : ""}
      </span>
      {problem ? (
        <span className="problem" role="alert">
          {problem}
        </span>
      ) : null}
    </div>
  );
}
