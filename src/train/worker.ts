/// <reference lib="webworker" />
/**
 * The training worker: the page never stutters because every tensor op runs here. Updates stream to the
 * page in batches at a steady rate (~10 per second), never one message per step.
 */
import type { Experiment } from "../experiment/config";
import { selectBackend } from "./backend";
import type { BackendInfo, FromWorker, RunBatch, ToWorker } from "./protocol";
import { Trainer } from "./trainer";

const FLUSH_MS = 100;
let trainer: Trainer | null = null;
let experiment: Experiment | null = null;
let info: BackendInfo | null = null;
let running = false;
let pendingSteps = 0;
let looping = false;
let stepsPerSecond: number | null = null;
let buffers: RunBatch[] = [];
let onsets: number[] = [];
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
  post({ type: "batch", step: trainer.step, runs: buffers, onsets });
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
      const rep = await trainer.trainStep();
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
  }
}

async function build(exp: Experiment) {
  trainer?.dispose();
  trainer = null;
  experiment = exp;
  if (!info || info.requested !== exp.backend) {
    info = await selectBackend(exp.backend);
    post({ type: "ready", info });
  }
  trainer = new Trainer(exp);
  buffers = freshBuffers();
  onsets = [];
  flush();
}

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  try {
    switch (m.type) {
      case "init":
        info = null;
        running = false;
        await build(m.experiment);
        break;
      case "reset":
        running = false;
        pendingSteps = 0;
        while (looping) await yieldToEvents();
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
    }
  } catch (e) {
    post({ type: "error", message: (e as Error).message });
  }
};
