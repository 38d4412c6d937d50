/** The replication runner's state: one sweep at a time in its own worker; Cancel terminates it. */
import { createStore } from "zustand/vanilla";
import type { Sweep, SweepRow } from "../experiment/sweep";
import type { FromSweepWorker, SweepProgress } from "../train/protocol";

export type SweepKey = "f" | "noise";

export interface ReplicationState {
  running: SweepKey | null;
  progress: SweepProgress | null;
  /** Each finished sweep with the config it ran (the figures read its runs and swept parameter). */
  results: Partial<
    Record<SweepKey, { sweep: Sweep; rows: SweepRow[]; seeds: number; ms: number; backend: string }>
  >;
  error: string | null;
  run(key: SweepKey, sweep: Sweep): void;
  cancel(): void;
}

let worker: Worker | null = null;

export const replicationStore = createStore<ReplicationState>()((set, get) => ({
  running: null,
  progress: null,
  results: {},
  error: null,
  run: (key, sweep) => {
    get().cancel();
    const w = new Worker(new URL("../train/sweepWorker.ts", import.meta.url), {
      type: "module",
      name: "lrlab-sweep",
    });
    worker = w;
    set({
      running: key,
      progress: { done: 0, total: sweep.seeds.length * (sweep.variants?.length || 1), label: "starting" },
      error: null,
    });
    w.onmessage = (e: MessageEvent<FromSweepWorker>) => {
      const m = e.data;
      if (worker !== w) return;
      if (m.type === "progress") set({ progress: m.progress });
      else if (m.type === "done") {
        set({
          running: null,
          progress: null,
          results: {
            ...get().results,
            [key]: { sweep, rows: m.rows, seeds: sweep.seeds.length, ms: m.ms, backend: m.backend },
          },
        });
        w.terminate();
        worker = null;
      } else {
        set({ running: null, progress: null, error: m.message });
        w.terminate();
        worker = null;
      }
    };
    w.onerror = (e) =>
      set({ running: null, progress: null, error: `sweep worker failed: ${e.message || "unknown error"}` });
    w.postMessage({ type: "run", sweep });
  },
  cancel: () => {
    worker?.terminate();
    worker = null;
    if (get().running) set({ running: null, progress: null, error: "cancelled" });
  },
}));
