/// <reference lib="webworker" />
/**
 * The training worker: the page never stutters because every tensor op runs here. Updates stream to the
 * page in batches at a steady rate (~10 per second), never one message per step.
 */

import * as tf from "@tensorflow/tfjs";
import type { Experiment } from "../experiment/config";
import { selectBackend } from "./backend";
import { CORPUS_TITLE } from "./corpus";
import { classify, predict, sample } from "./inference";
import { type Digits, loadMnist, mnistTest } from "./mnist";
import type { BackendInfo, FromWorker, RunBatch, ToWorker } from "./protocol";
import { type LiveChange, replayTrainer, Trainer } from "./trainer";

const FLUSH_MS = 100;
/** Set when the GPU device is lost (WebGPU) or a failure is simulated: the next step throws. */
let deviceLost: string | null = null;
let failedBackends: BackendInfo["backend"][] = [];

/** Watch the WebGPU device: a lost device makes every later op fail, so recover at the next step. */
function watchDevice() {
  const dev = (tf.backend() as unknown as { device?: { lost?: Promise<{ message?: string }> } }).device;
  dev?.lost?.then((i) => {
    deviceLost = `GPU device lost${i?.message ? `: ${i.message}` : ""}`;
  });
}
const VIEW_MS = 500;
let lastView = 0;
let viewPoints: { pts: Float32Array; n: number; grid: number; lo: number; hi: number } | null = null;

/** Grid of inputs for the task view: G×G over the data's box (2-D) or G points along x (1-D). */
function makeViewPoints(t: Trainer) {
  const d = t.data;
  if (d.type === "analytic" || d.dim > 2) return null;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of d.x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  if (d.dim === 1) {
    const G = 120;
    const pts = new Float32Array(G);
    for (let i = 0; i < G; i++) pts[i] = lo + ((hi - lo) * i) / (G - 1);
    return { pts, n: G, grid: G, lo, hi };
  }
  const G = 40;
  const pts = new Float32Array(G * G * 2);
  for (let j = 0; j < G; j++)
    for (let i = 0; i < G; i++) {
      pts[2 * (j * G + i)] = lo + ((hi - lo) * (i + 0.5)) / G;
      pts[2 * (j * G + i) + 1] = hi - ((hi - lo) * (j + 0.5)) / G;
    }
  return { pts, n: G * G, grid: G, lo, hi };
}

/** Digits shown in the task view (the first held-out ones); accuracy is over all held-out digits. */
const DIGITS_SHOWN = 24;
let heldOut: Digits | null = null;
/** Sampling text costs one forward pass per character: keep it under ~10% of the time. */
let nextText = 0;
const PROMPT = "Then can I ";

async function postView() {
  if (!trainer) return;
  const t0 = performance.now();
  lastView = t0;
  if (heldOut) {
    const preds = await classify(trainer, heldOut.x, heldOut.n);
    const accuracy = preds.map(
      (p) => p.reduce((a, c, i) => a + (c === heldOut!.y[i] ? 1 : 0), 0) / heldOut!.n,
    );
    post({ type: "digits", preds: preds.map((p) => p.slice(0, DIGITS_SHOWN)), accuracy, heldOut: heldOut.n });
    return;
  }
  if (trainer.data.type === "sequence") {
    if (t0 < nextText) return;
    const step = trainer.step;
    const samples = await sample(trainer, PROMPT, 80);
    nextText = performance.now() + Math.max(2000, 10 * (performance.now() - t0));
    post({ type: "text", prompt: PROMPT, samples, step });
    return;
  }
  if (!viewPoints) return;
  const values = await predict(trainer, viewPoints.pts, viewPoints.n);
  if (values) post({ type: "view", grid: viewPoints.grid, lo: viewPoints.lo, hi: viewPoints.hi, values });
}
let trainer: Trainer | null = null;
let experiment: Experiment | null = null;
let info: BackendInfo | null = null;
let running = false;
let pendingSteps = 0;
let looping = false;
let stepsPerSecond: number | null = null;
let buffers: RunBatch[] = [];
let onsets: number[] = [];
/** The page's build generation: stamped on every batch so stale batches can be dropped. */
let gen = 0;
/** The experiment as built and the live scheduler changes since (step, run, config): enough to replay. */
let built: Experiment | null = null;
let changes: LiveChange[] = [];
let lastFlush = 0;
let rate = 0;

const post = (m: FromWorker) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m);

function freshBuffers(): RunBatch[] {
  return (experiment?.runs ?? []).map((_, r) => ({
    steps: [],
    loss: [],
    lr: [],
    events: [],
    divergedAt: trainer?.divergedAt[r] ?? null,
  }));
}

function flush() {
  if (!trainer) return;
  buffers.forEach((b, r) => {
    b.divergedAt = trainer!.divergedAt[r];
    const s = trainer!.scheds[r];
    b.internals = s.spec.inspect?.(s.params, s.state);
    if (s.spec.timeBased) b.sched = { state: s.state, step: trainer!.step };
  });
  post({ type: "batch", step: trainer.step, runs: buffers, onsets, gen });
  buffers = freshBuffers();
  onsets = [];
  lastFlush = performance.now();
  post({
    type: "status",
    running,
    step: trainer.step,
    done: trainer.step >= (experiment?.steps ?? 0),
    stepsPerSecond: rate,
  });
}

const yieldToEvents = () => new Promise<void>((r) => setTimeout(r, 0));

async function loop() {
  if (looping) return;
  looping = true;
  try {
    let sliceStart = performance.now();
    let stepsInWindow = 0;
    let windowStart = performance.now();
    while (trainer && experiment && (running || pendingSteps > 0) && trainer.step < experiment.steps) {
      let rep: Awaited<ReturnType<Trainer["trainStep"]>>;
      try {
        if (deviceLost) throw new Error(deviceLost);
        rep = await trainer.trainStep();
      } catch (e) {
        if (await recover(e as Error)) continue;
        throw e;
      }
      if (pendingSteps > 0) pendingSteps--;
      rep.runs.forEach((r, k) => {
        if (!r) return;
        const b = buffers[k];
        b.steps.push(rep.step);
        b.loss.push(r.loss);
        b.lr.push(r.lr);
        if (r.events.length) b.events.push(...r.events);
        if (r.pos) {
          b.x1 = b.x1 ?? [];
          b.x2 = b.x2 ?? [];
          b.x1.push(r.pos[0]);
          b.x2.push(r.pos[1]);
        }
      });
      if (rep.onset) onsets.push(rep.step);
      stepsInWindow++;
      const now = performance.now();
      if (now - windowStart > 500) {
        rate = (stepsInWindow * 1000) / (now - windowStart);
        stepsInWindow = 0;
        windowStart = now;
      }
      if (now - lastFlush > FLUSH_MS) flush();
      if (now - lastView > VIEW_MS) await postView();
      const sps = stepsPerSecond;
      if (sps) await new Promise((r) => setTimeout(r, 1000 / sps));
      else if (now - sliceStart > 16) {
        await yieldToEvents(); // let pause / parameter messages in
        sliceStart = performance.now();
      }
    }
    if (trainer && experiment && trainer.step >= experiment.steps) running = false;
  } catch (e) {
    running = false;
    post({ type: "error", message: `training stopped: ${(e as Error).message}` });
  } finally {
    looping = false;
    flush();
    await postView();
  }
}

/** Longest replay worth waiting for after a device loss; beyond it the race restarts from step 0. */
const REPLAY_BUDGET_MS = 15_000;

/**
 * Rebuild the lost state on the new backend by replaying steps 0…step−1 from the experiment as built, with
 * the live scheduler changes applied at the steps they were made: training is seeded (same weights, batches
 * and noise), so the replay reaches the state the runs had. Returns false (and leaves no trainer) when the
 * replay would take longer than REPLAY_BUDGET_MS, judged after its first 50 steps.
 */
async function replay(step: number): Promise<boolean> {
  if (!built) return false;
  const t0 = performance.now();
  const t = await replayTrainer(
    built,
    changes,
    step,
    (k) => k === 49 && ((performance.now() - t0) / 50) * step > REPLAY_BUDGET_MS,
  );
  if (!t) return false;
  await startTrainer(built, t);
  return true;
}

/**
 * A backend failed mid-run: pick the next working backend (never the failed ones), replay the run there up
 * to the step where it failed and go on (the weights died with the device; replaying is exact up to the new
 * backend's rounding). If that would take too long, restart the race from step 0 instead — all runs must
 * still share their start — and the page keeps the curves so far as reference curves.
 */
async function recover(err: Error): Promise<boolean> {
  const lost = info?.backend;
  if (!experiment || !lost || lost === "cpu" || failedBackends.length >= 3) return false;
  const step = trainer?.step ?? 0;
  flush(); // the steps trained since the last batch are not lost with the device
  failedBackends = [...failedBackends, lost];
  deviceLost = null;
  try {
    trainer?.dispose();
  } catch {
    // the device is gone: its tensors cannot be freed, nor need to be
  }
  trainer = null;
  const next = await selectBackend(experiment.backend === lost ? "auto" : experiment.backend, failedBackends);
  // Keep the user's choice as "requested" so a Reset does not go back to the failed backend.
  info = {
    ...next,
    requested: experiment.backend,
    reason: `${lost} failed at step ${step} (${err.message}); recovered on ${next.backend}`,
  };
  post({ type: "ready", info });
  const t0 = performance.now();
  if (await replay(step)) {
    post({
      type: "recovered",
      from: lost,
      to: next.backend,
      step,
      message: err.message,
      gen,
      resumedAfterMs: performance.now() - t0,
    });
    return true;
  }
  gen += 1;
  post({ type: "recovered", from: lost, to: next.backend, step, message: err.message, gen });
  await startTrainer(experiment);
  return true;
}

/** Make `exp`'s trainer current (a new one, or `replayed` — rebuilt after a device loss) and post its data. */
async function startTrainer(exp: Experiment, replayed?: Trainer) {
  if (exp.task.kind === "mnist") await loadMnist();
  trainer = replayed ?? new Trainer(exp);
  if (!replayed) {
    built = exp;
    changes = [];
  }
  buffers = freshBuffers();
  onsets = [];
  viewPoints = makeViewPoints(trainer);
  heldOut = exp.task.kind === "mnist" ? mnistTest() : null;
  nextText = 0;
  const d = trainer.data;
  if (heldOut)
    post({
      type: "data",
      kind: "digits",
      dim: d.dim,
      x: heldOut.x.slice(0, DIGITS_SHOWN * d.dim),
      y: Float32Array.from(heldOut.y.slice(0, DIGITS_SHOWN)),
    });
  else if (d.type === "sequence")
    post({
      type: "data",
      kind: "text",
      dim: d.dim,
      x: new Float32Array(0),
      y: new Float32Array(0),
      title: CORPUS_TITLE,
    });
  else if (d.type !== "analytic" && d.dim <= 2)
    post({
      type: "data",
      kind: d.type,
      dim: d.dim,
      x: d.x,
      y: d.type === "regression" ? d.target : Float32Array.from(d.y),
    });
  await postView();
  if (info?.backend === "webgpu") watchDevice();
}

async function build(exp: Experiment) {
  trainer?.dispose();
  trainer = null;
  experiment = exp;
  if (!info || info.requested !== exp.backend) {
    failedBackends = [];
    info = await selectBackend(exp.backend);
    post({ type: "ready", info });
  }
  await startTrainer(exp);
  flush();
  // Play or Step may have arrived while the trainer was being built (e.g. loading the digits): go on now.
  if (running || pendingSteps > 0) void loop();
}

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  try {
    switch (m.type) {
      case "init":
        info = null;
        running = false;
        gen = m.gen;
        await build(m.experiment);
        break;
      case "reset":
        running = false;
        pendingSteps = 0;
        while (looping) await yieldToEvents();
        gen = m.gen;
        await build(m.experiment ?? experiment!);
        break;
      case "play":
        running = true;
        void loop();
        break;
      case "pause":
        running = false;
        pendingSteps = 0;
        break;
      case "step":
        pendingSteps += m.count;
        void loop();
        break;
      case "scheduler": {
        if (!trainer || !experiment) break;
        const ev2 = trainer.setScheduler(m.run, m.config);
        changes.push({ step: trainer.step, run: m.run, config: m.config });
        experiment = {
          ...experiment,
          runs: experiment.runs.map((r, i) => (i === m.run ? { ...r, scheduler: m.config } : r)),
        };
        if (ev2) buffers[m.run]?.events.push(ev2);
        if (!running) flush();
        break;
      }
      case "speed":
        stepsPerSecond = m.stepsPerSecond;
        break;
      case "simulate-failure":
        deviceLost = "simulated device loss";
        break;
    }
  } catch (e) {
    post({ type: "error", message: (e as Error).message });
  }
};
