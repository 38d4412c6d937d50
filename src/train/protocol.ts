/**
 * Messages between the page and the workers (training, sweeps). Plain data only (structured clone), and types
 * only: this is the one file of src/train the page may import (dependency-cruiser checks it), so it must
 * never import tfjs or anything that does.
 */
import type { SchedulerConfig, SchedulerEvent } from "../engine/types";
import type { Experiment } from "../experiment/config";
import type { RaceData } from "../experiment/raceExport";
import type { RangeRun } from "../experiment/rangeTest";
import type { Sweep, SweepRow } from "../experiment/sweep";

export type BackendName = "webgpu" | "webgl" | "wasm" | "cpu";

export interface BackendInfo {
  /** The backend training runs on. */
  backend: BackendName;
  requested: Experiment["backend"];
  /** What the WebGPU probe found. */
  webgpu: "unavailable" | "hardware" | "software";
  adapter?: string;
  /** Why this backend was chosen, in words for the badge. */
  reason: string;
  /** "auto": each usable backend's measured milliseconds per step of this experiment (or of this task, cached). */
  measured?: { times: Partial<Record<BackendName, number>>; cached: boolean; task: string };
  /** "auto" on a first visit: training already runs here while the other backends are measured. */
  measuring?: boolean;
}

export type ToWorker =
  | { type: "init"; experiment: Experiment; gen: number }
  | { type: "play" }
  | { type: "pause" }
  | { type: "step"; count: number }
  | { type: "reset"; experiment?: Experiment; gen: number }
  | { type: "scheduler"; run: number; config: SchedulerConfig }
  | { type: "speed"; stepsPerSecond: number | null }
  /** Test hook: make the next training step fail as a lost device would. */
  | { type: "simulate-failure" }
  /** Run the LR range test of `experiment.view.range` on a throwaway copy of the experiment (the race goes on). */
  | { type: "range"; experiment: Experiment; id: number }
  | { type: "range-cancel"; id: number }
  /** The data and initial weights of the race as it started, for its PyTorch export. */
  | { type: "race-data"; id: number };

/** Per-run columns of the steps trained since the last batch (columnar: cheap to clone). */
export interface RunBatch {
  steps: number[];
  /** The loss at the point the run is evaluated at (a schedule-free run: its average x). */
  loss: number[];
  /** Schedule-free runs: the loss at the gradient point y, step for step with `loss`. */
  lossY?: number[];
  /** Schedule-free SGD with schedulet averaging on a task with a known optimum: f* + the convex bound
   * (NaN before the first step counts). */
  bound?: number[];
  lr: number[];
  /** What the steps of this batch cost the run's method: gradients and extra forward passes, summed. */
  cost?: { grads: number; fwds: number };
  /** Per-weight methods: the 10% and 90% points of η_i, step for step with `lr` (their median). */
  lrLo?: number[];
  lrHi?: number[];
  events: SchedulerEvent[];
  divergedAt: number | null;
  internals?: { label: string; value: number | string | boolean; limit?: number }[];
  /** Time-based schedulers: their state after `step`, so the page can preview the future exactly. */
  sched?: { state: unknown; step: number };
  /** Analytic tasks: the point of each step. */
  x1?: number[];
  x2?: number[];
}

export type FromWorker =
  | { type: "ready"; info: BackendInfo }
  /** `gen`: the build this batch belongs to; the page drops batches of an older build (sent before a reset). */
  | { type: "batch"; step: number; runs: RunBatch[]; onsets: number[]; gen: number }
  | {
      type: "status";
      running: boolean;
      step: number;
      done: boolean;
      stepsPerSecond: number;
      /** Worker milliseconds spent on training steps and on task views since the build: the views' share. */
      trainMs: number;
      viewMs: number;
    }
  | { type: "error"; message: string }
  | { type: "range-progress"; id: number; done: number; total: number }
  | { type: "range-result"; id: number; result: RangeRun }
  | { type: "range-error"; id: number; message: string }
  /**
   * The race as it started (`experiment`: its settings at step 0) and what it trains on; `changes`: the live
   * scheduler changes made since, which the export does not replay.
   */
  | { type: "race-data"; id: number; experiment: Experiment; data: RaceData; changes: number }
  | { type: "race-data-error"; id: number; message: string }
  /**
   * The backend failed mid-run (e.g. GPU device lost) at `step`. With `resumedAfterMs`: the runs were replayed
   * on `to` and go on from `step` (the page keeps its series); without: training restarted from step 0.
   */
  | {
      type: "recovered";
      from: BackendName;
      to: BackendName;
      step: number;
      message: string;
      gen: number;
      resumedAfterMs?: number;
    }
  /**
   * The task's data, once per build: 2-D classification points, 1-D regression points, the held-out digits
   * shown in the task view (`digits`: [n, 196] grey levels, y = labels), or the corpus (`text`: title only).
   */
  | {
      type: "data";
      kind: "classification" | "regression" | "digits" | "text";
      dim: number;
      x: Float32Array;
      y: Float32Array;
      title?: string;
    }
  | TaskViewMessage;

/** What the models have learned, a few times a second (see ModelView). */
export type TaskViewMessage =
  /** Model outputs on the view grid: [run][point]; grid = G×G over [lo, hi]² (classification) or G points. */
  | { type: "view"; grid: number; lo: number; hi: number; values: Float32Array[] }
  /** Digits: each run's predicted class for the shown digits, and its accuracy on all held-out digits. */
  /** MNIST: the first held-out digits' predictions and every run's accuracy on all of them, at `step`. */
  | { type: "digits"; preds: Int32Array[]; accuracy: number[]; heldOut: number; step: number }
  /** Char-LM: text sampled from every run after the prompt, at `step`. */
  | { type: "text"; prompt: string; samples: string[]; step: number };

/** Progress of a sweep: runs done of total, and what runs now. */
export interface SweepProgress {
  done: number;
  total: number;
  label: string;
}

export type ToSweepWorker = { type: "run"; sweep: Sweep };
export type FromSweepWorker =
  | { type: "progress"; progress: SweepProgress; backend: string }
  | { type: "done"; rows: SweepRow[]; ms: number; backend: string }
  | { type: "error"; message: string };
