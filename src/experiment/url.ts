/**
 * The URL is the experiment. One table (FIELDS) maps each URL key to a path in the experiment config; the
 * experiment's zod schema validates every value, so the codec and validation never disagree (the pattern of
 * TensorFlow Playground's state.ts). Scheduler parameters are keyed by their registry names and validated by
 * the engine.
 *
 * Forms: readable `key=value` (`v=1&task=spiral&lr=0.02&r0=GreedyLR&r0.factor=0.9...`) when short; compressed
 * (`v=1&z=...`, lz-string) when the readable form would exceed ~1 500 characters. Only non-default values are
 * written.
 *
 * Decoding never throws: unknown keys, out-of-range numbers, wrong types, corrupt compressed data or huge
 * input each fall back to the default for that part and are listed in `ignored`, in words. Nothing from a URL
 * is ever inserted as HTML (React renders text).
 */
import LZString from "lz-string";
import { getSpec, hasSpec } from "../engine/registry";
import { createScheduler } from "../engine/runtime";
import type { SchedulerConfig } from "../engine/types";
import { defaultExperiment, type Experiment, experimentSchema, RUN_COLORS } from "./config";

export const URL_VERSION = 1;
const MAX_URL = 20_000;
const COMPRESS_ABOVE = 1500;

type Kind = "num" | "int" | "str" | "bool" | "list" | "nums";
interface Field {
  key: string;
  path: string[];
  kind: Kind;
}

/** The one table: URL key → config path. */
export const FIELDS: readonly Field[] = [
  { key: "task", path: ["task", "kind"], kind: "str" },
  { key: "samples", path: ["task", "samples"], kind: "int" },
  { key: "dnoise", path: ["task", "noise"], kind: "num" },
  { key: "hidden", path: ["hidden"], kind: "nums" },
  { key: "opt", path: ["optimizer"], kind: "str" },
  { key: "mom", path: ["momentum"], kind: "num" },
  { key: "wd", path: ["weightDecay"], kind: "num" },
  { key: "lr", path: ["baseLr"], kind: "num" },
  { key: "bs", path: ["batchSize"], kind: "int" },
  { key: "steps", path: ["steps"], kind: "int" },
  { key: "seed", path: ["seed"], kind: "int" },
  { key: "backend", path: ["backend"], kind: "str" },
  { key: "noise", path: ["noise", "type"], kind: "str" },
  { key: "ns", path: ["noise", "strength"], kind: "num" },
  { key: "nt", path: ["noise", "target"], kind: "str" },
  { key: "logloss", path: ["view", "logLoss"], kind: "bool" },
  { key: "loglr", path: ["view", "logLr"], kind: "bool" },
  { key: "smooth", path: ["view", "smoothing"], kind: "num" },
  { key: "hide", path: ["view", "hide"], kind: "list" },
  { key: "present", path: ["view", "present"], kind: "bool" },
  { key: "autoplay", path: ["view", "autoplay"], kind: "bool" },
  { key: "lesson", path: ["view", "lesson"], kind: "str" },
  { key: "explain", path: ["view", "explain"], kind: "bool" },
];

const get = (o: unknown, path: string[]): unknown =>
  path.reduce<unknown>((a, k) => (a as Record<string, unknown>)?.[k], o);
function setPath(o: Record<string, unknown>, path: string[], v: unknown) {
  let cur = o;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  cur[path[path.length - 1]] = v;
}

const fmtVal = (v: unknown): string =>
  typeof v === "boolean" ? (v ? "1" : "0") : Array.isArray(v) ? v.join(",") : String(v);

function parseVal(kind: Kind, raw: string): unknown {
  switch (kind) {
    case "num":
    case "int":
      return raw.trim() === "" ? Number.NaN : Number(raw);
    case "bool":
      return raw === "1" || raw === "true" ? true : raw === "0" || raw === "false" ? false : raw;
    case "list":
      return raw === "" ? [] : raw.split(",");
    case "nums":
      return raw === "" ? [] : raw.split(",").map((x) => (x.trim() === "" ? Number.NaN : Number(x)));
    default:
      return raw;
  }
}

/** Scheduler params that differ from the registry defaults (what the URL needs to carry). */
function nonDefaultParams(cfg: SchedulerConfig): Record<string, unknown> {
  const spec = getSpec(cfg.scheduler);
  const out: Record<string, unknown> = {};
  for (const m of spec.params) {
    const v = cfg.params?.[m.key];
    if (v === undefined) continue;
    if (JSON.stringify(v) !== JSON.stringify(m.default)) out[m.key] = v;
  }
  return out;
}

function readable(e: Experiment): URLSearchParams {
  const d = defaultExperiment();
  const q = new URLSearchParams();
  q.set("v", String(URL_VERSION));
  for (const f of FIELDS) {
    const v = get(e, f.path);
    if (JSON.stringify(v) !== JSON.stringify(get(d, f.path))) q.set(f.key, fmtVal(v));
  }
  e.runs.forEach((r, i) => {
    q.set(`r${i}`, r.scheduler.scheduler);
    q.set(`r${i}.name`, r.name);
    q.set(`r${i}.color`, r.color.slice(1));
    for (const [k, v] of Object.entries(nonDefaultParams(r.scheduler)))
      q.set(`r${i}.${k}`, v === null ? "" : fmtVal(v));
    if (r.scheduler.children) q.set(`r${i}.children`, JSON.stringify(r.scheduler.children));
  });
  return q;
}

/** The query string (without "?") of an experiment. */
export function encodeExperiment(e: Experiment): string {
  const q = readable(e).toString();
  if (q.length <= COMPRESS_ABOVE) return q;
  const z = LZString.compressToEncodedURIComponent(JSON.stringify(e));
  return `v=${URL_VERSION}&z=${z}`;
}

export interface Decoded {
  experiment: Experiment;
  /** What was ignored and why, in words (empty when the link was clean). */
  ignored: string[];
}

const clip = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Validate a value at a path with the experiment schema (by trying it on a default config). */
function tryField(base: Experiment, path: string[], value: unknown): string | null {
  const probe = structuredClone(base) as unknown as Record<string, unknown>;
  setPath(probe, path, value);
  const r = experimentSchema.safeParse(probe);
  if (r.success) return null;
  return r.error.issues.map((i) => i.message).join("; ");
}

function decodeRun(
  q: URLSearchParams,
  i: number,
  baseLr: number,
  ignored: string[],
): Experiment["runs"][number] | null {
  const id = q.get(`r${i}`) ?? "";
  if (!hasSpec(id)) {
    ignored.push(`run ${i + 1}: unknown scheduler "${clip(id)}" — run dropped`);
    return null;
  }
  const spec = getSpec(id);
  const name = (q.get(`r${i}.name`) || spec.label).slice(0, 40);
  let color = `#${q.get(`r${i}.color`) ?? ""}`;
  if (!/^#[0-9a-fA-F]{6}$/.test(color)) {
    if (q.has(`r${i}.color`)) ignored.push(`run ${i + 1}: color "${clip(color)}" is not #rrggbb`);
    color = RUN_COLORS[i % RUN_COLORS.length];
  }
  const params: Record<string, unknown> = {};
  for (const m of spec.params) {
    const raw = q.get(`r${i}.${m.key}`);
    if (raw === null) continue;
    let v: unknown;
    if (m.type === "number" || m.type === "int") v = raw === "" && m.nullable ? null : Number(raw);
    else if (m.type === "bool")
      v = raw === "1" || raw === "true" ? true : raw === "0" || raw === "false" ? false : raw;
    else if (m.type === "intList") v = raw === "" ? [] : raw.split(",").map(Number);
    else v = raw === "" && m.nullable ? null : raw;
    params[m.key] = v;
  }
  let children: SchedulerConfig[] | undefined;
  const rawChildren = q.get(`r${i}.children`);
  if (rawChildren !== null) {
    try {
      children = JSON.parse(rawChildren);
    } catch {
      ignored.push(`run ${i + 1}: children are not valid JSON`);
    }
  }
  // Validate parameter by parameter so one bad value does not lose the others.
  const good: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    try {
      createScheduler({ scheduler: id, params: { ...good, [k]: v }, children }, baseLr);
      good[k] = v;
    } catch (err) {
      const msg = (err as Error).message;
      // Required parameters (e.g. T_max) may fail only because others are missing: keep them for the final check.
      if (/is required/.test(msg)) good[k] = v;
      else ignored.push(`run ${i + 1} (${clip(name, 30)}): ${msg} — default used`);
    }
  }
  try {
    createScheduler({ scheduler: id, params: good, children }, baseLr);
    return { name, color, scheduler: { scheduler: id, params: good, ...(children ? { children } : {}) } };
  } catch (err) {
    ignored.push(`run ${i + 1} (${clip(name, 30)}): ${(err as Error).message} — run dropped`);
    return null;
  }
}

function fromCompressed(z: string, ignored: string[]): Experiment | null {
  let text: string | null = null;
  try {
    text = LZString.decompressFromEncodedURIComponent(z);
  } catch {
    text = null;
  }
  if (!text) {
    ignored.push("the compressed experiment data is truncated or corrupt — defaults used");
    return null;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    ignored.push("the compressed experiment data is not valid JSON — defaults used");
    return null;
  }
  // Re-validate through the readable path so every part is checked the same way.
  const e = experimentSchema.safeParse(raw);
  if (!e.success) {
    ignored.push(
      `the compressed experiment is invalid (${clip(e.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "), 200)}) — defaults used`,
    );
    return null;
  }
  const bad = e.data.runs.flatMap((r, i) => {
    try {
      createScheduler(r.scheduler, e.data.baseLr);
      return [];
    } catch (err) {
      return [`run ${i + 1}: ${(err as Error).message}`];
    }
  });
  if (bad.length) {
    ignored.push(...bad.map((b) => `${b} — run dropped`));
    const runs = e.data.runs.filter((r) => {
      try {
        createScheduler(r.scheduler, e.data.baseLr);
        return true;
      } catch {
        return false;
      }
    });
    return { ...e.data, runs: runs.length ? runs : defaultExperiment().runs };
  }
  return e.data;
}

/** Decode a query string (with or without "?"). Never throws; always returns a valid experiment. */
export function decodeExperiment(search: string): Decoded {
  const ignored: string[] = [];
  const fallback = defaultExperiment();
  if (typeof search !== "string") return { experiment: fallback, ignored: ["the link is not text"] };
  if (search.length > MAX_URL)
    return {
      experiment: fallback,
      ignored: [`the link is too long (${search.length} characters) — defaults used`],
    };
  let q: URLSearchParams;
  try {
    q = new URLSearchParams(search.startsWith("?") ? search.slice(1) : search);
  } catch {
    return { experiment: fallback, ignored: ["the link could not be read — defaults used"] };
  }
  if ([...q.keys()].length === 0) return { experiment: fallback, ignored };
  const v = q.get("v");
  if (v !== null && v !== String(URL_VERSION))
    ignored.push(`link version v=${clip(v, 10)} is unknown; read as v=${URL_VERSION}`);

  if (q.has("z")) {
    const e = fromCompressed(q.get("z") ?? "", ignored);
    return { experiment: e ?? fallback, ignored };
  }

  const e = structuredClone(fallback) as unknown as Record<string, unknown>;
  const known = new Set(["v", "z", ...FIELDS.map((f) => f.key)]);
  for (const f of FIELDS) {
    const raw = q.get(f.key);
    if (raw === null) continue;
    const val = parseVal(f.kind, raw);
    const problem = tryField(e as unknown as Experiment, f.path, val);
    if (problem) ignored.push(`${f.key}=${clip(raw, 40)}: ${problem} — default used`);
    else setPath(e, f.path, val);
  }
  const exp = e as unknown as Experiment;
  const runIdx = new Set<number>();
  for (const k of q.keys()) {
    const m = /^r(\d+)(?:\.|$)/.exec(k);
    if (m) {
      runIdx.add(Number(m[1]));
      continue;
    }
    if (!known.has(k)) ignored.push(`unknown key "${clip(k, 30)}"`);
  }
  const idxs = [...runIdx].sort((a, b) => a - b);
  if (idxs.length) {
    const runs = idxs
      .filter((i) => {
        if (i < 8 && q.has(`r${i}`)) return true;
        ignored.push(
          i >= 8
            ? `run ${i + 1}: at most 8 runs`
            : `run ${i + 1}: parameters without a scheduler (r${i}=...)`,
        );
        return false;
      })
      .map((i) => decodeRun(q, i, exp.baseLr, ignored))
      .filter((r): r is NonNullable<typeof r> => r !== null);
    if (runs.length) exp.runs = runs;
    else ignored.push("no valid run in the link — the default runs are used");
  }
  const final = experimentSchema.safeParse(exp);
  if (!final.success) {
    ignored.push("the experiment did not validate — defaults used");
    return { experiment: fallback, ignored };
  }
  return { experiment: final.data, ignored };
}
