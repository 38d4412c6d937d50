import { useEffect } from "react";
import { useLab } from "./context";
import { fmt } from "./format";

const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName));

export function Toolbar() {
  const running = useLab((s) => s.running);
  const step = useLab((s) => s.step);
  const total = useLab((s) => s.experiment.steps);
  const done = useLab((s) => s.done);
  const rate = useLab((s) => s.rate);
  const togglePlay = useLab((s) => s.togglePlay);
  const stepOnce = useLab((s) => s.stepOnce);
  const reset = useLab((s) => s.reset);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (e.code === "Space") {
        e.preventDefault();
        togglePlay();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [togglePlay]);

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
      <button type="button" onClick={() => stepOnce(1)} disabled={running || done} aria-label="Step">
        Step
      </button>
      <button type="button" onClick={reset} aria-label="Reset">
        ↺ Reset
      </button>
      <span className="progress" role="status" aria-label="Progress">
        step <strong data-testid="step">{step}</strong> / {total}
        {running && rate > 0 ? <span className="muted"> · {fmt(rate, 3)} steps/s</span> : null}
        {done ? <span className="muted"> · done</span> : null}
      </span>
    </div>
  );
}
