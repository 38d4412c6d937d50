/**
 * What a PyTorch export of a race needs from the trainer (experiment/raceExport.ts writes the Python): the
 * dataset LR Lab generates for the experiment and the initial weights of one run (every run starts there),
 * read from the model the trainer builds, so the file holds exactly what the race trains on.
 */
import * as tf from "@tensorflow/tfjs";
import type { Experiment } from "../experiment/config";
import type { RaceData } from "../experiment/raceExport";
import { CORPUS } from "./corpus";
import { createModel } from "./model";
import { makeDataset } from "./tasks";

export function raceData(exp: Experiment): RaceData {
  const d = makeDataset(exp.task, exp.seed);
  const model = createModel(exp.task.kind, d, exp.hidden, 1, exp.seed);
  const init = model.vars.map((v) => ({ shape: v.shape.slice(1), data: v.dataSync() as Float32Array }));
  tf.dispose([...model.vars, ...(model.consts ?? [])]);
  return { ...d, ...(d.type === "sequence" ? { corpus: CORPUS } : {}), init };
}
