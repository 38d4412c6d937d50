/**
 * Training logs, read into one table: a Hugging Face Trainer `trainer_state.json`, a plain CSV, a W&B chart
 * export, a TensorBoard scalars CSV (`Wall time,Step,Value`) or JSON lines. CSV goes through papaparse (a
 * well-kept parser: quoting, BOMs, CRLF, ragged rows), never a hand-written splitter. The same code runs in
 * the page's parse worker, in the replay CLI and in the tests, so the page and the CLI read a log alike.
 *
 * A table is columns of numbers (NaN where a cell is missing, empty or not a number). `logSeries` then takes
 * a step column and a value column and returns the clean stream with notes on what it left out and why.
 */
import Papa from "papaparse";
import type { ClaimRace } from "./claims";
import type { Experiment } from "./config";
import { replayRace } from "./replay";

export type LogFormat = "trainer_state" | "csv" | "wandb" | "tensorboard" | "jsonl";

export interface LogTable {
  format: LogFormat;
  columns: string[];
  /** One Float64Array per column, all of the same length (NaN: missing or not a number). */
  data: Float64Array[];
  /** Cells that held text where a number was expected, per column. */
  textCells: number[];
  /** The first rows as they were read, for the column chooser's preview. */
  preview: string[][];
  /** Notes from reading (e.g. the eval entries and the summary entry a trainer_state.json holds). */
  notes: string[];
  /** The column defaults: step, the loss, and the LR the run actually used (if the log has one). */
  guess: { step: string | null; value: string | null; lr: string | null };
}

export class LogError extends Error {}

const PREVIEW = 6;

/** Turn a cell into a number: numbers pass, numeric text is read (also "nan", "inf"), anything else is text. */
function cell(v: unknown): { x: number; text: boolean } {
  if (typeof v === "number") return { x: v, text: false };
  if (v === null || v === undefined || v === "") return { x: Number.NaN, text: false };
  if (typeof v === "boolean") return { x: Number.NaN, text: true };
  const s = String(v).trim();
  if (s === "") return { x: Number.NaN, text: false };
  const l = s.toLowerCase();
  if (l === "nan") return { x: Number.NaN, text: false };
  if (l === "inf" || l === "+inf" || l === "infinity") return { x: Number.POSITIVE_INFINITY, text: false };
  if (l === "-inf" || l === "-infinity") return { x: Number.NEGATIVE_INFINITY, text: false };
  const x = Number(s);
  return Number.isNaN(x) ? { x, text: true } : { x, text: false };
}

function fromRecords(
  format: LogFormat,
  records: readonly Record<string, unknown>[],
  notes: string[],
): LogTable {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of records)
    for (const k of Object.keys(r))
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
  const data = columns.map(() => new Float64Array(records.length));
  const textCells = columns.map(() => 0);
  records.forEach((r, i) => {
    columns.forEach((c, j) => {
      const { x, text } = cell(r[c]);
      data[j][i] = x;
      if (text) textCells[j]++;
    });
  });
  const preview = [columns, ...records.slice(0, PREVIEW).map((r) => columns.map((c) => String(r[c] ?? "")))];
  return { format, columns, data, textCells, preview, notes, guess: guessColumns(format, columns) };
}

/** Sensible defaults for the chooser: a step column, the training loss, the LR column. */
export function guessColumns(format: LogFormat, columns: readonly string[]): LogTable["guess"] {
  const find = (...tests: ((c: string) => boolean)[]) => {
    for (const t of tests) {
      const c = columns.find((x) => t(x.toLowerCase()));
      if (c !== undefined) return c;
    }
    return null;
  };
  const plain = (c: string) => !/__(min|max)$/.test(c);
  if (format === "tensorboard") return { step: "Step", value: "Value", lr: null };
  return {
    step: find(
      (c) => c === "step",
      (c) => c === "global_step" || c === "_step" || c === "trainer/global_step",
      (c) => c.endsWith("step") && plain(c),
      (c) => c === "iteration" || c === "iter" || c === "epoch",
    ),
    value: find(
      (c) => c === "loss",
      (c) => c === "train_loss" || c === "train/loss" || c.endsWith(" - train/loss"),
      (c) => c.includes("loss") && !c.includes("eval") && !c.includes("val") && plain(c),
      (c) => c.includes("loss") && plain(c),
      (c) => c === "value",
    ),
    lr: find(
      (c) => c === "learning_rate" || c === "lr",
      (c) => (c.includes("learning_rate") || c.endsWith("/lr")) && plain(c),
    ),
  };
}

/** Read a Trainer state file: its log_history mixes training entries, eval entries and a final summary. */
function trainerState(o: Record<string, unknown>): LogTable {
  const h = o.log_history;
  if (!Array.isArray(h))
    throw new LogError("this JSON file has no log_history list, so it is not a trainer_state.json");
  const train: Record<string, unknown>[] = [];
  const evals: Record<string, unknown>[] = [];
  let summary = 0;
  let other = 0;
  for (const e of h) {
    if (e === null || typeof e !== "object" || Array.isArray(e)) {
      other++;
      continue;
    }
    const r = e as Record<string, unknown>;
    if ("train_runtime" in r || "train_loss" in r) summary++;
    else if ("loss" in r) train.push(r);
    else if (Object.keys(r).some((k) => k.startsWith("eval_"))) evals.push(r);
    else other++;
  }
  const notes = [
    `Hugging Face trainer_state.json: ${train.length} training entries${
      evals.length
        ? `; ${evals.length} eval entries (eval_loss is a column of its own, on the eval steps)`
        : ""
    }${summary ? "; the final summary entry is left out" : ""}${other ? `; ${other} other entries left out` : ""}.`,
  ];
  // Eval values join the training rows at their step, so one table holds both; eval-only steps get rows too.
  const byStep = new Map<unknown, Record<string, unknown>>();
  const rows: Record<string, unknown>[] = [];
  for (const r of train) {
    const row = { ...r };
    rows.push(row);
    byStep.set(r.step, row);
  }
  for (const r of evals) {
    const row = byStep.get(r.step);
    const ev = Object.fromEntries(Object.entries(r).filter(([k]) => k.startsWith("eval_")));
    if (row) Object.assign(row, ev);
    else rows.push({ step: r.step, epoch: r.epoch, ...ev });
  }
  rows.sort((a, b) => Number(a.step) - Number(b.step));
  return fromRecords("trainer_state", rows, notes);
}

function jsonLines(text: string): LogTable {
  const records: Record<string, unknown>[] = [];
  let bad = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((line) => {
    if (!line.trim()) return;
    try {
      const r = JSON.parse(line);
      if (r && typeof r === "object" && !Array.isArray(r)) records.push(r);
      else bad++;
    } catch {
      bad++;
    }
  });
  if (!records.length) throw new LogError("no line of this file is a JSON object");
  return fromRecords("jsonl", records, bad ? [`${bad} lines are not JSON objects and were left out.`] : []);
}

function csv(text: string, onProgress?: (fraction: number) => void): LogTable {
  const rows: unknown[][] = [];
  let header: string[] | null = null;
  let errors = 0;
  Papa.parse<unknown[]>(text, {
    skipEmptyLines: "greedy",
    dynamicTyping: false,
    chunkSize: 1 << 20,
    complete: () => {},
    chunk: (res: Papa.ParseResult<unknown[]>) => {
      for (const r of res.data) {
        if (!header) header = r.map((x: unknown) => String(x).trim());
        else rows.push(r);
      }
      errors += res.errors.length;
      onProgress?.(Math.min(1, res.meta.cursor / Math.max(1, text.length)));
    },
  });
  if (!header) throw new LogError("this file is empty");
  const cols: string[] = header;
  if (cols.length < 2)
    throw new LogError(`a log needs at least two columns (a step and a value); this one has ${cols.length}`);
  const lower = cols.map((c) => c.toLowerCase());
  const format: LogFormat =
    lower.length === 3 && lower[0] === "wall time" && lower[1] === "step" && lower[2] === "value"
      ? "tensorboard"
      : cols.some((c) => / - .+/.test(c)) && cols.some((c) => /__(MIN|MAX)$/.test(c))
        ? "wandb"
        : "csv";
  const data = cols.map(() => new Float64Array(rows.length));
  const textCells = cols.map(() => 0);
  let ragged = 0;
  rows.forEach((r, i) => {
    if (r.length !== cols.length) ragged++;
    for (let j = 0; j < cols.length; j++) {
      const { x, text } = cell(r[j]);
      data[j][i] = x;
      if (text) textCells[j]++;
    }
  });
  const notes: string[] = [];
  if (format === "tensorboard") notes.push("TensorBoard scalars export (Wall time, Step, Value).");
  if (format === "wandb")
    notes.push("W&B chart export: the __MIN/__MAX columns are the chart's band, not the run.");
  if (ragged) notes.push(`${ragged} rows have a different number of cells than the header.`);
  if (errors && !ragged) notes.push(`${errors} rows could not be read cleanly (quoting).`);
  const preview = [cols, ...rows.slice(0, PREVIEW).map((r) => r.map((x) => String(x ?? "")))];
  return { format, columns: cols, data, textCells, preview, notes, guess: guessColumns(format, cols) };
}

/**
 * Whether a file's text is binary rather than a log: a NUL character, or more than 5% of U+FFFD (what a
 * browser's UTF-8 decoding puts for each invalid byte) in its first 64 KB.
 */
export function looksBinary(text: string): boolean {
  const head = text.slice(0, 65536);
  if (head.includes("\u0000")) return true;
  let bad = 0;
  for (let i = 0; i < head.length; i++) if (head.charCodeAt(i) === 0xfffd) bad++;
  return head.length > 0 && bad / head.length > 0.05;
}

/** Read a log's text, whatever its format (told apart by its name and its first character). */
export function readLog(name: string, text: string, onProgress?: (fraction: number) => void): LogTable {
  if (looksBinary(text))
    throw new LogError(
      `${name} is not a text log (it holds binary bytes): LR Lab reads a trainer_state.json, a CSV, a W&B or TensorBoard export, or JSON lines`,
    );
  const body = text.replace(/^\uFEFF/, "");
  const head = body.trimStart();
  if (!head) throw new LogError(`${name} is empty`);
  const lname = name.toLowerCase();
  if (lname.endsWith(".jsonl") || lname.endsWith(".ndjson")) return jsonLines(body);
  if (head.startsWith("{") || head.startsWith("[")) {
    let o: unknown;
    try {
      o = JSON.parse(body);
    } catch (e) {
      // Several objects, one per line: JSON lines without the extension.
      if (head.startsWith("{") && body.trim().includes("\n")) return jsonLines(body);
      throw new LogError(`${name} is not valid JSON: ${(e as Error).message}`);
    }
    if (o && typeof o === "object" && !Array.isArray(o)) return trainerState(o as Record<string, unknown>);
    if (Array.isArray(o) && o.every((r) => r && typeof r === "object" && !Array.isArray(r)))
      return fromRecords("jsonl", o as Record<string, unknown>[], []);
    throw new LogError(`${name}: a JSON log must be a trainer_state.json or a list of objects`);
  }
  return csv(body, onProgress);
}

/** The stream a replay runs on: one scheduler step per logged point. */
export interface LogSeries {
  /** The logged step of each point (increasing). */
  steps: Float64Array;
  /** The chosen value (the loss) of each point: finite. */
  values: Float64Array;
  /** The LR the run used at each point, where the log has it (NaN where it does not). */
  lr: Float64Array | null;
  /** What was left out or changed, in words, for the notice. */
  notes: string[];
}

/**
 * The run's peak logged LR — the LR it was configured with, even when it warmed up to it — or null when the
 * log has no LR column (or no positive LR in it). A replay starts its schedulers there.
 */
export function peakLr(s: LogSeries): number | null {
  if (!s.lr) return null;
  let m = Number.NEGATIVE_INFINITY;
  for (const v of s.lr) if (Number.isFinite(v) && v > m) m = v;
  return m > 0 ? m : null;
}

const list = (xs: number[]) => `${xs.slice(0, 5).join(", ")}${xs.length > 5 ? ", …" : ""}`;

/**
 * The clean stream of `value` against `step`: rows without a step or with a NaN/∞ value are left out (a
 * replay cannot feed them to a scheduler), repeated steps keep their last row (a resumed run rewrites its
 * log), rows out of order are sorted. Each left-out kind is counted in a note with its first rows.
 */
export function logSeries(t: LogTable, step: string, value: string, lr: string | null = null): LogSeries {
  const si = t.columns.indexOf(step);
  const vi = t.columns.indexOf(value);
  if (si < 0) throw new LogError(`the log has no column "${step}"`);
  if (vi < 0) throw new LogError(`the log has no column "${value}"`);
  const li = lr === null ? -1 : t.columns.indexOf(lr);
  const S = t.data[si];
  const V = t.data[vi];
  const n = S.length;
  const noStep: number[] = [];
  const badValue: number[] = [];
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(S[i])) noStep.push(i + 1);
    else if (!Number.isFinite(V[i])) badValue.push(i + 1);
    else keep.push(i);
  }
  let sorted = true;
  for (let k = 1; k < keep.length; k++) if (S[keep[k]] < S[keep[k - 1]]) sorted = false;
  if (!sorted) keep.sort((a, b) => S[a] - S[b] || a - b);
  // Repeated steps: the last row read wins.
  const out: number[] = [];
  const repeated: number[] = [];
  for (const i of keep) {
    if (out.length && S[out[out.length - 1]] === S[i]) {
      repeated.push(S[i]);
      out[out.length - 1] = i;
    } else out.push(i);
  }
  const steps = new Float64Array(out.length);
  const values = new Float64Array(out.length);
  const lrs = li >= 0 ? new Float64Array(out.length) : null;
  out.forEach((i, k) => {
    steps[k] = S[i];
    values[k] = V[i];
    if (lrs) lrs[k] = t.data[li][i];
  });
  const notes: string[] = [];
  const textV = t.textCells[vi];
  if (noStep.length)
    notes.push(`${noStep.length} rows have no usable "${step}" and were left out (rows ${list(noStep)}).`);
  if (badValue.length)
    notes.push(
      `${badValue.length} rows have no finite "${value}"${textV ? ` (${textV} hold text)` : ""} and were left out (rows ${list(badValue)}).`,
    );
  if (repeated.length)
    notes.push(
      `${repeated.length} steps appear more than once; the last row of each is kept (steps ${list(repeated)}).`,
    );
  if (!sorted) notes.push("The rows were not in step order; they were sorted.");
  if (out.length >= 3) {
    const d: number[] = [];
    for (let k = 1; k < Math.min(out.length, 200); k++) d.push(steps[k] - steps[k - 1]);
    d.sort((a, b) => a - b);
    const every = d[d.length >> 1];
    if (every > 1)
      notes.push(
        `The log has a point every ${every} steps; the replay treats each logged point as one scheduler step.`,
      );
    let gaps = 0;
    for (let k = 1; k < out.length; k++) if (steps[k] - steps[k - 1] > 3 * every) gaps++;
    if (gaps)
      notes.push(
        `${gaps} gaps of more than 3 × the usual spacing; each side is still one step apart in the replay.`,
      );
  }
  if (!out.length) throw new LogError(`no row has both a "${step}" and a finite "${value}"`);
  return { steps, values, lr: lrs, notes };
}

/**
 * A replay lesson's race: its runs replayed open loop on the text of its log (the bundled file its link names),
 * with the log's guessed step and value columns — what the lesson's claims read (the lessons CLI, logs.test.ts).
 */
export function replayLessonRace(e: Experiment, text: string): ClaimRace {
  const t = readLog(e.view.replay, text);
  const s = logSeries(t, t.guess.step!, t.guess.value!);
  return replayRace(
    e.runs.map((r) => r.scheduler),
    e.baseLr,
    s.values,
  );
}
