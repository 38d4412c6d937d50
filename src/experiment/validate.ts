/**
 * The one validation path of an experiment config. Readable links, compressed links, imported files and the
 * experiment panel all hand it a raw object (anything JSON can hold) and get back a valid experiment plus,
 * in words, every part that was not taken. The rule is the same everywhere: a bad value falls back to its
 * default (a setting, a run's name or colour, one scheduler parameter) and the message names it; a run is
 * dropped only when its scheduler is unknown or its config cannot be made valid parameter by parameter.
 *
 * The fields come from ONE table (FIELDS: URL key → config path, as TensorFlow Playground's state.ts);
 * each value is checked by the experiment's zod schema, scheduler parameters by the engine registry.
 */
import { parseParams } from "../engine/params";
import { parseRangeTest, RANGE_PARAMS, type RangeFlavor } from "../engine/rangeTest";
import { getSpec, hasSpec } from "../engine/registry";
import { createScheduler } from "../engine/runtime";
import type { Params, SchedulerConfig } from "../engine/types";
import {
  COLOR_PATTERN,
  defaultExperiment,
  type Experiment,
  experimentSchema,
  MAX_RUNS,
  RUN_COLORS,
  type RunConfig,
  type SfSettings,
  sfSchema,
} from "./config";

export type FieldKind = "num" | "int" | "str" | "bool" | "list" | "nums";
export interface Field {
  /** The URL key, and the name a message gives the field. */
  key: string;
  path: string[];
  kind: FieldKind;
}

/** The one table: URL key → config path. Every setting of an experiment except its runs. */
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
  { key: "embed", path: ["view", "embed"], kind: "bool" },
  { key: "replay", path: ["view", "replay"], kind: "str" },
  { key: "series", path: ["view", "series"], kind: "str" },
  { key: "rt", path: ["view", "range", "flavor"], kind: "str" },
  { key: "rt.open", path: ["view", "range", "open"], kind: "bool" },
];

/**
 * The range test's parameters, each checked on its own by the engine (a bad one takes its default and the
 * message names it); start_lr ≥ end_lr puts both back to their defaults.
 */
export function validateRange(raw: unknown, flavor: RangeFlavor, ignored: string[]): Params {
  const r = (raw !== null && typeof raw === "object" && !Array.isArray(raw) ? raw : {}) as Record<
    string,
    unknown
  >;
  const metas = RANGE_PARAMS[flavor];
  const good: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (!metas.some((m) => m.key === k)) {
      ignored.push(`range test: ${flavor} has no parameter "${clip(k, 30)}"`);
      continue;
    }
    try {
      parseParams("range test", metas, { [k]: v });
      good[k] = v;
    } catch (err) {
      ignored.push(`${(err as Error).message} — default used`);
    }
  }
  try {
    return parseRangeTest({ flavor, params: good }).params;
  } catch (err) {
    ignored.push(`${(err as Error).message} — start_lr and end_lr take their defaults`);
    const { start_lr: _a, end_lr: _b, ...rest } = good;
    return parseRangeTest({ flavor, params: rest }).params;
  }
}

export const getPath = (o: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>(
    (a, k) => (a !== null && typeof a === "object" ? (a as Record<string, unknown>)[k] : undefined),
    o,
  );

/** Set a value at a path, making the objects on the way where missing. */
export function setPath(o: Record<string, unknown>, path: readonly string[], v: unknown) {
  let cur = o;
  for (const k of path.slice(0, -1)) {
    if (cur[k] === null || typeof cur[k] !== "object") cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = v;
}

export const clip = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n)}…` : s);
/** How a bad value is quoted in a message: as the user wrote it where we have that, else as JSON. */
const quote = (v: unknown): string => {
  if (typeof v === "string") return clip(v, 40);
  try {
    return clip(JSON.stringify(v) ?? String(v), 40);
  } catch {
    return "(unreadable)";
  }
};

/** Why `value` is not valid at `path`, judged by the schema on a copy of `base`; null when it is. */
function fieldProblem(base: Experiment, path: readonly string[], value: unknown): string | null {
  const probe = structuredClone(base) as unknown as Record<string, unknown>;
  setPath(probe, path, value);
  const r = experimentSchema.safeParse(probe);
  return r.success ? null : r.error.issues.map((i) => i.message).join("; ");
}

export interface Validated {
  experiment: Experiment;
  /** What was not taken and why, in words (empty when everything was valid). */
  ignored: string[];
}

/** Options for messages: the text the user wrote for each field key or run key, when it came from a link. */
export interface ValidateOptions {
  shown?: (key: string) => string | undefined;
  /** Messages about the source itself (a link's unknown keys), listed after the settings, before the runs. */
  notes?: readonly string[];
}

/**
 * Validate one run. A bad name or colour falls back to the default; each scheduler parameter is tried on its
 * own so that one bad value loses only itself; returns null (and says why) when the run cannot be kept.
 */
export function validateRun(
  raw: unknown,
  i: number,
  baseLr: number,
  ignored: string[],
  opts: ValidateOptions = {},
): RunConfig | null {
  const r = (raw !== null && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const sc = (r.scheduler !== null && typeof r.scheduler === "object" ? r.scheduler : {}) as Record<
    string,
    unknown
  >;
  const id = typeof sc.scheduler === "string" ? sc.scheduler : "";
  if (!hasSpec(id)) {
    ignored.push(`run ${i + 1}: unknown scheduler "${clip(quote(sc.scheduler ?? ""))}" — run dropped`);
    return null;
  }
  const spec = getSpec(id);
  let name = spec.label;
  if (typeof r.name === "string" && r.name !== "") name = r.name.slice(0, 40);
  else if (r.name !== undefined && r.name !== "")
    ignored.push(`run ${i + 1}: name ${quote(r.name)} is not text — "${name}" used`);
  const who = `run ${i + 1} (${clip(name, 30)})`;
  let color = RUN_COLORS[i % RUN_COLORS.length];
  if (typeof r.color === "string" && COLOR_PATTERN.test(r.color)) color = r.color;
  else if (r.color !== undefined)
    ignored.push(
      `${who}: color "${clip(opts.shown?.(`r${i}.color`) ?? quote(r.color))}" is not #rrggbb — ${color} used`,
    );
  const params = (
    sc.params !== null && typeof sc.params === "object" && !Array.isArray(sc.params) ? sc.params : {}
  ) as Record<string, unknown>;
  if (sc.params !== undefined && params !== sc.params)
    ignored.push(`${who}: parameters are not an object — defaults used`);
  let children: SchedulerConfig[] | undefined;
  if (sc.children !== undefined) {
    if (Array.isArray(sc.children)) children = sc.children as SchedulerConfig[];
    else ignored.push(`${who}: children are not a list`);
  }
  const known = new Set(spec.params.map((m) => m.key));
  const good: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (!known.has(k)) {
      ignored.push(`${who}: ${spec.id} has no parameter "${clip(k, 30)}"`);
      continue;
    }
    try {
      createScheduler({ scheduler: id, params: { ...good, [k]: v }, children }, baseLr);
      good[k] = v;
    } catch (err) {
      const msg = (err as Error).message;
      // Required parameters (e.g. T_max) may fail only because others are missing: keep them for the final check.
      if (/is required/.test(msg)) good[k] = v;
      else ignored.push(`${who}: ${msg} — default used`);
    }
  }
  try {
    createScheduler({ scheduler: id, params: good, children }, baseLr);
  } catch (err) {
    ignored.push(`${who}: ${(err as Error).message} — run dropped`);
    return null;
  }
  let sf: SfSettings | undefined;
  if (r.sf !== undefined && r.sf !== null) {
    const parsed = sfSchema.safeParse(r.sf);
    if (spec.optimizer)
      ignored.push(`${who}: ${spec.id} chooses its own optimizer — schedule-free settings ignored`);
    else if (!parsed.success)
      ignored.push(
        `${who}: schedule-free settings ${quote(r.sf)}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")} — ignored`,
      );
    else sf = parsed.data;
  }
  return {
    name,
    color,
    scheduler: { scheduler: id, params: good, ...(children ? { children } : {}) },
    ...(sf ? { sf } : {}),
  };
}

/**
 * Validate a raw experiment (an object as JSON holds it). Never throws; always returns a valid experiment:
 * each bad field takes its default, each bad run parameter its default, an unusable run is dropped, and no
 * usable run at all gives the default runs. Every one of these is listed in `ignored`.
 */
export function validateExperiment(raw: unknown, opts: ValidateOptions = {}): Validated {
  const ignored: string[] = [];
  const fallback = defaultExperiment();
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    return { experiment: fallback, ignored: ["the experiment is not an object — defaults used"] };
  const e = structuredClone(fallback) as unknown as Record<string, unknown>;
  for (const f of FIELDS) {
    const v = getPath(raw, f.path);
    if (v === undefined) continue;
    const problem = fieldProblem(e as unknown as Experiment, f.path, v);
    if (problem) ignored.push(`${f.key}=${opts.shown?.(f.key) ?? quote(v)}: ${problem} — default used`);
    else setPath(e, f.path, v);
  }
  ignored.push(...(opts.notes ?? []));
  const exp = e as unknown as Experiment;
  if (exp.view.range.flavor !== "")
    exp.view.range = {
      ...exp.view.range,
      flavor: exp.view.range.flavor,
      params: validateRange(getPath(raw, ["view", "range", "params"]), exp.view.range.flavor, ignored),
    };
  const rawRuns = (raw as Record<string, unknown>).runs;
  if (rawRuns !== undefined) {
    const list = Array.isArray(rawRuns) ? rawRuns : [];
    if (!Array.isArray(rawRuns)) ignored.push("runs are not a list — the default runs are used");
    if (list.length > MAX_RUNS) ignored.push(`${list.length} runs: at most ${MAX_RUNS} race side by side`);
    // Holes (a link's r0 and r2 without r1) are skipped; messages keep each run's own number.
    const runs = list
      .slice(0, MAX_RUNS)
      .map((r, i) => (r === undefined ? null : validateRun(r, i, exp.baseLr, ignored, opts)))
      .filter((r): r is RunConfig => r !== null);
    if (runs.length) exp.runs = runs;
    else if (Array.isArray(rawRuns)) ignored.push("no valid run — the default runs are used");
  }
  const final = experimentSchema.safeParse(exp);
  if (!final.success) {
    ignored.push("the experiment did not validate — defaults used");
    return { experiment: fallback, ignored };
  }
  return { experiment: final.data, ignored };
}
