/**
 * Sweep configs: several runs raced side by side, over several seeds and noise variants. One schema (zod);
 * the runner (src/train/sweep.ts) trains them headless and aggregates the metrics per run and variant.
 */
import { z } from "zod";
import { experimentSchema, runSchema } from "./config";
import { NOISE_TARGETS, NOISE_TYPES } from "./noise";

const noiseSchema = z.object({
  type: z.enum(NOISE_TYPES),
  strength: z.number().min(0).max(5).default(0.5),
  target: z.enum(NOISE_TARGETS).default("gradients"),
});

export const sweepSchema = z.object({
  name: z.string().max(200),
  description: z.string().max(2000).optional(),
  base: experimentSchema.omit({ runs: true }).partial().default({}),
  seeds: z.array(z.number().int().min(0)).min(1).max(50),
  runs: z.array(runSchema).min(1).max(8),
  variants: z
    .array(z.object({ name: z.string().max(40), noise: noiseSchema }))
    .max(20)
    .optional(),
  target: z.number().positive().optional(),
});

export type Sweep = z.infer<typeof sweepSchema>;

/** One seed's outcome of one run: what the figures draw as a dot. */
export interface SeedResult {
  seed: number;
  /** Mean of the last 10 losses; null when the run diverged. */
  finalLoss: number | null;
  divergedAt: number | null;
}

/**
 * The loss around a perturbation, as loss[onset + k] ÷ loss[onset − 1] for k = from, from + 1, …: averaged
 * over a seed's onsets (experiment/recovery.ts), then the median over the seeds that did not diverge.
 */
export interface RecoveryCurve {
  from: number;
  ratio: (number | null)[];
}

/** One run in one noise variant, aggregated over the seeds (medians), with each seed's own result kept. */
export interface SweepRow {
  variant: string;
  run: string;
  seeds: number;
  finalLoss: number | null;
  bestLoss: number | null;
  auc: number | null;
  medianRecovery: number | null;
  recoveryRatio: number | null;
  stepsToTarget: number | null;
  diverged: number;
  perSeed: SeedResult[];
  /** Null where the variant has no perturbation onsets (clean, or none fired). */
  recovery: RecoveryCurve | null;
}
