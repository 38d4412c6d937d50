/**
 * Runs one case in the golden format (scheduler name, `params`, `base_lr`, `steps`, optional `metrics`,
 * `observations` and `children`) under the golden convention: `lr[t]` is the LR used by optimizer step t.
 *
 * - `metrics[t]` is the loss of step t (the PyTorch/GreedyLR goldens); `observations[t]` holds every fact of
 *   step t under the engine's Observation names (loss, gradSq, gradL1, dxNorm, dgNorm, lineLoss, …): with
 *   them every scheduler in the registry runs from a file, the gradient-driven ones included.
 * - "after" schedulers (PyTorch convention): lr[t] is the LR in effect, then the scheduler is stepped once
 *   with the observation of step t, so it can first change lr[t+1].
 * - "before" schedulers (Polyak, AdGD, line searches): lr[t] is the step size they choose from the
 *   observation of step t itself.
 */
import { parseRangeTest, RangeTestError, runRangeTest } from "./rangeTest";
import { createScheduler } from "./runtime";
import { runSfCase, type SfCase, SfCaseError } from "./scheduleFreeAny";
import { type Observation, ParamError, type SchedulerConfig } from "./types";
import { runVsgdCase, type VsgdCase, VsgdCaseError } from "./vsgd";

export interface GoldenCase extends SchedulerConfig {
  id?: string;
  base_lr: number;
  steps: number;
  metrics?: number[];
  observations?: Omit<Observation, "step">[];
}

const OBSERVATION_KEYS = new Set([
  "loss",
  "gradSq",
  "gradL1",
  "gradDot",
  "dxNorm",
  "dgNorm",
  "secantSY",
  "secantSS",
  "sfDot",
  "lineLoss",
]);

export interface GoldenResult {
  lr: number[];
  momentum?: number[];
}

export class CaseError extends Error {}

const MAX_STEPS = 10_000_000;

export function runCase(c: GoldenCase): GoldenResult {
  if (c === null || typeof c !== "object" || Array.isArray(c))
    throw new CaseError("a case must be a JSON object");
  if (typeof c.scheduler !== "string")
    throw new CaseError('"scheduler" must be a scheduler name (e.g. "StepLR")');
  if (typeof c.base_lr !== "number" || !Number.isFinite(c.base_lr))
    throw new CaseError('"base_lr" must be a finite number');
  if (typeof c.steps !== "number" || !Number.isInteger(c.steps) || c.steps < 0 || c.steps > MAX_STEPS)
    throw new CaseError(`"steps" must be an integer between 0 and ${MAX_STEPS}`);
  if (c.metrics !== undefined && (!Array.isArray(c.metrics) || c.metrics.some((m) => typeof m !== "number")))
    throw new CaseError('"metrics" must be a list of numbers');
  if (
    c.params !== undefined &&
    (c.params === null || typeof c.params !== "object" || Array.isArray(c.params))
  )
    throw new CaseError('"params" must be an object of keyword arguments');
  const obs = c.observations;
  if (obs !== undefined) {
    if (!Array.isArray(obs) || obs.length < c.steps)
      throw new CaseError(`"observations" must be a list of at least "steps" (${c.steps}) objects`);
    obs.forEach((o, t) => {
      if (o === null || typeof o !== "object" || Array.isArray(o))
        throw new CaseError(`observations[${t}] must be an object`);
      for (const [k, v] of Object.entries(o)) {
        if (!OBSERVATION_KEYS.has(k))
          throw new CaseError(
            `observations[${t}]: unknown field "${k}" (known: ${[...OBSERVATION_KEYS].join(", ")})`,
          );
        const ok =
          k === "lineLoss"
            ? Array.isArray(v) && v.every((x) => typeof x === "number")
            : typeof v === "number";
        if (!ok)
          throw new CaseError(
            `observations[${t}].${k} must be ${k === "lineLoss" ? "a list of numbers" : "a number"}`,
          );
      }
    });
  }
  const s = createScheduler(c, c.base_lr);
  const gradientFacts = s.spec.needs.filter((n) => n !== "loss");
  if (gradientFacts.length && !obs)
    throw new CaseError(
      `${s.spec.id} needs gradient facts (${gradientFacts.join(", ")}): give them per step in "observations"`,
    );
  if (s.spec.needs.includes("loss") && !obs && (!c.metrics || c.metrics.length < c.steps))
    throw new CaseError(
      `${s.spec.id} needs "metrics" (or "observations" with a loss) for at least ${c.steps} steps`,
    );
  const lr: number[] = new Array(c.steps);
  const cycles =
    c.scheduler === "OneCycleLR" ||
    c.scheduler === "CyclicLR" ||
    c.scheduler === "SequentialLR" ||
    c.scheduler === "ChainedScheduler";
  const momentum: number[] | undefined = cycles ? new Array(c.steps) : undefined;
  const before = s.spec.timing === "before";
  for (let t = 0; t < c.steps; t++) {
    const o: Observation = { ...obs?.[t], step: t };
    if (c.metrics) o.loss = c.metrics[t];
    if (momentum) momentum[t] = s.momentum ?? Number.NaN;
    if (before) lr[t] = s.step(o).lr;
    else {
      lr[t] = s.lr;
      s.step(o);
    }
  }
  return momentum ? { lr, momentum } : { lr };
}

/** What a case file's case is, told by its discriminating field. */
export type CaseKind = "scheduler" | "range-test" | "schedule-free" | "vsgd";

export function caseKind(c: unknown): CaseKind {
  if (c && typeof c === "object" && !Array.isArray(c)) {
    if ("flavor" in c) return "range-test";
    if ("variant" in c && "samples" in c) return "vsgd";
    if ("mode" in c && "A" in c) return "schedule-free";
  }
  return "scheduler";
}

/** NaN → null, so a result survives JSON (the goldens write NaN as null). */
const nanToNull = (xs: readonly number[]) => xs.map((x) => (Number.isNaN(x) ? null : x));

/**
 * Runs any case of the golden files: a scheduler case (`runCase`), an LR range test (`flavor`), schedule-free
 * with any schedule or its Polyak step (`mode` with least-squares `A`, `b`), or vSGD (`variant`, `samples`).
 * Throws CaseError naming the field for a bad case.
 */
export function runAnyCase(c: unknown): Record<string, unknown> {
  try {
    switch (caseKind(c)) {
      case "range-test": {
        const rc = c as { flavor: unknown; params?: unknown; losses?: unknown };
        const cfg = parseRangeTest(rc);
        if (!Array.isArray(rc.losses) || rc.losses.some((l) => l !== null && typeof l !== "number"))
          throw new CaseError('"losses" must be a list of numbers (null for NaN), one per iteration');
        const r = runRangeTest(cfg, rc.losses as (number | null)[]);
        return { lr: r.lr, smoothed: nanToNull(r.smoothed), stop: r.stop, suggestions: r.suggestions };
      }
      case "schedule-free":
        return { ...runSfCase(c as SfCase) };
      case "vsgd":
        return { ...runVsgdCase(c as VsgdCase) };
      default:
        return { ...runCase(c as GoldenCase) };
    }
  } catch (e) {
    if (
      e instanceof RangeTestError ||
      e instanceof SfCaseError ||
      e instanceof VsgdCaseError ||
      e instanceof ParamError
    )
      throw new CaseError(e.message);
    throw e;
  }
}
