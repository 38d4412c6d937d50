/**
 * The measurement behind "auto" (auto.ts), run in a second instance of the training worker so the race never
 * pauses for it: a copy of the race on each usable backend, two warm-up steps each (shaders compile, buffers
 * are allocated), then MEASURE_ROUNDS interleaved rounds of MEASURE_STEPS steps per backend — the order flips
 * every round so a drift in the machine's load falls on every backend alike — and the median per backend.
 * Every step reads its losses back, so GPU work is included.
 */
import * as tf from "@tensorflow/tfjs";
import type { Experiment } from "../experiment/config";
import { median } from "../experiment/metrics";
import { MEASURE_ROUNDS, MEASURE_STEPS } from "./auto";
import { tryBackend } from "./backend";
import { loadMnist } from "./mnist";
import type { BackendName } from "./protocol";
import { Trainer } from "./trainer";

export interface Measured {
  /** Median milliseconds per step of each backend that could be measured. */
  times: Partial<Record<BackendName, number>>;
  /** What could not be measured, and why. */
  notes: string[];
}

export async function measureBackends(
  exp: Experiment,
  backends: readonly BackendName[],
  rounds = MEASURE_ROUNDS,
  steps = MEASURE_STEPS,
  now: () => number = () => performance.now(),
): Promise<Measured> {
  if (exp.task.kind === "mnist") await loadMnist();
  const copies: [BackendName, Trainer][] = [];
  const notes: string[] = [];
  for (const b of backends) {
    const err = await tryBackend(b);
    if (err) {
      notes.push(err);
      continue;
    }
    try {
      const t = new Trainer(exp);
      await t.trainStep();
      await t.trainStep();
      copies.push([b, t]);
    } catch (e) {
      notes.push(`${b} failed while measuring: ${(e as Error).message}`);
    }
  }
  const samples = new Map<BackendName, number[]>(copies.map(([b]) => [b, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? [...copies].reverse() : copies;
      for (const [b, t] of order) {
        const xs = samples.get(b);
        if (!xs) continue;
        try {
          await tf.setBackend(b);
          const t0 = now();
          for (let i = 0; i < steps; i++) await t.trainStep();
          xs.push((now() - t0) / steps);
        } catch (e) {
          notes.push(`${b} failed while measuring: ${(e as Error).message}`);
          samples.delete(b);
        }
      }
    }
  } finally {
    for (const [b, t] of copies) {
      await tf.setBackend(b).catch(() => false);
      t.dispose();
    }
  }
  const times: Measured["times"] = {};
  for (const [b, xs] of samples) {
    const m = median(xs);
    if (m !== null) times[b] = m;
  }
  return { times, notes };
}
