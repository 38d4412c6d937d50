/**
 * The replay's log: which file, how far its parsing has got, the table read from it, and the columns chosen.
 * Parsing runs in its own worker (src/experiment/logs.worker.ts); a new file cancels the one being read.
 * The schedulers' settings are not here: they are the experiment's runs, so a replay link carries them.
 */
import { createStore } from "zustand/vanilla";
import { LogError, type LogSeries, type LogTable, logSeries } from "../experiment/logs";
import type { FromLogWorker } from "../experiment/logs.worker";

export interface ReplayLogState {
  name: string | null;
  status: "empty" | "loading" | "ready" | "error";
  progress: { fraction: number; phase: string } | null;
  table: LogTable | null;
  columns: { step: string | null; value: string | null; lr: string | null };
  series: LogSeries | null;
  error: string | null;
  parseMs: number | null;
  load(name: string, source: Blob | string): void;
  loadExample(file: string): Promise<void>;
  choose(patch: Partial<ReplayLogState["columns"]>): void;
}

let worker: Worker | null = null;
let seq = 0;

function seriesOf(
  t: LogTable,
  c: ReplayLogState["columns"],
): { series: LogSeries | null; error: string | null } {
  if (!c.step || !c.value) return { series: null, error: "Choose the step and loss columns." };
  try {
    return { series: logSeries(t, c.step, c.value, c.lr), error: null };
  } catch (e) {
    if (e instanceof LogError) return { series: null, error: e.message };
    throw e;
  }
}

export const replayLogStore = createStore<ReplayLogState>()((set, get) => ({
  name: null,
  status: "empty",
  progress: null,
  table: null,
  columns: { step: null, value: null, lr: null },
  series: null,
  error: null,
  parseMs: null,
  load: (name, source) => {
    worker ??= new Worker(new URL("../experiment/logs.worker.ts", import.meta.url), {
      type: "module",
      name: "lrlab-logs",
    });
    const id = ++seq;
    set({ name, status: "loading", progress: { fraction: 0, phase: "reading" }, error: null });
    worker.onmessage = (e: MessageEvent<FromLogWorker>) => {
      const m = e.data;
      if (m.id !== seq) return; // a newer file replaced this one
      if (m.type === "progress") set({ progress: { fraction: m.fraction, phase: m.phase } });
      else if (m.type === "error")
        set({ status: "error", progress: null, error: m.message, table: null, series: null });
      else {
        const columns = { ...m.table.guess };
        set({
          status: "ready",
          progress: null,
          table: m.table,
          columns,
          parseMs: m.ms,
          ...seriesOf(m.table, columns),
        });
      }
    };
    worker.onerror = (e) =>
      set({
        status: "error",
        progress: null,
        error: `the log reader failed: ${e.message || "unknown error"}`,
      });
    worker.postMessage(typeof source === "string" ? { id, name, text: source } : { id, name, file: source });
  },
  loadExample: async (file) => {
    set({ name: file, status: "loading", progress: { fraction: 0, phase: "downloading" }, error: null });
    try {
      const res = await fetch(`./logs/${file}`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      get().load(file, await res.text());
    } catch (e) {
      set({
        status: "error",
        progress: null,
        error: `could not fetch the example ${file}: ${(e as Error).message}`,
      });
    }
  },
  choose: (patch) => {
    const t = get().table;
    const columns = { ...get().columns, ...patch };
    set(t ? { columns, ...seriesOf(t, columns) } : { columns });
  },
}));
