/// <reference lib="webworker" />
/**
 * The training worker: the page never stutters because every tensor op runs here. All of the work is a
 * TrainingSession (session.ts); this file only connects it to the worker's messages and to the GPU device.
 */
import * as tf from "@tensorflow/tfjs";
import { autoBackend } from "./auto";
import { selectBackend } from "./backend";
import type { FromWorker, ToWorker } from "./protocol";
import { TrainingSession } from "./session";

const session = new TrainingSession({
  post: (m: FromWorker) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m),
  selectBackend,
  autoBackend,
  // A lost WebGPU device makes every later op fail: the session recovers at the next step.
  watchDevice: (onLost) => {
    const dev = (tf.backend() as unknown as { device?: { lost?: Promise<{ message?: string }> } }).device;
    dev?.lost?.then((i) => onLost(`GPU device lost${i?.message ? `: ${i.message}` : ""}`));
  },
});

self.onmessage = (ev: MessageEvent<ToWorker>) => void session.handle(ev.data);
