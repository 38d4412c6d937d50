/**
 * The GreedyLR paper's five noise types and the places LR Lab lets them enter, as plain data (the schema, the
 * URL codec, the lessons and the page read these; `src/train/noise.ts` generates the draws).
 */

export const NOISE_TYPES = ["clean", "gaussian", "periodic", "random", "adversarial"] as const;
export const NOISE_TARGETS = ["signal", "gradients", "weights", "data"] as const;
export type NoiseType = (typeof NOISE_TYPES)[number];
export type NoiseTarget = (typeof NOISE_TARGETS)[number];

export interface NoiseConfig {
  type: NoiseType;
  strength: number;
  target: NoiseTarget;
}

/** Period of the periodic spike: 50 + ⌊50·s⌋. */
export const spikePeriod = (s: number) => 50 + Math.floor(50 * s);
