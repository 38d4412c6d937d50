import { lazy, Suspense, useState } from "react";
import { useStore } from "zustand";
import type { Experiment } from "../experiment/config";
import { lessonById } from "../experiment/lessons";
import { replayExperiment } from "../experiment/replay";
import { FIXED_TASKS, isAnalytic, TASK_LABELS } from "../experiment/tasks";
import { appStore } from "../store/app";
import { BackendBadge } from "./BackendBadge";
import { Charts } from "./Charts";
import { useLab } from "./context";
import { ExperimentPanel } from "./ExperimentPanel";
import { ExplainPanel } from "./Explain";
import { Internals } from "./Internals";
import { LessonPanel, LessonsDialog } from "./Lessons";
import { MetricsTable } from "./MetricsTable";
import { ModelView } from "./ModelView";
import { QrDialog } from "./QrDialog";

// The replay view (and papaparse behind it) loads when a replay opens, not with the race.
// KaTeX (about 70 KB gzipped with its CSS) loads after the first paint: the rule panel is below the charts.
const FormulaPanel = lazy(() => import("./Formula").then((m) => ({ default: m.FormulaPanel })));
const ReplayView = lazy(() => import("./Replay").then((m) => ({ default: m.ReplayView })));
// The share bar (export, import, the run's PyTorch code) sits below the charts: it loads right after first paint.
const ShareBar = lazy(() => import("./ShareBar").then((m) => ({ default: m.ShareBar })));
// "Find the LR" (the range test's dialog and its Python export) loads when a range test is opened.
const RangeDialog = lazy(() => import("./RangeTest").then((m) => ({ default: m.RangeDialog })));
// The paper replication (its tables and figures) loads when it is opened; its results live in its store.
const ReplicationDialog = lazy(() => import("./Replication").then((m) => ({ default: m.ReplicationDialog })));

import { RunsPanel } from "./RunsPanel";
import { SumsPanel } from "./Sums";
import { TaskView } from "./TaskView";
import { Toolbar } from "./Toolbar";

function Notices() {
  const updateReady = useStore(appStore, (s) => s.updateReady);
  const reload = useStore(appStore, (s) => s.reload);
  const notice = useLab((s) => s.notice);
  const error = useLab((s) => s.error);
  const dismiss = useLab((s) => s.dismissNotice);
  return (
    <>
      {updateReady ? (
        <div className="notice update" role="status">
          A new version of LR Lab is ready.{" "}
          <button type="button" onClick={reload}>
            Reload to use it
          </button>
        </div>
      ) : null}
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

/** The task, its model and the shared settings, in one line. */
function modelWords(exp: Experiment): string {
  const k = exp.task.kind;
  if (isAnalytic(k)) return `${TASK_LABELS[k]} · the parameters are the point (x₁, x₂)`;
  // MNIST trains on the first `samples` digits of its pool: how many is part of what the class sees.
  if (k === "mnist") return `${TASK_LABELS[k]} · ${exp.task.samples} training digits`;
  if (FIXED_TASKS.includes(k)) return TASK_LABELS[k];
  const data = `${TASK_LABELS[k].replace(/ \(.*\)$/, "")} (${exp.task.samples} samples, noise ${exp.task.noise})`;
  return k === "logistic" ? data : `${data} · MLP ${exp.hidden.join("–")}`;
}

/** ?embed=1: only the charts and the play controls, for an iframe in a course page or slides. */
function Embedded() {
  return (
    <div className="app embed">
      <main className="stage">
        <Toolbar />
        <Notices />
        <Charts />
      </main>
    </div>
  );
}

export function App() {
  const exp = useLab((s) => s.experiment);
  if (exp.view.embed) return <Embedded />;
  return <Full />;
}

function Full() {
  const exp = useLab((s) => s.experiment);
  const hide = new Set(exp.view.hide);
  const [gallery, setGallery] = useState(false);
  const [replication, setReplication] = useState(false);
  const [qr, setQr] = useState(false);
  const setExperiment = useLab((s) => s.setExperiment);
  const lesson = exp.view.lesson ? lessonById(exp.view.lesson) : undefined;
  const sums =
    lesson?.panels?.includes("sums") || exp.runs.some((r) => r.scheduler.scheduler === "RobbinsMonro");
  return (
    <div className={`app ${exp.view.present ? "present" : ""}`}>
      <header className="top">
        <h1>
          LR Lab <span className="muted">— learning-rate schedulers, live</span>
        </h1>
        <nav className="course" aria-label="Course">
          <button type="button" onClick={() => setGallery(true)}>
            Lessons
          </button>
          {exp.view.replay ? null : (
            <button type="button" onClick={() => setExperiment(replayExperiment())}>
              Replay a training log
            </button>
          )}
          {exp.view.present ? (
            <button type="button" onClick={() => setQr(true)}>
              Show link as QR code
            </button>
          ) : (
            <button type="button" onClick={() => setReplication(true)}>
              Replicate the paper
            </button>
          )}
        </nav>
        <BackendBadge />
      </header>
      <LessonsDialog open={gallery} onClose={() => setGallery(false)} />
      {replication ? (
        <Suspense fallback={<p role="status">Loading the replication…</p>}>
          <ReplicationDialog open onClose={() => setReplication(false)} />
        </Suspense>
      ) : null}
      <QrDialog open={qr} onClose={() => setQr(false)} />
      {exp.view.range.flavor && exp.view.range.open && !exp.view.replay ? (
        <Suspense fallback={<p role="status">Loading the range test…</p>}>
          <RangeDialog />
        </Suspense>
      ) : null}
      {/* The stage: controls, the lesson (a strip when presenting) and Loss | LR | Recovery, full width. */}
      {exp.view.replay ? (
        <main className="layout replay-mode">
          <div className="stage">
            <Notices />
            <LessonPanel onGallery={() => setGallery(true)} />
            <Suspense fallback={<p role="status">Loading the replay view…</p>}>
              <ReplayView />
            </Suspense>
          </div>
        </main>
      ) : (
        <main className="layout">
          <div className="stage">
            {hide.has("toolbar") ? null : <Toolbar />}
            <Notices />
            <LessonPanel onGallery={() => setGallery(true)} />
            <Charts />
          </div>
          <div className="main-col">
            {exp.view.explain ? <ExplainPanel /> : null}
            {sums ? <SumsPanel /> : null}
            <TaskView />
            <ModelView />
            {hide.has("internals") ? null : (
              <Suspense fallback={<section className="formula" aria-label="Formula" aria-busy="true" />}>
                <FormulaPanel />
              </Suspense>
            )}
            {hide.has("internals") ? null : <Internals />}
            {hide.has("metrics") ? null : <MetricsTable />}
            <Suspense fallback={null}>
              <ShareBar />
            </Suspense>
            <p className="task muted">
              Task: {modelWords(exp)} · {exp.optimizer} · base LR {exp.baseLr} · batch {exp.batchSize} · seed{" "}
              {exp.seed} — every run starts from the same weights and sees the same batches: only the
              scheduler differs.
            </p>
          </div>
          <div className="side-col">
            {hide.has("runs") ? null : <RunsPanel hideParams={hide.has("params")} />}
            {hide.has("experiment") ? null : <ExperimentPanel />}
          </div>
        </main>
      )}
    </div>
  );
}
