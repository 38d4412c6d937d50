/**
 * Play a whole experiment to its end, off screen (Node, tests, CLI): the same Trainer the worker drives,
 * collecting what the store would collect — per run its steps, losses, LRs, scheduler decisions and the step
 * it diverged at. Used to check lesson claims on the CPU backend.
 */
import { parseRangeTest } from "../engine/rangeTest";
import type { ClaimRace, ClaimRun } from "../experiment/claims";
import type { Experiment } from "../experiment/config";
import { LESSONS } from "../experiment/lessons";
import { heldOutAccuracy } from "./inference";
import { mnistTest } from "./mnist";
import { runRangeTestOn } from "./rangeTest";
import { Trainer } from "./trainer";

export async function playExperiment(e: Experiment, steps = e.steps): Promise<ClaimRace> {
  // A lesson with a range test: run it first, on the same experiment (a throwaway copy), as the class would.
  const range =
    e.view.range.flavor === ""
      ? null
      : await runRangeTestOn(e, parseRangeTest({ flavor: e.view.range.flavor, params: e.view.range.params }));
  const tr = new Trainer(e);
  const runs = e.runs.map(() => ({
    steps: [] as number[],
    loss: [] as number[],
    lr: [] as number[],
    events: [] as { step: number; kind: string }[],
    divergedAt: null as number | null,
    bound: [] as number[],
  }));
  try {
    for (let i = 0; i < steps; i++) {
      const rep = await tr.trainStep();
      rep.runs.forEach((r, k) => {
        if (!r) return;
        const s = runs[k];
        s.steps.push(rep.step);
        s.loss.push(r.loss);
        s.lr.push(r.lr);
        for (const ev of r.events) s.events.push({ step: ev.step, kind: ev.kind });
        if (r.diverged) s.divergedAt = rep.step;
        if (tr.hasBound(k)) s.bound.push(r.bound ?? Number.NaN);
      });
    }
    // MNIST: each run's accuracy on the held-out digits after the last step, as the digits view shows it.
    if (e.task.kind === "mnist") {
      const { accuracy } = await heldOutAccuracy(tr, mnistTest());
      accuracy.forEach((a, k) => {
        (runs[k] as ClaimRun & { accuracy?: number }).accuracy = a;
      });
    }
    return { runs: runs as ClaimRun[], onsets: [...tr.onsets], range };
  } finally {
    tr.dispose();
  }
}

/** Tasks whose lessons take minutes on tfjs's pure-JS CPU kernels: their claims run on WASM in the tests. */
export const HEAVY_TASKS: ReadonlySet<string> = new Set(["mnist", "charlm"]);

/** The lessons whose claims the CPU tests check: every training lesson but the heavy ones (replay lessons train
 * nothing: logs.test.ts checks them on their logs). */
export const cpuLessons = () =>
  LESSONS.filter((x) => !HEAVY_TASKS.has(x.experiment.task.kind) && !x.experiment.view.replay);
