/**
 * Play a whole experiment to its end, off screen (Node, tests, CLI): the same Trainer the worker drives,
 * collecting what the store would collect — per run its steps, losses, LRs, scheduler decisions and the step
 * it diverged at. Used to check lesson claims on the CPU backend.
 */
import type { ClaimRace, ClaimRun } from "../experiment/claims";
import type { Experiment } from "../experiment/config";
import { Trainer } from "./trainer";

export async function playExperiment(e: Experiment, steps = e.steps): Promise<ClaimRace> {
  const tr = new Trainer(e);
  const runs = e.runs.map(() => ({
    steps: [] as number[],
    loss: [] as number[],
    lr: [] as number[],
    events: [] as { step: number; kind: string }[],
    divergedAt: null as number | null,
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
      });
    }
    return { runs: runs as ClaimRun[], onsets: [...tr.onsets] };
  } finally {
    tr.dispose();
  }
}
