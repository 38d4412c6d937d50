/**
 * Runs one case in the golden format (PyTorch scheduler name, `params` as PyTorch kwargs, `base_lr`,
 * `steps`, optional `metrics` and `children`) under the golden convention: `lr[t]` is the LR used by
 * optimizer step t; after step t the scheduler is stepped once with `metrics[t]`.
 */
import { createScheduler } from "./runtime";
import type { SchedulerConfig } from "./types";

export interface GoldenCase extends SchedulerConfig {
  id?: string;
  base_lr: number;
  steps: number;
  metrics?: number[];
}

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
  const s = createScheduler(c, c.base_lr);
  if (s.spec.timing === "before" || s.spec.needs.some((n) => n !== "loss"))
    throw new CaseError(
      `${s.spec.id} needs gradient observations from training; it cannot run from a case file`,
    );
  if (s.spec.needs.includes("loss") && (!c.metrics || c.metrics.length < c.steps))
    throw new CaseError(`${s.spec.id} needs "metrics" with at least "steps" (${c.steps}) values`);
  const lr: number[] = new Array(c.steps);
  const cycles =
    c.scheduler === "OneCycleLR" ||
    c.scheduler === "CyclicLR" ||
    c.scheduler === "SequentialLR" ||
    c.scheduler === "ChainedScheduler";
  const momentum: number[] | undefined = cycles ? new Array(c.steps) : undefined;
  for (let t = 0; t < c.steps; t++) {
    lr[t] = s.lr;
    if (momentum) momentum[t] = s.momentum ?? Number.NaN;
    s.step({ step: t, loss: c.metrics?.[t] });
  }
  return momentum ? { lr, momentum } : { lr };
}
