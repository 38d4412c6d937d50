import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { median } from "../experiment/metrics";
import { sweepSchema } from "../experiment/sweep";
import { formatTable, runSweep } from "./sweep";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("sweeps", () => {
  it("the shipped sweep configs are valid", () => {
    for (const f of ["sweeps/f-sweep.json", "sweeps/noise-robustness.json"])
      expect(sweepSchema.safeParse(JSON.parse(readFileSync(f, "utf8"))).success, f).toBe(true);
  });

  it("runs seeds × variants and aggregates per run, with recovery after spikes", async () => {
    const sweep = sweepSchema.parse({
      name: "tiny",
      base: {
        task: { kind: "sine", samples: 40, noise: 0.1 },
        hidden: [8],
        batchSize: 40,
        baseLr: 0.02,
        steps: 150,
      },
      seeds: [1, 2],
      variants: [
        { name: "clean", noise: { type: "clean" } },
        { name: "spikes", noise: { type: "periodic", strength: 0.5, target: "weights" } },
      ],
      runs: [
        { name: "constant", color: "#000000", scheduler: { scheduler: "Constant" } },
        {
          name: "greedy",
          color: "#000000",
          scheduler: { scheduler: "GreedyLR", params: { factor: 0.5, patience: 2 } },
        },
      ],
      target: 0.5,
    });
    const progress: number[] = [];
    const rows = await runSweep(sweep, (p) => progress.push(p.done));
    expect(rows.map((r) => `${r.variant}/${r.run}`)).toEqual([
      "clean/constant",
      "clean/greedy",
      "spikes/constant",
      "spikes/greedy",
    ]);
    expect(progress.at(-1)).toBe(4);
    for (const r of rows) {
      expect(r.seeds).toBe(2);
      expect(r.finalLoss).not.toBeNull();
      expect(r.stepsToTarget).not.toBeNull();
    }
    for (const r of rows) {
      expect(r.perSeed.map((x) => x.seed)).toEqual([1, 2]);
      const ok = r.perSeed.map((x) => x.finalLoss).filter((x): x is number => x !== null);
      expect(r.finalLoss).toBe(median(ok));
    }
    // The recovery curve: none without perturbations; with them, 1 at the step before each onset (the reference).
    expect(rows[0].recovery).toBeNull();
    const rc = rows[2].recovery;
    expect(rc?.from).toBe(-5);
    expect(rc?.ratio[4]).toBe(1);
    expect(rc?.ratio.length).toBe(46);
    expect(rows[0].medianRecovery).toBeNull();
    expect(rows[2].medianRecovery).not.toBeNull();
    expect(formatTable(rows)).toMatch(/spikes\s+greedy/);
  });
});
