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
import { RANGE_PARAMS } from "../engine/rangeTest";
import { getSpec } from "../engine/registry";
import type { SchedulerConfig } from "../engine/types";
import { defaultExperiment, type Experiment, MAX_RUNS } from "./config";
import {
  clip,
  FIELDS,
  type FieldKind,
  getPath,
  setPath,
  type Validated,
  validateExperiment,
} from "./validate";

export { FIELDS };
export const URL_VERSION = 1;
const MAX_URL = 20_000;
const COMPRESS_ABOVE = 1500;

const fmtVal = (v: unknown): string =>
  typeof v === "boolean" ? (v ? "1" : "0") : Array.isArray(v) ? v.join(",") : String(v);

function parseVal(kind: FieldKind, raw: string): unknown {
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
    const v = getPath(e, f.path);
    if (JSON.stringify(v) !== JSON.stringify(getPath(d, f.path))) q.set(f.key, fmtVal(v));
  }
  const range = e.view.range;
  if (range.flavor !== "")
    for (const m of RANGE_PARAMS[range.flavor]) {
      const v = range.params[m.key];
      if (v !== undefined && JSON.stringify(v) !== JSON.stringify(m.default)) q.set(`rt.${m.key}`, fmtVal(v));
    }
  e.runs.forEach((r, i) => {
    q.set(`r${i}`, r.scheduler.scheduler);
    q.set(`r${i}.name`, r.name);
    q.set(`r${i}.color`, r.color.slice(1));
    for (const [k, v] of Object.entries(nonDefaultParams(r.scheduler)))
      q.set(`r${i}.${k}`, v === null ? "" : fmtVal(v));
    if (r.scheduler.children) q.set(`r${i}.children`, JSON.stringify(r.scheduler.children));
    if (r.sf) {
      q.set(`r${i}.sf`, r.sf.variant);
      q.set(`r${i}.sf.avg`, r.sf.averaging);
      if (r.sf.beta !== 0.9) q.set(`r${i}.sf.beta`, String(r.sf.beta));
    }
  });
  return q;
}

/** Who a link is for: students get neither presenter mode nor autoplay; a presenting link opens in presenter mode. */
export type Audience = "students" | "presenting";

/** The query string of an experiment for an audience (Copy link for students / for presenting). */
export function linkFor(e: Experiment, audience: Audience): string {
  const view =
    audience === "students"
      ? { ...e.view, present: false, autoplay: false, embed: false }
      : { ...e.view, present: true, embed: false };
  return encodeExperiment({ ...e, view });
}

/** The query string (without "?") of an experiment. */
export function encodeExperiment(e: Experiment): string {
  const q = readable(e).toString();
  if (q.length <= COMPRESS_ABOVE) return q;
  const z = LZString.compressToEncodedURIComponent(JSON.stringify(e));
  return `v=${URL_VERSION}&z=${z}`;
}

export type Decoded = Validated;

/** A readable run's keys (r<i>.<param>) as the raw run object the validator takes. */
function rawRun(q: URLSearchParams, i: number, ignored: string[]): unknown {
  const id = q.get(`r${i}`) ?? "";
  const run: Record<string, unknown> = { scheduler: { scheduler: id } };
  const name = q.get(`r${i}.name`);
  if (name !== null) run.name = name;
  const color = q.get(`r${i}.color`);
  if (color !== null) run.color = `#${color}`;
  let spec: ReturnType<typeof getSpec> | null = null;
  try {
    spec = getSpec(id);
  } catch {
    return run; // the validator names the unknown scheduler
  }
  const params: Record<string, unknown> = {};
  const sc = run.scheduler as Record<string, unknown>;
  for (const k of new Set(q.keys())) {
    if (!k.startsWith(`r${i}.`)) continue;
    const key = k.slice(`r${i}.`.length);
    const raw = q.get(k) ?? "";
    if (key === "name" || key === "color") continue;
    if (key === "sf" || key.startsWith("sf.")) {
      const sf = (run.sf ?? {}) as Record<string, unknown>;
      if (key === "sf") sf.variant = raw;
      else if (key === "sf.avg") sf.averaging = raw;
      else if (key === "sf.beta") sf.beta = raw.trim() === "" ? Number.NaN : Number(raw);
      else ignored.push(`run ${i + 1}: unknown schedule-free setting "${clip(key, 30)}"`);
      run.sf = sf;
      continue;
    }
    if (key === "children") {
      try {
        sc.children = JSON.parse(raw);
      } catch {
        ignored.push(`run ${i + 1}: children are not valid JSON`);
      }
      continue;
    }
    const m = spec.params.find((p) => p.key === key);
    if (!m) {
      params[key] = raw; // the validator names the unknown parameter
      continue;
    }
    if (m.type === "number" || m.type === "int")
      params[key] = raw === "" && m.nullable ? null : raw.trim() === "" ? Number.NaN : Number(raw);
    else if (m.type === "bool")
      params[key] = raw === "1" || raw === "true" ? true : raw === "0" || raw === "false" ? false : raw;
    else if (m.type === "intList") params[key] = raw === "" ? [] : raw.split(",").map(Number);
    else params[key] = raw === "" && m.nullable ? null : raw;
  }
  sc.params = params;
  if (run.sf && !("variant" in (run.sf as object))) {
    ignored.push(`run ${i + 1}: schedule-free settings without r${i}.sf=sgd|adamw — ignored`);
    delete run.sf;
  }
  return run;
}

function fromCompressed(z: string, ignored: string[]): Validated | null {
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
  return validateExperiment(raw);
}

/**
 * Decode a query string (with or without "?"). Never throws; always returns a valid experiment. The browser
 * has already percent-decoded nothing: URLSearchParams decodes leniently (a malformed escape, an overlong or
 * surrogate sequence becomes U+FFFD, `+` a space), so a mangled value fails its own validation and a mangled
 * key is reported as unknown — the rest of the link still loads.
 */
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
  for (const k of new Set(q.keys())) {
    const n = q.getAll(k).length;
    if (n > 1) ignored.push(`"${clip(k, 30)}" is given ${n} times — the first value is used`);
  }
  const v = q.get("v");
  if (v !== null && v !== String(URL_VERSION))
    ignored.push(`link version v=${clip(v, 10)} is unknown; read as v=${URL_VERSION}`);

  if (q.has("z")) {
    const d = fromCompressed(q.get("z") ?? "", ignored);
    return d
      ? { experiment: d.experiment, ignored: [...ignored, ...d.ignored] }
      : { experiment: fallback, ignored };
  }

  const raw: Record<string, unknown> = {};
  const known = new Set(["v", "z", ...FIELDS.map((f) => f.key)]);
  for (const f of FIELDS) {
    const s = q.get(f.key);
    if (s === null) continue;
    setPath(raw, f.path, parseVal(f.kind, s));
  }
  const runIdx = new Set<number>();
  const notes: string[] = [];
  const rangeParams: Record<string, unknown> = {};
  const flavor = q.get("rt");
  const rangeMetas = flavor === "fastai" || flavor === "torch-lr-finder" ? RANGE_PARAMS[flavor] : [];
  for (const k of q.keys()) {
    const m = /^r(\d+)(?:\.|$)/.exec(k);
    if (m) runIdx.add(Number(m[1]));
    else if (k.startsWith("rt.") && !known.has(k)) {
      const meta = rangeMetas.find((x) => x.key === k.slice(3));
      const raw = q.get(k) ?? "";
      rangeParams[k.slice(3)] = !meta
        ? raw
        : meta.type === "bool"
          ? parseVal("bool", raw)
          : meta.type === "enum"
            ? raw
            : parseVal("num", raw);
    } else if (!known.has(k)) notes.push(`unknown key "${clip(k, 30)}"`);
  }
  if (Object.keys(rangeParams).length) setPath(raw, ["view", "range", "params"], rangeParams);
  const runs: unknown[] = [];
  for (const i of [...runIdx].sort((a, b) => a - b)) {
    if (i >= MAX_RUNS) notes.push(`run ${i + 1}: at most ${MAX_RUNS} runs`);
    else if (!q.has(`r${i}`)) notes.push(`run ${i + 1}: parameters without a scheduler (r${i}=...)`);
    else runs[i] = rawRun(q, i, notes);
  }
  if (runIdx.size) raw.runs = runs;
  const d = validateExperiment(raw, {
    shown: (key) => (q.has(key) ? clip(q.get(key) ?? "", 40) : undefined),
    notes,
  });
  return { experiment: d.experiment, ignored: [...ignored, ...d.ignored] };
}
