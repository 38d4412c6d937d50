import { BackendBadge } from "./BackendBadge";
import { Charts } from "./Charts";
import { useLab } from "./context";
import { ExperimentPanel } from "./ExperimentPanel";
import { Internals } from "./Internals";
import { MetricsTable } from "./MetricsTable";
import { ModelView } from "./ModelView";
import { RecoveryPanel } from "./RecoveryPanel";
import { RunsPanel } from "./RunsPanel";
import { ShareBar } from "./ShareBar";
import { TaskView } from "./TaskView";
import { Toolbar } from "./Toolbar";

function Notices() {
  const notice = useLab((s) => s.notice);
  const error = useLab((s) => s.error);
  const dismiss = useLab((s) => s.dismissNotice);
  return (
    <>
      {error ? (
        <div className="notice error" role="alert">
          {error}
        </div>
      ) : null}
      {notice ? (
        <div className="notice" role="alert">
          <pre>{notice}</pre>
          <button type="button" onClick={dismiss} aria-label="Dismiss notice">
            ×
          </button>
        </div>
      ) : null}
    </>
  );
}

export function App() {
  const exp = useLab((s) => s.experiment);
  const hide = new Set(exp.view.hide);
  return (
    <div className={`app ${exp.view.present ? "present" : ""}`}>
      <header className="top">
        <h1>
          LR Lab <span className="muted">— learning-rate schedulers, live</span>
        </h1>
        <BackendBadge />
      </header>
      {hide.has("toolbar") ? null : <Toolbar />}
      <Notices />
      <ShareBar />
      <p className="task muted">
        Task: {exp.task.kind} ({exp.task.samples} points, noise {exp.task.noise}) · MLP {exp.hidden.join("–")}{" "}
        · {exp.optimizer} · base LR {exp.baseLr} · batch {exp.batchSize} · seed {exp.seed} — every run starts
        from the same weights and sees the same batches: only the scheduler differs.
      </p>
      <main className="layout">
        <div className="main-col">
          <Charts />
          <TaskView />
          <ModelView />
          {hide.has("metrics") ? null : <MetricsTable />}
          {hide.has("metrics") ? null : <RecoveryPanel />}
          {hide.has("internals") ? null : <Internals />}
        </div>
        <div className="side-col">
          {hide.has("runs") ? null : <RunsPanel hideParams={hide.has("params")} />}
          {hide.has("experiment") ? null : <ExperimentPanel />}
        </div>
      </main>
    </div>
  );
}
