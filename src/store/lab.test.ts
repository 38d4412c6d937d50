import { describe, expect, it } from "vitest";
import { defaultExperiment } from "../experiment/config";
import type { FromWorker, ToWorker } from "../train/protocol";
import type { TrainerClient } from "./client";
import { createLabStore } from "./lab";

function fakeClient() {
  const sent: ToWorker[] = [];
  let h: (m: FromWorker) => void = () => {};
  const client: TrainerClient = { post: (m) => sent.push(m), onMessage: (f) => (h = f), terminate: () => {} };
  return { client, sent, emit: (m: FromWorker) => h(m) };
}

describe("lab store", () => {
  it("initialises the worker with the experiment and toggles play/pause", () => {
    const f = fakeClient();
    const s = createLabStore(f.client);
    expect(f.sent[0]).toMatchObject({ type: "init" });
    s.getState().togglePlay();
    expect(s.getState().running).toBe(true);
    s.getState().togglePlay();
    expect(f.sent.map((m) => m.type)).toEqual(["init", "play", "pause"]);
  });

  it("appends streamed batches in place and bumps the version", () => {
    const f = fakeClient();
    const s = createLabStore(f.client);
    const run = { steps: [0, 1], loss: [1, 0.9], lr: [0.1, 0.1], events: [], divergedAt: null };
    f.emit({ type: "batch", step: 2, runs: [run, run], onsets: [], gen: 0 });
    f.emit({
      type: "batch",
      step: 3,
      runs: [{ ...run, steps: [2], loss: [0.8], lr: [0.1] }, run],
      onsets: [2],
      gen: 0,
    });
    expect(s.getState().series[0].loss).toEqual([1, 0.9, 0.8]);
    expect(s.getState().version).toBe(2);
    expect(s.getState().step).toBe(3);
    expect(s.getState().onsets).toEqual([2]);
  });

  it("rejects an invalid live parameter with a notice and keeps the previous config", () => {
    const f = fakeClient();
    const s = createLabStore(f.client);
    const before = s.getState().experiment.runs[1].scheduler;
    expect(s.getState().setRunScheduler(1, { scheduler: "GreedyLR", params: { factor: 1.2 } })).toBe(false);
    expect(s.getState().notice).toMatch(/factor/);
    expect(s.getState().experiment.runs[1].scheduler).toBe(before);
    expect(f.sent.some((m) => m.type === "scheduler")).toBe(false);
  });

  it("sends a valid live change to the worker without a reset", () => {
    const f = fakeClient();
    const s = createLabStore(f.client, defaultExperiment());
    expect(s.getState().setRunScheduler(1, { scheduler: "GreedyLR", params: { factor: 0.5 } })).toBe(true);
    expect(f.sent.at(-1)).toEqual({
      type: "scheduler",
      run: 1,
      config: { scheduler: "GreedyLR", params: { factor: 0.5 } },
    });
  });
});

describe("run management", () => {
  it("adds, duplicates and removes runs, restarting the race, within 1..8 runs", () => {
    const f = fakeClient();
    const s = createLabStore(f.client);
    s.getState().addRun();
    expect(s.getState().experiment.runs).toHaveLength(3);
    expect(s.getState().series).toHaveLength(3);
    expect(f.sent.at(-1)).toMatchObject({ type: "reset", gen: 1 });
    s.getState().duplicateRun(1);
    expect(s.getState().experiment.runs[2].name).toBe("GreedyLR 2");
    for (let i = 0; i < 10; i++) s.getState().addRun();
    expect(s.getState().experiment.runs).toHaveLength(8);
    expect(s.getState().notice).toMatch(/At most 8/);
    // Eight runs wear eight different colours (the palette is never reused while it lasts).
    expect(new Set(s.getState().experiment.runs.map((r) => r.color)).size).toBe(8);
    for (let i = 0; i < 10; i++) s.getState().removeRun(0);
    expect(s.getState().experiment.runs).toHaveLength(1);
    expect(s.getState().notice).toMatch(/at least one run/i);
    expect(s.getState().series).toHaveLength(1);
  });
});

describe("backend failure", () => {
  it("keeps the curves so far as references, restarts the series and says what happened", () => {
    const f = fakeClient();
    const s = createLabStore(f.client);
    const run = { steps: [0, 1], loss: [1, 0.9], lr: [0.1, 0.1], events: [], divergedAt: null };
    f.emit({ type: "batch", step: 2, runs: [run, run], onsets: [], gen: 0 });
    f.emit({ type: "recovered", from: "webgpu", to: "wasm", step: 2, message: "GPU device lost", gen: 1 });
    const st = s.getState();
    expect(st.references.map((r) => r.loss)).toEqual([
      [1, 0.9],
      [1, 0.9],
    ]);
    expect(st.references[1].name).toBe("before webgpu failed: GreedyLR");
    expect(st.series[0].steps).toEqual([]);
    expect(st.notice).toMatch(/webgpu backend failed at step 2 .*restarted from step 0 on wasm/);
    // Batches of the new build are taken; a stale one from before the failure is dropped.
    f.emit({
      type: "batch",
      step: 1,
      runs: [{ ...run, steps: [0], loss: [5], lr: [0.1] }, run],
      onsets: [],
      gen: 0,
    });
    expect(s.getState().series[0].steps).toEqual([]);
    f.emit({
      type: "batch",
      step: 1,
      runs: [{ ...run, steps: [0], loss: [1], lr: [0.1] }, run],
      onsets: [],
      gen: 1,
    });
    expect(s.getState().series[0].loss).toEqual([1]);
  });

  it("after a replay on the new backend, the series go on where they were", () => {
    const f = fakeClient();
    const s = createLabStore(f.client);
    const run = { steps: [0, 1], loss: [1, 0.9], lr: [0.1, 0.1], events: [], divergedAt: null };
    f.emit({ type: "batch", step: 2, runs: [run, run], onsets: [], gen: 0 });
    f.emit({
      type: "recovered",
      from: "webgl",
      to: "wasm",
      step: 2,
      message: "simulated device loss",
      gen: 0,
      resumedAfterMs: 120,
    });
    expect(s.getState().references).toEqual([]);
    expect(s.getState().notice).toMatch(/webgl backend failed at step 2 .*resumed at step 2 on wasm.*0\.1 s/);
    const next = { steps: [2], loss: [0.8], lr: [0.1], events: [], divergedAt: null };
    f.emit({ type: "batch", step: 3, runs: [next, next], onsets: [], gen: 0 });
    expect(s.getState().series[0].loss).toEqual([1, 0.9, 0.8]);
  });
});

describe("the panels follow the run that matters", () => {
  it("open on the first run that is not a constant LR, and on a lesson's run when a lesson opens", () => {
    const f = fakeClient();
    const s = createLabStore(f.client);
    expect(s.getState().experiment.runs[s.getState().selected].scheduler.scheduler).toBe("GreedyLR");
    s.getState().select(0);
    const other = { ...defaultExperiment(), view: { ...defaultExperiment().view, lesson: "refined" } };
    s.getState().setExperiment(other);
    expect(s.getState().selected).toBe(1);
  });

  it("range test: bad settings change nothing and say why; a run is sent to the worker and its answer kept", () => {
    const f = fakeClient();
    const s = createLabStore(f.client);
    expect(s.getState().setRange("fastai", { start_lr: 1, end_lr: 0.1 })).toBe(false);
    expect(s.getState().notice).toMatch(/start_lr/);
    expect(s.getState().experiment.view.range.flavor).toBe("");
    expect(s.getState().setRange("fastai", { num_it: 1 })).toBe(false);
    expect(s.getState().notice).toMatch(/num_it/);
    expect(s.getState().setRange("fastai", { num_it: 50 })).toBe(true);
    expect(s.getState().experiment.view.range.params.num_it).toBe(50);
    s.getState().runRange();
    const sent = f.sent.at(-1) as Extract<ToWorker, { type: "range" }>;
    expect(sent).toMatchObject({ type: "range", id: 1 });
    expect(sent.experiment.view.range.params.num_it).toBe(50);
    expect(s.getState().range.state).toBe("running");
    // an older request's answer is dropped
    f.emit({ type: "range-progress", id: 0, done: 3, total: 50 });
    expect(s.getState().range.progress).toEqual({ done: 0, total: 0 });
    f.emit({ type: "range-progress", id: 1, done: 3, total: 50 });
    expect(s.getState().range.progress).toEqual({ done: 3, total: 50 });
    const result = {
      flavor: "fastai" as const,
      params: {},
      lr: [1e-3],
      raw: [1],
      smoothed: [1],
      stop: 1,
      reason: "complete" as const,
      diverged: null,
      suggestions: {
        window: [0, 0] as [number, number],
        valley: null,
        slide: null,
        minimum: null,
        steep: null,
      },
    };
    f.emit({ type: "range-result", id: 1, result });
    expect(s.getState().range.state).toBe("done");
    expect(s.getState().range.result).toEqual(result);
  });

  it("range test: a result is dropped when the training it measured changes, not when the runs do", () => {
    const f = fakeClient();
    const s = createLabStore(f.client);
    s.getState().setRange("fastai", {});
    s.getState().runRange();
    f.emit({ type: "range-error", id: 1, message: "boom" });
    expect(s.getState().range).toMatchObject({ state: "error", error: "boom" });
    s.getState().setExperiment({ ...s.getState().experiment, baseLr: 0.01 });
    expect(s.getState().range.state).toBe("error");
    s.getState().setExperiment({ ...s.getState().experiment, batchSize: 16 });
    expect(s.getState().range.state).toBe("idle");
  });

  it("range test: “use this LR” sets the base LR or a OneCycle run's max_lr, and refuses other runs", () => {
    const f = fakeClient();
    const e = defaultExperiment();
    const s = createLabStore(f.client, {
      ...e,
      runs: [
        ...e.runs,
        {
          name: "1cycle",
          color: "#009E73",
          scheduler: { scheduler: "OneCycleLR", params: { max_lr: 0.1, total_steps: 1000 } },
        },
      ],
    });
    s.getState().useRangeLr(0.02, 2);
    expect(s.getState().experiment.runs[2].scheduler.params?.max_lr).toBe(0.02);
    expect(f.sent.at(-1)).toMatchObject({ type: "scheduler", run: 2 });
    s.getState().useRangeLr(0.02, 1);
    expect(s.getState().notice).toMatch(/no max_lr/);
    expect(s.getState().experiment.runs[1].scheduler.scheduler).toBe("GreedyLR");
    s.getState().useRangeLr(0.005, "base");
    expect(s.getState().experiment.baseLr).toBe(0.005);
    s.getState().useRangeLr(Number.NaN, "base");
    expect(s.getState().experiment.baseLr).toBe(0.005);
  });
});
