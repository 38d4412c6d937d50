/**
 * What a PyTorch export of a race cannot mirror (experiment/raceExport.ts writes the file). Apart and small:
 * the page asks it for every lesson without loading the exporter.
 */
import { getSpec } from "../engine/registry";
import type { Experiment, RunConfig } from "./config";

/**
 * The methods without a scheduler class that a race export still writes (experiment/raceExport.ts): the
 * Schedule-Free method and the schedule-free Polyak step (optimizers that set their own step), the Polyak
 * step, AdGD, the secant and Rayleigh steps and the two line searches (decided before each step from its
 * gradient facts, probe gradients and trial losses), delta-bar-delta and AdaDelta (optimizers).
 */
export const RACE_RULES: ReadonlySet<string> = new Set([
  "ScheduleFree",
  "Polyak",
  "AdGD",
  "Secant",
  "Rayleigh",
  "RegrettableDBD",
  "PowerMethod",
  "vSGD",
  "SDLM",
  "ScheduleFreePolyak",
  "ArmijoLineSearch",
  "ExactLineSearch",
  "DeltaBarDelta",
  "AdaDelta",
]);

/** Whether a run's scheduler cycles a momentum the run's optimizer does not have in LR Lab. */
export const cyclesMomentum = (r: RunConfig) => {
  const spec = getSpec(r.scheduler.scheduler);
  if (!spec.params.some((m) => m.key === "cycle_momentum")) return false;
  return spec.parse(r.scheduler.params ?? {}, r.scheduler.children).cycle_momentum === true;
};

/**
 * Why this experiment cannot be exported as a PyTorch race, one reason per line ([] when it can). Nothing
 * here changes the experiment: the caller shows the reasons and keeps everything as it is.
 */
export function raceRefusals(e: Experiment): string[] {
  const out: string[] = [];
  if (e.view.replay)
    out.push(
      `"${e.view.replay}" is a replayed training log: LR Lab did not train it, so there is no race to export`,
    );
  e.runs.forEach((r) => {
    const spec = getSpec(r.scheduler.scheduler);
    const bad = [r.scheduler, ...(r.scheduler.children ?? [])].find(
      (c) =>
        getSpec(c.scheduler).python.kind === "rule" && !(c === r.scheduler && RACE_RULES.has(c.scheduler)),
    );
    if (bad)
      out.push(
        `"${r.name}" uses ${getSpec(bad.scheduler).label}, whose step size LR Lab's trainer computes from the training itself; it has no PyTorch export yet`,
      );
    else if (
      cyclesMomentum(r) &&
      !r.sf &&
      (e.optimizer === "adam" || e.optimizer === "adamw") &&
      spec.id === "CyclicLR"
    )
      out.push(
        `"${r.name}": CyclicLR cycles Adam's β₁ in LR Lab, which PyTorch 1.13's CyclicLR cannot do (it needs SGD with momentum): turn cycle_momentum off or use SGD with momentum`,
      );
  });
  return out;
}

/**
 * Runs an export writes but cannot follow step by step, one note per run ([] when every run can): vSGD's
 * per-weight LRs are quotients of float32 gradient differences that each framework rounds its own way, and its
 * large first steps amplify the difference, so the PyTorch run follows the same rule but parts from LR Lab's
 * within a few steps (docs/fidelity.md; the export check uses a Hutchinson step of 0.1 to follow it).
 */
export function raceCaveats(e: Experiment): string[] {
  return e.runs
    .filter((r) => r.scheduler.scheduler === "vSGD")
    .map(
      (r) =>
        `"${r.name}" follows vSGD's rule in PyTorch but parts from LR Lab's run within a few steps: its per-weight LRs are quotients of float32 gradient differences, rounded differently by each framework and amplified by its first steps`,
    );
}
