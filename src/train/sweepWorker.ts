/// <reference lib="webworker" />
/**
 * Runs a sweep (the paper replication) off the main thread with the same Trainer as the lab, reporting
 * progress; the page cancels by terminating this worker.
 */
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "./backend";
import type { FromSweepWorker, ToSweepWorker } from "./protocol";
import { runSweep } from "./sweep";

const post = (m: FromSweepWorker) => (self as unknown as Worker).postMessage(m);

self.onmessage = async (ev: MessageEvent<ToSweepWorker>) => {
  try {
    const info = await selectBackend("auto");
    await tf.ready();
    const t0 = performance.now();
    let last = 0;
    const rows = await runSweep(ev.data.sweep, (progress) => {
      const now = performance.now();
      if (now - last > 100 || progress.done === progress.total) {
        last = now;
        post({ type: "progress", progress, backend: info.backend });
      }
    });
    post({ type: "done", rows, ms: performance.now() - t0, backend: info.backend });
  } catch (e) {
    post({ type: "error", message: (e as Error).message });
  }
};
