/**
 * The scheduler registry: every scheduler with its display name, PyTorch name, description and parameter
 * metadata. The UI, the URL codec, the CLI and the docs all read this table instead of repeating it.
 */
import { GRADIENT_SPECS } from "./gradient";
import { LINE_SEARCH_SPECS } from "./linesearch";
import { OPTIMIZER_SIDE_SPECS } from "./optimizerSide";
import { GreedyLR, ReduceLROnPlateau } from "./plateau";
import { Refined } from "./refined";
import { ChainedScheduler, SequentialLR, TORCH_SPECS } from "./torch";
import type { SchedulerSpec } from "./types";
import { WARMUP_SPECS } from "./warmup";

// biome-ignore lint/suspicious/noExplicitAny: the registry holds specs of every state type
export type AnySpec = SchedulerSpec<any>;

export const SCHEDULERS: readonly AnySpec[] = [
  GreedyLR,
  ...WARMUP_SPECS.slice(0, 1),
  ...TORCH_SPECS,
  ReduceLROnPlateau,
  SequentialLR,
  ChainedScheduler,
  ...WARMUP_SPECS.slice(1),
  ...GRADIENT_SPECS,
  ...LINE_SEARCH_SPECS,
  Refined,
  ...OPTIMIZER_SIDE_SPECS,
];

const byId = new Map<string, AnySpec>(SCHEDULERS.map((s) => [s.id, s]));

export function hasSpec(id: string): boolean {
  return byId.has(id);
}

export function getSpec(id: string): AnySpec {
  const s = byId.get(id);
  if (!s) throw new Error(`unknown scheduler "${id}" (known: ${[...byId.keys()].join(", ")})`);
  return s;
}
