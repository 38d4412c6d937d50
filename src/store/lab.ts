/**
 * The lab store (zustand, vanilla so it is testable without React or a worker). It owns the experiment
 * config, the streamed series and the training status; every user action becomes a message to the worker.
 * Series arrays grow in place and `version` bumps on each batch: charts re-render once per batch without
 * copying 8 × 20 000 points.
 */
import { createStore } from "zustand/vanilla";
import { createScheduler } from "../engine/runtime";
import type { Internal, SchedulerConfig, SchedulerEvent } from "../engine/types";
import { defaultExperiment, type Experiment, schedulerProblems } from "../experiment/config";
import type { BackendInfo, FromWorker } from "../train/protocol";
import type { TrainerClient } from "./client";

export interface Series {
  steps: number[];
  loss: number[];
  lr: number[];
  events: SchedulerEvent[];
  divergedAt: number | null;
  internals: Internal[];
}

export interface LabState {
  experiment: Experiment;
  series: Series[];
  version: number;
  running: boolean;
  step: number;
  done: boolean;
  rate: number;
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
  setSpeed(stepsPerSecond: number | null): void;
  dismissNotice(): void;
}

const emptySeries = (): Series => ({
  steps: [],
  loss: [],
  lr: [],
  events: [],
  divergedAt: null,
  internals: [],
});

export function createLabStore(client: TrainerClient, initial: Experiment = defaultExperiment()) {
  const store = createStore<LabState>()((set, get) => ({
    experiment: initial,
    series: initial.runs.map(emptySeries),
    version: 0,
    running: false,
    step: 0,
    done: false,
    rate: 0,
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
        step: 0,
        done: false,
        running: false,
        version: get().version + 1,
      });
      client.post({ type: "reset", experiment: get().experiment });
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
      const problems = schedulerProblems(next);
      if (problems.length) {
        set({ notice: problems.join("\n") });
        return;
      }
      set({ experiment: next });
      get().reset();
    },
    setSpeed: (sps) => client.post({ type: "speed", stepsPerSecond: sps }),
    dismissNotice: () => set({ notice: null }),
  }));

  client.onMessage((m: FromWorker) => {
    switch (m.type) {
      case "ready":
        store.setState({ backend: m.info, error: null });
        break;
      case "batch": {
        const series = store.getState().series;
        m.runs.forEach((b, r) => {
          const s = series[r];
          if (!s) return;
          for (let i = 0; i < b.steps.length; i++) {
            s.steps.push(b.steps[i]);
            s.loss.push(b.loss[i]);
            s.lr.push(b.lr[i]);
          }
          if (b.events.length) s.events.push(...b.events);
          s.divergedAt = b.divergedAt;
          if (b.internals) s.internals = b.internals;
        });
        store.setState({ version: store.getState().version + 1, step: m.step });
        break;
      }
      case "status":
        store.setState({ running: m.running, step: m.step, done: m.done, rate: m.stepsPerSecond });
        break;
      case "error":
        store.setState({ error: m.message, running: false });
        break;
    }
  });
  client.post({ type: "init", experiment: initial });
  return store;
}

export type LabStore = ReturnType<typeof createLabStore>;
