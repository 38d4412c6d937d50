/** The store talks to training through this interface: a Web Worker in the app, a fake in tests. */
import type { FromWorker, ToWorker } from "../train/protocol";

export interface TrainerClient {
  post(m: ToWorker): void;
  onMessage(h: (m: FromWorker) => void): void;
  terminate(): void;
}

export function workerClient(): TrainerClient {
  const w = new Worker(new URL("../train/worker.ts", import.meta.url), {
    type: "module",
    name: "lrlab-trainer",
  });
  let handler: (m: FromWorker) => void = () => {};
  w.onmessage = (e: MessageEvent<FromWorker>) => handler(e.data);
  w.onerror = (e) =>
    handler({ type: "error", message: `training worker failed: ${e.message || "unknown error"}` });
  return {
    post: (m) => w.postMessage(m),
    onMessage: (h) => {
      handler = h;
    },
    terminate: () => w.terminate(),
  };
}
