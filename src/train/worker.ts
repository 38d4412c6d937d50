/// <reference lib="webworker" />
/**
 * The training worker: the page never stutters because every tensor op runs here. All of the work is a
 * TrainingSession (session.ts); this file only connects it to the worker's messages and to the GPU device.
 */
import * as tf from "@tensorflow/tfjs";
import type { Experiment } from "../experiment/config";
import { autoStart, forgetChoice, saveChoice, useBackend } from "./auto";
import { selectBackend } from "./backend";
import { type Measured, measureBackends } from "./measure";
import type { BackendName, FromWorker, ToWorker } from "./protocol";
import { TrainingSession } from "./session";

/** The name of a worker instance that only measures backends for "auto". */
const MEASURE_NAME = "lrlab-measure";

const session = new TrainingSession({
  post: (m: FromWorker) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m),
  selectBackend,
  auto: {
    start: autoStart,
    measure: { measure: measureAway, use: useBackend, save: saveChoice, forget: forgetChoice },
  },
  // A lost WebGPU device makes every later op fail: the session recovers at the next step.
  watchDevice: (onLost) => {
    const dev = (tf.backend() as unknown as { device?: { lost?: Promise<{ message?: string }> } }).device;
    dev?.lost?.then((i) => onLost(`GPU device lost${i?.message ? `: ${i.message}` : ""}`));
  },
});

/**
 * "auto" measures away from the race: in a second instance of this same worker script (no extra download), so
 * the race never pauses for another backend's shaders to compile.
 */
function measureAway(exp: Experiment, backends: readonly BackendName[]) {
  const w = new Worker(self.location.href, { type: "module", name: MEASURE_NAME });
  const result = new Promise<Measured>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<Measured | { error: string }>) =>
      "error" in e.data ? reject(new Error(e.data.error)) : resolve(e.data);
    w.onerror = (e) => reject(new Error(e.message || "the measuring worker failed"));
  }).finally(() => w.terminate());
  w.postMessage({ experiment: exp, backends });
  return { result, cancel: () => w.terminate() };
}

const scope = self as unknown as DedicatedWorkerGlobalScope;
if (scope.name === MEASURE_NAME)
  scope.onmessage = async (ev: MessageEvent<{ experiment: Experiment; backends: BackendName[] }>) => {
    try {
      scope.postMessage(await measureBackends(ev.data.experiment, ev.data.backends));
    } catch (e) {
      scope.postMessage({ error: (e as Error).message });
    }
  };
else scope.onmessage = (ev: MessageEvent<ToWorker>) => void session.handle(ev.data);
