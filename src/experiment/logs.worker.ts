/**
 * The log parser's worker: reads a dropped file (or a fetched example) off the main thread, so a 1-million-row
 * log never freezes the page, and reports progress while papaparse works through it. Plain data only: no
 * tfjs (that is src/train's worker), no DOM.
 */
import { LogError, type LogTable, readLog } from "./logs";

export type ToLogWorker = { id: number; name: string; file?: Blob; text?: string };
export type FromLogWorker =
  | { id: number; type: "progress"; fraction: number; phase: "reading" | "parsing" }
  | { id: number; type: "done"; table: LogTable; ms: number }
  | { id: number; type: "error"; message: string };

const post = (m: FromLogWorker, transfer: Transferable[] = []) =>
  (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(m, transfer);

self.onmessage = async (ev: MessageEvent<ToLogWorker>) => {
  const { id, name, file, text } = ev.data;
  const t0 = performance.now();
  try {
    post({ id, type: "progress", fraction: 0, phase: "reading" });
    const body = text ?? (file ? await file.text() : "");
    let last = 0;
    const table = readLog(name, body, (f) => {
      if (f - last >= 0.02 || f === 1) {
        last = f;
        post({ id, type: "progress", fraction: f, phase: "parsing" });
      }
    });
    post(
      { id, type: "done", table, ms: performance.now() - t0 },
      table.data.map((d) => d.buffer),
    );
  } catch (e) {
    // An internal error is not the reader's words: say what failed in words; the detail stays in the console.
    if (!(e instanceof LogError)) console.error(e);
    post({
      id,
      type: "error",
      message:
        e instanceof LogError
          ? e.message
          : `could not read ${name}: it is not a training log LR Lab understands (a trainer_state.json, a CSV, a W&B or TensorBoard export, or JSON lines)`,
    });
  }
};
