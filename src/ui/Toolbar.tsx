import { useContext, useEffect, useState } from "react";
import { LESSONS, lessonById, lessonPace } from "../experiment/lessons";
import { LabContext, useLab } from "./context";
import { fmt } from "./format";
import { useModal } from "./useModal";
import { useThrottledVersion } from "./useThrottled";

const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
/** Space on a focused button or link already activates it: leave it to the browser. */
const activates = (t: EventTarget | null) => t instanceof HTMLElement && /^(BUTTON|A)$/.test(t.tagName);

const SPEEDS: [string, number | null][] = [
  ["full speed", null],
  ["100 steps/s", 100],
  ["60 steps/s", 60],
  ["40 steps/s", 40],
  ["30 steps/s", 30],
  ["10 steps/s", 10],
  ["2 steps/s", 2],
];
const speedLabel = (sps: number | null) => SPEEDS.find(([, v]) => v === sps)?.[0] ?? SPEEDS[0][0];

export const SHORTCUTS: [string, string][] = [
  ["Space", "play / pause"],
  ["S", "one step"],
  ["R", "reset (all runs back to step 0)"],
  ["P", "presenter mode (large fonts)"],
  ["E", "explain mode (Step says what each scheduler saw and decided)"],
  ["F", "full speed / back to the lesson's pace"],
  ["N / B", "next / previous lesson (when a lesson is open)"],
  ["?", "this help"],
  ["Esc", "close dialogs"],
];

function HelpDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useModal(open);
  return (
    <dialog ref={ref} aria-label="Keyboard shortcuts" onClose={onClose} className="help-dialog">
      <h2>Keyboard shortcuts</h2>
      <table>
        <tbody>
          {SHORTCUTS.map(([k, what]) => (
            <tr key={k}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Scheduler parameters change live, from the next step; experiment settings apply with a restart so
        every run still starts from the same weights.
      </p>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}

/**
 * "step 120 / 500 · 310 steps/s": on the views' shared clock (useThrottled.ts), not on every batch — a
 * subscription to `step` re-rendered the whole toolbar ten times a second.
 */
function Progress() {
  useThrottledVersion(250);
  // step and rate change with every batch: read on the clock's tick, not subscribed to.
  const { step, rate } = useContext(LabContext)!.getState();
  const total = useLab((s) => s.experiment.steps);
  const done = useLab((s) => s.done);
  const running = useLab((s) => s.running);
  return (
    <span className="progress" role="status" aria-label="Progress">
      step <strong data-testid="step">{step}</strong> / {total}
      {running && rate > 0 ? <span className="muted"> · {fmt(rate, 3)} steps/s</span> : null}
      {done ? <span className="muted"> · done</span> : null}
    </span>
  );
}

export function Toolbar() {
  const running = useLab((s) => s.running);
  const done = useLab((s) => s.done);
  const present = useLab((s) => s.experiment.view.present);
  const explain = useLab((s) => s.experiment.view.explain);
  const lesson = useLab((s) => s.experiment.view.lesson);
  const setExperiment = useLab((s) => s.setExperiment);
  const togglePlay = useLab((s) => s.togglePlay);
  const stepOnce = useLab((s) => s.stepOnce);
  const reset = useLab((s) => s.reset);
  const setSpeed = useLab((s) => s.setSpeed);
  const setView = useLab((s) => s.setView);
  const [help, setHelp] = useState(false);
  const [speed, setSpeedLabel] = useState(SPEEDS[0][0]);
  const choose = (label: string) => {
    setSpeedLabel(label);
    setSpeed(SPEEDS.find(([l]) => l === label)?.[1] ?? null);
  };
  // A lesson sets a pace a teacher can narrate; leaving lessons goes back to full speed. F toggles full speed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the lesson changes
  useEffect(() => {
    const l = lesson ? lessonById(lesson) : undefined;
    choose(speedLabel(l ? lessonPace(l) : null));
  }, [lesson]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (e.code === "Space") {
        if (activates(e.target)) return;
        e.preventDefault();
        togglePlay();
      } else if (e.key === "s" || e.key === "S") stepOnce(1);
      else if (e.key === "r" || e.key === "R") reset();
      else if (e.key === "f" || e.key === "F") {
        const l = lesson ? lessonById(lesson) : undefined;
        choose(speed === SPEEDS[0][0] ? speedLabel(l ? (lessonPace(l) ?? 30) : 30) : SPEEDS[0][0]);
      } else if (e.key === "p" || e.key === "P") setView({ present: !present });
      else if (e.key === "e" || e.key === "E") toggleExplain();
      else if (e.key === "n" || e.key === "N" || e.key === "b" || e.key === "B") {
        const i = LESSONS.findIndex((l) => l.id === lesson);
        const to = i < 0 ? undefined : LESSONS[i + (e.key.toLowerCase() === "n" ? 1 : -1)];
        if (to) setExperiment({ ...to.experiment, view: { ...to.experiment.view, present } });
      } else if (e.key === "?") setHelp(true);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });
  const range = useLab((s) => s.experiment.view.range);
  const rangeOpen = range.flavor !== "" && range.open;
  const openRange = useLab((s) => s.setRange);
  const lastRange = useLab((s) => s.range.result);
  /** Explain mode reads one step at a time: turning it on pauses the run. */
  const toggleExplain = () => {
    if (!explain && running) togglePlay();
    setView({ explain: !explain });
  };

  return (
    <div className="toolbar" role="toolbar" aria-label="Training controls">
      <button
        type="button"
        className="primary"
        onClick={togglePlay}
        disabled={done}
        aria-keyshortcuts="Space"
      >
        {running ? "❚❚ Pause" : "▶ Play"}
      </button>
      <button
        type="button"
        onClick={() => stepOnce(1)}
        disabled={running || done}
        aria-label="Step"
        aria-keyshortcuts="S"
      >
        Step
      </button>
      <button type="button" onClick={reset} aria-label="Reset" aria-keyshortcuts="R">
        ↺ Reset
      </button>
      <label className="toggle">
        speed
        <select
          aria-label="Speed"
          value={speed}
          onChange={(e) => choose(e.target.value)}
          aria-keyshortcuts="F"
        >
          {SPEEDS.map(([l]) => (
            <option key={l}>{l}</option>
          ))}
        </select>
      </label>
      <Progress />
      <span className="spacer" />
      <button
        type="button"
        onClick={() => {
          if (rangeOpen) return;
          // Open with the link's settings (a lesson's), else the last test's (its result is kept), else fastai's.
          if (range.flavor !== "") openRange(range.flavor, range.params);
          else openRange(lastRange?.flavor ?? "fastai", lastRange?.params ?? {});
        }}
        aria-pressed={rangeOpen}
        title="The LR range test on this experiment: how practitioners choose a (maximum) LR"
      >
        Find the LR
      </button>
      <button type="button" aria-pressed={explain} onClick={toggleExplain} aria-keyshortcuts="E">
        Explain
      </button>
      <button
        type="button"
        aria-pressed={present}
        onClick={() => setView({ present: !present })}
        aria-keyshortcuts="P"
      >
        Presenter mode
      </button>
      <ThemeToggle />
      <button
        type="button"
        onClick={() => setHelp(true)}
        aria-label="Keyboard shortcuts"
        aria-keyshortcuts="?"
      >
        ?
      </button>
      <HelpDialog open={help} onClose={() => setHelp(false)} />
    </div>
  );
}

const THEMES = ["auto", "light", "dark"] as const;

function ThemeToggle() {
  const [theme, setTheme] = useState<(typeof THEMES)[number]>(() => {
    const t = localStorage.getItem("lrlab-theme");
    return (THEMES as readonly string[]).includes(t ?? "") ? (t as (typeof THEMES)[number]) : "auto";
  });
  useEffect(() => {
    localStorage.setItem("lrlab-theme", theme);
    const root = document.documentElement;
    if (theme !== "auto") {
      root.setAttribute("data-theme", theme);
      return;
    }
    const mq = window.matchMedia("(prefers-color-scheme: dark)");
    const apply = () => root.setAttribute("data-theme", mq.matches ? "dark" : "light");
    apply();
    mq.addEventListener("change", apply);
    return () => mq.removeEventListener("change", apply);
  }, [theme]);
  return (
    <label className="toggle">
      theme
      <select
        aria-label="Theme"
        value={theme}
        onChange={(e) => setTheme(e.target.value as (typeof THEMES)[number])}
      >
        {THEMES.map((t) => (
          <option key={t}>{t}</option>
        ))}
      </select>
    </label>
  );
}
