/**
 * A race trained to its end, as `npm run race` prints it and the exported PyTorch race reproduces it: each
 * run's training loss and LR per step (null once the run has diverged; the step it diverged keeps its LR).
 */
import type { Experiment } from "../experiment/config";
import { Trainer } from "./trainer";

export interface RaceRun {
  name: string;
  loss: (number | null)[];
  lr: (number | null)[];
}

const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);

export async function raceRuns(exp: Experiment): Promise<RaceRun[]> {
  const t = new Trainer(exp);
  const out: RaceRun[] = exp.runs.map((r) => ({ name: r.name, loss: [], lr: [] }));
  try {
    for (let k = 0; k < exp.steps; k++) {
      const rep = await t.trainStep();
      rep.runs.forEach((s, r) => {
        out[r].loss.push(s && !s.diverged ? finite(s.loss) : null);
        out[r].lr.push(s ? finite(s.lr) : null);
      });
    }
  } finally {
    t.dispose();
  }
  return out;
}
