/**
 * The lab store (zustand, vanilla so it is testable without React or a worker). It owns the experiment
 * config, the streamed series and the training status; every user action becomes a message to the worker.
 * Series arrays grow in place and `version` bumps on each batch: charts re-render once per batch without
 * copying 8 × 20 000 points.
 */
import { createStore } from "zustand/vanilla";
import type { RangeFlavor } from "../engine/rangeTest";
import { exampleConfig } from "../engine/registry";
import { createScheduler } from "../engine/runtime";
import type { Internal, SchedulerConfig, SchedulerEvent } from "../engine/types";
import { defaultExperiment, type Experiment, MAX_RUNS, RUN_COLORS } from "../experiment/config";
import type { ExportFile } from "../experiment/export";
import { followedRun } from "../experiment/lessons";
import type { RaceData } from "../experiment/raceExport";
import type { RangeRun } from "../experiment/rangeTest";
import { validateExperiment, validateRange } from "../experiment/validate";
import type { BackendInfo, FromWorker, TaskViewMessage } from "../train/protocol";
import type { TrainerClient } from "./client";

export interface Series {
  steps: number[];
  /** The loss at the evaluated point (a schedule-free run: its average x). */
  loss: number[];
  /** Schedule-free runs: the loss at the gradient point y (drawn faint); empty for the others. */
  lossY: number[];
  /** Schedule-free SGD with schedulet averaging on a task with a known optimum: f* + the convex bound, step for
   * step (NaN where none yet); empty for the others. */
  bound: number[];
  lr: number[];
  /** What the run's method cost so far: gradients and extra forward passes on the steps' batches (totals). */
  cost: { grads: number; fwds: number };
  /** Per-weight methods (vSGD, SDLM): the 10% and 90% points of η_i, drawn as a band around `lr` (their median). */
  lrLo: number[];
  lrHi: number[];
  events: SchedulerEvent[];
  divergedAt: number | null;
  internals: Internal[];
  /** Latest state of a time-based scheduler (for the ghost preview). */
  sched?: { state: unknown; step: number };
  /** Analytic tasks: the trajectory (x₁, x₂) of the run. */
  x1: number[];
  x2: number[];
}

export interface Reference {
  name: string;
  color: string;
  steps: number[];
  loss: number[];
  lr: number[];
}

const refsOf = (file: ExportFile, prefix: string): Reference[] =>
  file.runs.map((d, i) => ({
    name: `${prefix}${file.experiment.runs[i].name}`,
    color: file.experiment.runs[i].color,
    steps: d.steps,
    loss: d.loss,
    lr: d.lr,
  }));

export interface LabState {
  experiment: Experiment;
  series: Series[];
  /** Steps at which a perturbation started (shared by all runs). */
  onsets: number[];
  /** Build generation: bumped by every reset; batches from an older build are dropped. */
  gen: number;
  version: number;
  running: boolean;
  step: number;
  done: boolean;
  rate: number;
  /** Worker time since the build: training steps and task views (the views' budget is 10%). */
  work: { trainMs: number; viewMs: number };
  backend: BackendInfo | null;
  error: string | null;
  notice: string | null;
  play(): void;
  pause(): void;
  togglePlay(): void;
  stepOnce(count?: number): void;
  reset(): void;
  /** Live update of one run's scheduler (params or a new scheduler); invalid → notice, nothing lost. */
  setRunScheduler(run: number, config: SchedulerConfig): boolean;
  setExperiment(e: Experiment): void;
  /** Run management: changing the set of runs restarts the race (all runs share step 0). */
  addRun(): void;
  removeRun(run: number): void;
  duplicateRun(run: number): void;
  renameRun(run: number, name: string): void;
  recolorRun(run: number, color: string): void;
  /** Index of the run whose internals and decisions are shown. */
  selected: number;
  select(run: number): void;
  /** Step under the pointer on either chart (the synced crosshair), or null. */
  hover: number | null;
  setHover(step: number | null): void;
  /** The task's data and the latest model outputs on the view grid (decision boundary / fit curve). */
  taskData: Extract<FromWorker, { type: "data" }> | null;
  taskView: TaskViewMessage | null;
  /** Reference curves imported from an export (drawn dashed). */
  references: Reference[];
  /** Chart settings / classroom flags: part of the experiment (and its URL), changed without a reset. */
  setView(patch: Partial<Experiment["view"]>): void;
  /** Open an export: its config becomes the experiment (ready to run) and its curves are shown as references. */
  openExport(file: ExportFile): void;
  /** Overlay an export's runs as reference curves on the current experiment. */
  overlayExport(file: ExportFile): void;
  clearReferences(): void;
  /** Runs hidden from the charts by the legend. */
  hidden: boolean[];
  toggleRun(run: number): void;
  setSpeed(stepsPerSecond: number | null): void;
  dismissNotice(): void;
  /** Test hook: make the worker's next step fail as a lost GPU device would. */
  simulateBackendFailure(): void;
  /** The LR range test beside the race ("Find the LR"); its config lives in experiment.view.range. */
  range: RangeStatus;
  /** Open the range test (flavour, parameters: validated; a bad one changes nothing and says why). */
  setRange(flavor: RangeFlavor, params: Record<string, unknown>): boolean;
  closeRange(): void;
  /** Run it on a throwaway copy of the experiment in the worker (the race is left alone). */
  runRange(): void;
  cancelRange(): void;
  /**
   * "Use this LR": as the base LR (the race restarts with it), or as the max_lr of run `target`'s OneCycleLR or
   * CyclicLR (a live change).
   */
  useRangeLr(lr: number, target: "base" | number): void;
  /**
   * What the PyTorch export of the race needs from the worker: the race as it started, its data and initial
   * weights, and how many live changes were made since (the export does not replay them). Rejects with the
   * worker's reason.
   */
  raceData(): Promise<RaceDataReply>;
}

export interface RaceDataReply {
  experiment: Experiment;
  data: RaceData;
  changes: number;
}

export interface RangeStatus {
  state: "idle" | "running" | "done" | "error";
  /** The request the worker answers (older answers are dropped). */
  id: number;
  progress: { done: number; total: number } | null;
  result: RangeRun | null;
  error: string | null;
}

const emptySeries = (): Series => ({
  steps: [],
  loss: [],
  lossY: [],
  bound: [],
  cost: { grads: 0, fwds: 0 },
  lrLo: [],
  lrHi: [],
  lr: [],
  events: [],
  divergedAt: null,
  internals: [],
  x1: [],
  x2: [],
});

function uniqueName(e: Experiment, base: string): string {
  const names = new Set(e.runs.map((r) => r.name));
  if (!names.has(base)) return base;
  for (let k = 2; ; k++) if (!names.has(`${base} ${k}`)) return `${base} ${k}`;
}

/** What a range test's result depends on: the training, not the runs or the base LR. */
const rangeKey = (e: Experiment) =>
  JSON.stringify([
    e.task,
    e.hidden,
    e.optimizer,
    e.momentum,
    e.weightDecay,
    e.batchSize,
    e.seed,
    e.view.range,
  ]);

export function createLabStore(client: TrainerClient, initial: Experiment = defaultExperiment()) {
  // Requests the worker answers by id (the race's data for an export).
  const pending = new Map<number, { resolve: (r: RaceDataReply) => void; reject: (e: Error) => void }>();
  let nextRequest = 0;
  const store = createStore<LabState>()((set, get) => ({
    experiment: initial,
    series: initial.runs.map(emptySeries),
    onsets: [],
    gen: 0,
    version: 0,
    running: false,
    step: 0,
    done: false,
    rate: 0,
    work: { trainMs: 0, viewMs: 0 },
    backend: null,
    error: null,
    notice: null,
    play: () => {
      if (get().done) return;
      set({ running: true });
      client.post({ type: "play" });
    },
    pause: () => {
      set({ running: false });
      client.post({ type: "pause" });
    },
    togglePlay: () => (get().running ? get().pause() : get().play()),
    stepOnce: (count = 1) => client.post({ type: "step", count }),
    reset: () => {
      set({
        series: get().experiment.runs.map(emptySeries),
        onsets: [],
        taskData: null,
        taskView: null,
        step: 0,
        done: false,
        running: false,
        gen: get().gen + 1,
        version: get().version + 1,
      });
      client.post({ type: "reset", experiment: get().experiment, gen: get().gen });
    },
    setRunScheduler: (run, config) => {
      const e = get().experiment;
      try {
        createScheduler(config, e.baseLr);
      } catch (err) {
        set({ notice: (err as Error).message });
        return false;
      }
      const runs = e.runs.map((r, i) => (i === run ? { ...r, scheduler: config } : r));
      set({ experiment: { ...e, runs } });
      client.post({ type: "scheduler", run, config });
      return true;
    },
    setExperiment: (next) => {
      // The same validation as links and imports; here a problem changes nothing (the input is the user's).
      const { experiment, ignored } = validateExperiment(next);
      if (ignored.length) {
        set({ notice: ignored.map((m) => m.replace(/ — (default used|run dropped)$/, "")).join("\n") });
        return;
      }
      // A new lesson: the panels follow the run it is about.
      const lessonChanged = experiment.view.lesson !== get().experiment.view.lesson;
      // A range test's result holds only for the training it measured (not the runs or the base LR).
      if (rangeKey(experiment) !== rangeKey(get().experiment) && get().range.state !== "idle") {
        get().cancelRange();
        set({ range: { ...get().range, state: "idle", result: null, progress: null, error: null } });
      }
      set({
        experiment,
        selected: lessonChanged
          ? followedRun(experiment)
          : Math.min(get().selected, experiment.runs.length - 1),
      });
      get().reset();
    },
    selected: followedRun(initial),
    select: (run) => set({ selected: run }),
    hover: null,
    setHover: (step) => get().hover !== step && set({ hover: step }),
    references: [],
    taskData: null,
    taskView: null,
    setView: (patch) => {
      const e = get().experiment;
      set({ experiment: { ...e, view: { ...e.view, ...patch } } });
    },
    openExport: (file) => {
      set({ experiment: file.experiment, references: refsOf(file, "imported: ") });
      get().reset();
    },
    overlayExport: (file) => set({ references: [...get().references, ...refsOf(file, "ref: ")].slice(-16) }),
    clearReferences: () => set({ references: [] }),
    hidden: [],
    toggleRun: (run) => {
      const h = get().hidden.slice();
      h[run] = !h[run];
      set({ hidden: h });
    },
    addRun: () => {
      const e = get().experiment;
      if (e.runs.length >= MAX_RUNS) {
        set({ notice: `At most ${MAX_RUNS} runs race side by side.` });
        return;
      }
      const color = RUN_COLORS.find((c) => !e.runs.some((r) => r.color === c)) ?? RUN_COLORS[e.runs.length];
      const scheduler = exampleConfig("CosineAnnealingLR", e.steps, e.baseLr);
      get().setExperiment({ ...e, runs: [...e.runs, { name: uniqueName(e, "Cosine"), color, scheduler }] });
      set({ selected: e.runs.length });
    },
    removeRun: (run) => {
      const e = get().experiment;
      if (e.runs.length <= 1) {
        set({ notice: "An experiment needs at least one run." });
        return;
      }
      get().setExperiment({ ...e, runs: e.runs.filter((_, i) => i !== run) });
      set({ selected: Math.min(get().selected, e.runs.length - 2) });
    },
    duplicateRun: (run) => {
      const e = get().experiment;
      if (e.runs.length >= MAX_RUNS) {
        set({ notice: `At most ${MAX_RUNS} runs race side by side.` });
        return;
      }
      const src = e.runs[run];
      const color = RUN_COLORS.find((c) => !e.runs.some((r) => r.color === c)) ?? src.color;
      const copy = {
        ...src,
        name: uniqueName(e, src.name),
        color,
        scheduler: structuredClone(src.scheduler),
      };
      get().setExperiment({ ...e, runs: [...e.runs.slice(0, run + 1), copy, ...e.runs.slice(run + 1)] });
    },
    renameRun: (run, name) => {
      const e = get().experiment;
      const clean = name.slice(0, 40);
      set({ experiment: { ...e, runs: e.runs.map((r, i) => (i === run ? { ...r, name: clean } : r)) } });
    },
    recolorRun: (run, color) => {
      if (!/^#[0-9a-fA-F]{6}$/.test(color)) return;
      const e = get().experiment;
      set({ experiment: { ...e, runs: e.runs.map((r, i) => (i === run ? { ...r, color } : r)) } });
    },
    setSpeed: (sps) => client.post({ type: "speed", stepsPerSecond: sps }),
    dismissNotice: () => set({ notice: null }),
    simulateBackendFailure: () => client.post({ type: "simulate-failure" }),
    range: { state: "idle", id: 0, progress: null, result: null, error: null },
    setRange: (flavor, params) => {
      const ignored: string[] = [];
      const clean = validateRange(params, flavor, ignored);
      if (ignored.length) {
        set({ notice: ignored.map((m) => m.replace(/ — .*$/, "")).join("\n") });
        return false;
      }
      const e = get().experiment;
      set({ experiment: { ...e, view: { ...e.view, range: { flavor, params: clean, open: true } } } });
      // A result stays while the settings it was run with stay (closing and reopening keeps it).
      const r = get().range;
      const same =
        r.result && JSON.stringify([r.result.flavor, r.result.params]) === JSON.stringify([flavor, clean]);
      if (!same && r.state !== "idle") {
        get().cancelRange();
        set({ range: { ...r, state: "idle", result: null, progress: null, error: null } });
      }
      return true;
    },
    closeRange: () => {
      // The dialog closes; a finished result is kept (claims, reopening), a running test is cancelled.
      get().cancelRange();
      const e = get().experiment;
      const r = get().range;
      set({
        experiment: { ...e, view: { ...e.view, range: { ...e.view.range, open: false } } },
        range: r.state === "running" ? { ...r, state: "idle", progress: null } : r,
      });
    },
    runRange: () => {
      const e = get().experiment;
      if (e.view.range.flavor === "") return;
      const id = get().range.id + 1;
      set({ range: { state: "running", id, progress: { done: 0, total: 0 }, result: null, error: null } });
      client.post({ type: "range", experiment: e, id });
    },
    cancelRange: () => {
      const r = get().range;
      if (r.state === "running") client.post({ type: "range-cancel", id: r.id });
    },
    raceData: () =>
      new Promise<RaceDataReply>((resolve, reject) => {
        const id = ++nextRequest;
        pending.set(id, { resolve, reject });
        client.post({ type: "race-data", id });
      }),
    useRangeLr: (lr, target) => {
      const e = get().experiment;
      if (!(Number.isFinite(lr) && lr > 0 && lr <= 10)) {
        set({ notice: `LR ${lr} is outside (0, 10]: not used` });
        return;
      }
      if (target === "base") {
        get().setExperiment({ ...e, baseLr: lr });
        return;
      }
      const run = e.runs[target];
      if (!run || (run.scheduler.scheduler !== "OneCycleLR" && run.scheduler.scheduler !== "CyclicLR")) {
        set({ notice: "That run has no max_lr: choose a OneCycleLR or CyclicLR run, or the base LR." });
        return;
      }
      get().setRunScheduler(target, { ...run.scheduler, params: { ...run.scheduler.params, max_lr: lr } });
    },
  }));

  client.onMessage((m: FromWorker) => {
    switch (m.type) {
      case "ready":
        store.setState({ backend: m.info, error: null });
        break;
      case "batch": {
        if (m.gen !== store.getState().gen) break; // sent before a reset: stale
        const series = store.getState().series;
        m.runs.forEach((b, r) => {
          const s = series[r];
          if (!s) return;
          for (let i = 0; i < b.steps.length; i++) {
            s.steps.push(b.steps[i]);
            s.loss.push(b.loss[i]);
            s.lr.push(b.lr[i]);
          }
          if (b.lossY) s.lossY.push(...b.lossY);
          if (b.bound) s.bound.push(...b.bound);
          if (b.cost) s.cost = { grads: s.cost.grads + b.cost.grads, fwds: s.cost.fwds + b.cost.fwds };
          if (b.lrLo && b.lrHi) {
            s.lrLo.push(...b.lrLo);
            s.lrHi.push(...b.lrHi);
          }
          if (b.events.length) s.events.push(...b.events);
          if (b.x1 && b.x2) {
            for (let i = 0; i < b.x1.length; i++) {
              s.x1.push(b.x1[i]);
              s.x2.push(b.x2[i]);
            }
          }
          s.divergedAt = b.divergedAt;
          if (b.internals) s.internals = b.internals;
          if (b.sched) s.sched = b.sched;
        });
        if (m.onsets?.length) store.getState().onsets.push(...m.onsets);
        store.setState({ version: store.getState().version + 1, step: m.step });
        break;
      }
      case "status":
        store.setState({
          running: m.running,
          step: m.step,
          done: m.done,
          rate: m.stepsPerSecond,
          work: { trainMs: m.trainMs, viewMs: m.viewMs },
        });
        break;
      case "error":
        store.setState({ error: m.message, running: false });
        break;
      case "data":
        store.setState({ taskData: m, taskView: null });
        break;
      case "recovered": {
        const st = store.getState();
        if (m.resumedAfterMs !== undefined) {
          // Replayed on another backend up to the failed step: the series simply go on.
          store.setState({
            notice: `The ${m.from} backend failed at step ${m.step} (${m.message}). Training resumed at step ${m.step} on ${m.to}: the runs were replayed there (same seed, batches and parameter changes) in ${(m.resumedAfterMs / 1000).toFixed(1)} s.`,
          });
          break;
        }
        // Too long to replay: training restarts from step 0 on another backend. The curves so far stay on the
        // charts as dashed references; nothing the user did is lost.
        const kept = st.series.map((s, i) => ({
          name: `before ${m.from} failed: ${st.experiment.runs[i]?.name ?? i + 1}`,
          color: st.experiment.runs[i]?.color ?? "#888888",
          steps: s.steps,
          loss: s.loss,
          lr: s.lr,
        }));
        store.setState({
          references: [...st.references, ...kept].slice(-16),
          series: st.experiment.runs.map(emptySeries),
          onsets: [],
          step: 0,
          done: false,
          gen: m.gen,
          version: st.version + 1,
          notice: `The ${m.from} backend failed at step ${m.step} (${m.message}). Training restarted from step 0 on ${m.to} — every run still shares the same start; the curves so far are kept as dashed references.`,
        });
        break;
      }
      case "view":
      case "digits":
      case "text":
        store.setState({ taskView: m });
        break;
      case "range-progress": {
        const r = store.getState().range;
        if (m.id === r.id && r.state === "running")
          store.setState({ range: { ...r, progress: { done: m.done, total: m.total } } });
        break;
      }
      case "range-result": {
        const r = store.getState().range;
        if (m.id === r.id)
          store.setState({ range: { ...r, state: "done", result: m.result, progress: null } });
        break;
      }
      case "race-data":
      case "race-data-error": {
        const req = pending.get(m.id);
        pending.delete(m.id);
        if (m.type === "race-data")
          req?.resolve({ experiment: m.experiment, data: m.data, changes: m.changes });
        else req?.reject(new Error(m.message));
        break;
      }
      case "range-error": {
        const r = store.getState().range;
        if (m.id === r.id)
          store.setState({ range: { ...r, state: "error", error: m.message, progress: null } });
        break;
      }
    }
  });
  client.post({ type: "init", experiment: initial, gen: 0 });
  return store;
}

export type LabStore = ReturnType<typeof createLabStore>;
