/**
 * `tsx src/cli/exportCases.ts` — every golden case whose scheduler has a PyTorch export, as JSON lines for
 * scripts/check_export.py: the exported file's text, the case's inputs and the golden trajectory. The check
 * runs each file in real PyTorch and compares its LRs with the golden at 1e-9.
 */

import greedy from "../engine/__fixtures__/greedylr_reference.json";
import rangeGolden from "../engine/__fixtures__/lr_range_test.json";
import other from "../engine/__fixtures__/other_schedulers.json";
import sfGolden from "../engine/__fixtures__/schedule_free_any.json";
import torchExtra from "../engine/__fixtures__/torch_extra.json";
import torch from "../engine/__fixtures__/torch_schedulers.json";
import vsgdGolden from "../engine/__fixtures__/vsgd.json";
import type { GoldenCase } from "../engine/golden";
import { parseRangeTest } from "../engine/rangeTest";
import { getSpec } from "../engine/registry";
import type { SfMode } from "../engine/scheduleFreeAny";
import { parseVsgdParams, type VsgdVariant } from "../engine/vsgd";
import { pytorchSnippet } from "../experiment/pytorch";
import { rangeTestPython, runPython, scheduleFreePython, vsgdPython } from "../experiment/pytorchMethods";
import { raceNotebook, racePython } from "../experiment/raceExport";
import { raceData } from "../train/raceData";
import { raceRuns } from "../train/raceRun";
import { cpuBackend } from "./experimentFile";
import { RACE_CASES } from "./raceCases";

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

// The methods that are more than a schedule: their case (without expected fields), the file, the golden.
const emit = (kind: string, id: string, code: string, input: unknown, expected: unknown) => {
  process.stdout.write(`${JSON.stringify({ kind, id, code, case: input, expected })}\n`);
  n++;
};
for (const c of rangeGolden.cases) {
  const { lr, smoothed, stop, suggestions, ...input } = c;
  emit("range-test", c.id, rangeTestPython(parseRangeTest(input)), input, {
    lr,
    smoothed,
    stop,
    suggestions,
  });
}
for (const c of sfGolden.cases) {
  const { gamma, c: cs, loss, y, z, x, ...input } = c;
  const p = c.params as { beta: number; ell_star?: number; M?: number };
  const code = scheduleFreePython({ optimizer: "sgd", mode: c.mode as SfMode, ...p });
  emit("schedule-free", c.id, code, input, { gamma, c: cs, loss, y, z, x });
}
for (const c of vsgdGolden.cases) {
  const { lr, theta, tau, ...input } = c;
  const variant = c.variant as VsgdVariant;
  emit("vsgd", c.id, vsgdPython(variant, parseVsgdParams(variant, c.params)), input, { lr, theta, tau });
}
// Schedule-free runs driven by a scheduler, and the Polyak step as a run: files that must run as they stand.
for (const [name, scheduler, sf] of [
  [
    "WSD",
    { scheduler: "WSD", params: { num_warmup_steps: 10, num_stable_steps: 60, num_decay_steps: 30 } },
    "schedulet",
  ],
  ["OneCycle", { scheduler: "OneCycleLR", params: { max_lr: 0.1, total_steps: 100 } }, "reference"],
  ["GreedyLR", { scheduler: "GreedyLR", params: { patience: 5 } }, "theory"],
  ["Polyak", { scheduler: "ScheduleFreePolyak", params: { M: 0 } }, null],
] as const) {
  const run = {
    name,
    color: "#000000",
    scheduler: { scheduler: scheduler.scheduler, params: { ...scheduler.params } },
    ...(sf ? { sf: { variant: "sgd" as const, averaging: sf, beta: 0.9 } } : {}),
  };
  emit("runs", `schedule-free ${name}`, runPython(run, 0.05, "SGD", 100), null, null);
}

// Whole races (issue #24): each trained here by the app's trainer on tfjs CPU (what `npm run race` prints) and
// exported as a script; the check runs the script with --json in PyTorch and compares step by step. The first
// race also goes as a notebook, which the check validates (nbformat) and runs cell by cell.
await cpuBackend(true); // stdout stays the cases' (tfjs's Node banner goes to stderr)
for (const c of RACE_CASES) {
  const runs = await raceRuns(c.experiment);
  const data = raceData(c.experiment);
  emit("race", `race ${c.id}`, racePython(c.experiment, data), { tol: c.tol, why: c.why }, { runs });
  if (c === RACE_CASES[0])
    emit(
      "notebook",
      `notebook ${c.id}`,
      raceNotebook(c.experiment, data),
      { tol: c.tol, why: c.why },
      { runs },
    );
}
process.stderr.write(`exportCases: ${n} cases with a PyTorch export\n`);
