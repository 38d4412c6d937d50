/**
 * The GreedyLR paper's five noise types, generated from a seed, and where LR Lab lets them enter.
 *
 * The paper's own code added η to the loss *after* the gradient was fixed, so its "noise" changed nothing the
 * optimizer saw (NOISE.md). Here the user chooses where η enters, and the UI says which:
 * - "signal":    the scheduler sees loss + η; training is untouched (robustness to a noisy feedback signal);
 * - "gradients": every gradient of the run is scaled by (1 + η/base) — a spike really kicks the optimizer;
 * - "weights":   when η fires, the weights get a Gaussian shock of standard deviation 0.5 × |η|/base;
 * - "data":      when η fires, that step's labels are corrupted (a label-noise burst).
 * Random draws are shared by all runs (one stream per experiment) so runs get the same perturbations; η is then
 * scaled by each run's own previous clean loss ("base", 1.0 at t = 0), as in the paper.
 */
import { type NoiseConfig, spikePeriod } from "../experiment/noise";
import { mulberry32, normal, subSeed } from "./rng";

export type { NoiseConfig };

/** The shared random draws of one step. */
export interface NoiseDraw {
  z: number;
  u: number;
  fire: boolean;
}

export function noiseStream(seed: number): (t: number) => NoiseDraw {
  const rand = mulberry32(subSeed(seed, 4));
  const gauss = normal(rand);
  const cache: NoiseDraw[] = [];
  return (t) => {
    while (cache.length <= t) {
      const z = gauss();
      const fire = rand() < 0.02;
      const u = 0.5 + 1.5 * rand();
      cache.push({ z, u, fire });
    }
    return cache[t];
  };
}

/**
 * η for one run at step t. `history` holds that run's clean losses before t (oldest first).
 * Adversarial follows the paper's text: 2·s·(loss_{t−5} − loss_{t−1}) when positive (pushes back against
 * recent progress).
 */
export function noiseValue(cfg: NoiseConfig, t: number, draw: NoiseDraw, history: readonly number[]): number {
  const s = cfg.strength;
  const n = history.length;
  const base = n > 0 && Number.isFinite(history[n - 1]) ? history[n - 1] : 1;
  switch (cfg.type) {
    case "clean":
      return 0;
    case "gaussian":
      return draw.z * s;
    case "periodic":
      return t % spikePeriod(s) < 3 && t >= 3 ? base * s : 0;
    case "random":
      return draw.fire ? base * s * draw.u : 0;
    case "adversarial": {
      if (n < 5) return 0;
      const d = 2 * s * (history[n - 5] - history[n - 1]);
      return d > 0 ? d : 0;
    }
  }
}

/** Whether a perturbation *starts* at step t (for recovery metrics): the first step of each spike. */
export function isOnset(cfg: NoiseConfig, t: number, draw: NoiseDraw, prevDraw: NoiseDraw | null): boolean {
  switch (cfg.type) {
    case "periodic":
      return t >= 3 && t % spikePeriod(cfg.strength) === 0;
    case "random":
      return draw.fire && !prevDraw?.fire;
    default:
      return false;
  }
}
