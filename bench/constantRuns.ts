/**
 * The stacking load shared by bench:kernels, bench:train's scaling part and the hardware-WebGPU bench: `runs`
 * runs of one task at Constant LR with Adam (0.003), a [16, 16] hidden MLP where the task takes one, and steps
 * enough never to finish; and the interleaved timing of 1 against 8 runs in Node.
 */
import { experimentSchema, RUN_COLORS } from "../src/experiment/config";
import { median } from "../src/experiment/metrics";

export const constantRuns = (task: object, batchSize: number, runs: number, backend?: string) =>
  experimentSchema.parse({
    task,
    hidden: [16, 16],
    batchSize,
    optimizer: "adam",
    baseLr: 0.003,
    steps: 100_000,
    ...(backend ? { backend } : {}),
    runs: Array.from({ length: runs }, (_, i) => ({
      name: `run ${i + 1}`,
      color: RUN_COLORS[i],
      scheduler: { scheduler: "Constant" },
    })),
  });

/**
 * ms per step of each trainer, as medians of `rounds` interleaved rounds of `steps` steps, and the cost of the
 * last against the first (the median of the per-round ratios).
 */
export async function interleavedMs(
  trainers: readonly { trainStep(): Promise<unknown> }[],
  rounds: number,
  steps: number,
): Promise<{ ms: number[]; cost: number }> {
  const ms: number[][] = trainers.map(() => []);
  for (let round = 0; round < rounds; round++)
    for (const [k, t] of trainers.entries()) {
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) await t.trainStep();
      ms[k].push((performance.now() - t0) / steps);
    }
  const last = ms[ms.length - 1];
  return {
    ms: ms.map((m) => median(m) ?? 0),
    cost: median(last.map((m, i) => m / ms[0][i])) ?? 0,
  };
}
