/**
 * `tsx src/cli/exportCases.ts` — every golden case whose scheduler has a PyTorch export, as JSON lines for
 * scripts/check_export.py: the exported file's text, the case's inputs and the golden trajectory. The check
 * runs each file in real PyTorch and compares its LRs with the golden at 1e-9.
 */
import greedy from "../engine/__fixtures__/greedylr_reference.json";
import other from "../engine/__fixtures__/other_schedulers.json";
import torchExtra from "../engine/__fixtures__/torch_extra.json";
import torch from "../engine/__fixtures__/torch_schedulers.json";
import type { GoldenCase } from "../engine/golden";
import { getSpec } from "../engine/registry";
import { pytorchSnippet } from "../experiment/pytorch";

type Case = GoldenCase & { lr: number[]; momentum?: number[] };
const all = [torch, torchExtra, greedy, other].flatMap((f) => f.cases as Case[]);
let n = 0;
for (const c of all) {
  const spec = getSpec(c.scheduler);
  if (spec.python.kind === "rule") continue;
  const metrics = c.metrics ?? c.observations?.map((o) => o.loss ?? Number.NaN);
  const code = pytorchSnippet(c, c.base_lr, "Momentum", 20);
  process.stdout.write(
    `${JSON.stringify({
      id: c.id,
      code,
      base_lr: c.base_lr,
      steps: c.steps,
      metric: spec.needs.includes("loss"),
      metrics: metrics ?? null,
      lr: c.lr,
      momentum: c.momentum ?? null,
    })}\n`,
  );
  n++;
}
process.stderr.write(`exportCases: ${n} cases with a PyTorch export\n`);
