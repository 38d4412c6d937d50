/**
 * Headless sweeps: the same Trainer as the app, over seeds × noise variants, aggregated per run with the
 * median across seeds. Used by `npm run sweep` (Node, CPU backend) and by the in-browser replication view.
 */
import { type Experiment, experimentSchema } from "../experiment/config";
import { median, runMetrics } from "../experiment/metrics";
import { alignedWindows } from "../experiment/recovery";
import type { RecoveryCurve, SeedResult, Sweep, SweepRow } from "../experiment/sweep";
import { loadMnist } from "./mnist";
import type { SweepProgress } from "./protocol";
import { Trainer } from "./trainer";

/** The window the recovery curves cover, in steps from the onset. */
export const RECOVERY_WINDOW = { before: 5, after: 40 };

const med = (xs: (number | null)[]) =>
  median(xs.filter((x): x is number => x !== null && Number.isFinite(x)));

export async function runSweep(
  sweep: Sweep,
  onProgress?: (p: SweepProgress) => void,
  signal?: { cancelled: boolean },
): Promise<SweepRow[]> {
  const variants = sweep.variants?.length
    ? sweep.variants
    : [{ name: "as configured", noise: sweep.base.noise }];
  if (sweep.base.task?.kind === "mnist") await loadMnist();
  const total = variants.length * sweep.seeds.length;
  const rows: SweepRow[] = [];
  let done = 0;
  for (const v of variants) {
    const per = sweep.runs.map(() => [] as ReturnType<typeof runMetrics>[]);
    const seedsOf = sweep.runs.map(() => [] as SeedResult[]);
    const curves = sweep.runs.map(() => [] as (number | null)[][]);
    for (const seed of sweep.seeds) {
      if (signal?.cancelled) throw new Error("sweep cancelled");
      onProgress?.({ done, total, label: `${v.name}, seed ${seed}` });
      const e: Experiment = experimentSchema.parse({
        ...sweep.base,
        noise: v.noise ?? sweep.base.noise,
        seed,
        runs: sweep.runs,
      });
      const tr = new Trainer(e);
      const steps: number[][] = e.runs.map(() => []);
      const loss: number[][] = e.runs.map(() => []);
      for (let t = 0; t < e.steps; t++) {
        const rep = await tr.trainStep();
        rep.runs.forEach((r, k) => {
          if (!r) return;
          steps[k].push(rep.step);
          loss[k].push(r.loss);
        });
        if (tr.divergedAt.every((d) => d !== null)) break;
      }
      for (let k = 0; k < e.runs.length; k++) {
        const m = runMetrics(steps[k], loss[k], {
          onsets: tr.onsets,
          target: sweep.target,
          divergedAt: tr.divergedAt[k],
        });
        per[k].push(m);
        const ok = m.divergedAt === null;
        seedsOf[k].push({ seed, finalLoss: ok ? m.finalLoss : null, divergedAt: m.divergedAt });
        if (ok && tr.onsets.length)
          curves[k].push(
            alignedWindows(steps[k], loss[k], tr.onsets, RECOVERY_WINDOW.before, RECOVERY_WINDOW.after),
          );
      }
      tr.dispose();
      done++;
    }
    sweep.runs.forEach((r, k) => {
      const ms = per[k];
      const ok = ms.filter((m) => m.divergedAt === null);
      rows.push({
        variant: v.name,
        run: r.name,
        seeds: ms.length,
        finalLoss: med(ok.map((m) => m.finalLoss)),
        bestLoss: med(ok.map((m) => m.bestLoss)),
        auc: med(ok.map((m) => m.auc)),
        medianRecovery: med(ok.map((m) => m.medianRecovery)),
        recoveryRatio: med(ok.map((m) => m.recoveryRatio)),
        stepsToTarget: med(ok.map((m) => m.stepsToTarget)),
        diverged: ms.length - ok.length,
        perSeed: seedsOf[k],
        recovery: medianCurve(curves[k]),
      });
    });
  }
  onProgress?.({ done, total, label: "done" });
  return rows;
}

/** The median across seeds of their onset-aligned curves, offset by offset (null where no seed has data). */
function medianCurve(curves: (number | null)[][]): RecoveryCurve | null {
  if (!curves.length) return null;
  const ratio = curves[0].map((_, j) => med(curves.map((c) => c[j])));
  return ratio.some((r) => r !== null) ? { from: -RECOVERY_WINDOW.before, ratio } : null;
}

/** A plain-text table of sweep rows. */
export function formatTable(rows: SweepRow[]): string {
  const f = (x: number | null, d = 4) =>
    x === null ? "—" : Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(d);
  const head = [
    "variant",
    "run",
    "final loss",
    "best loss",
    "AUC",
    "median recovery",
    "recovery ratio",
    "steps to target",
    "diverged",
  ];
  const body = rows.map((r) => [
    r.variant,
    r.run,
    f(r.finalLoss),
    f(r.bestLoss),
    f(r.auc),
    r.medianRecovery === null ? "—" : String(r.medianRecovery),
    f(r.recoveryRatio, 3),
    r.stepsToTarget === null ? "—" : String(r.stepsToTarget),
    `${r.diverged}/${r.seeds}`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i])).join("  ");
  return [line(head), line(w.map((n) => "-".repeat(n))), ...body.map(line)].join("\n");
}
