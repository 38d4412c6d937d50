/**
 * A run's scheduler as Python that runs as it stands: `make_scheduler(optimizer)` builds exactly the schedule
 * LR Lab runs (checked in real PyTorch on every golden case by scripts/check_export.py, part of `npm test`),
 * and the `__main__` block trains a stand-in model with it so the file can be run as it is. What to emit is
 * each spec's `python` (types.ts: PythonExport); this file only lays it out.
 */
import { py } from "../engine/python";
import { getSpec } from "../engine/registry";
import type { Need, Params, SchedulerConfig } from "../engine/types";

export const TESTED_TORCH = "Runs on PyTorch 1.13 and 2.x (checked on 1.13.1).";

/** Arguments PyTorch requires (no default there), always written even when they equal LR Lab's default. */
const REQUIRED = new Set(["StepLR.step_size", "MultiStepLR.milestones"]);

function kwargs(cfg: SchedulerConfig, all = false): string {
  const spec = getSpec(cfg.scheduler);
  const p = spec.parse(cfg.params ?? {}, cfg.children);
  return spec.params
    .filter((m) => m.key !== "scale_fn" && m.key !== "scale_mode")
    .filter(
      (m) =>
        all ||
        JSON.stringify(p[m.key]) !== JSON.stringify(m.default) ||
        m.default === null ||
        REQUIRED.has(`${cfg.scheduler}.${m.key}`),
    )
    .filter((m) => !(m.nullable && p[m.key] === null))
    .map((m) => `${m.key}=${py(p[m.key])}`)
    .join(", ");
}

const indent = (lines: string[], by = "    ") => lines.map((l) => (l ? by + l : l));

/** The body of make_scheduler(optimizer), or null when the scheduler has no PyTorch form. */
export function builder(
  cfg: SchedulerConfig,
): { lines: string[]; metric: boolean; preamble: string[] } | null {
  const spec = getSpec(cfg.scheduler);
  const x = spec.python;
  const metric = spec.needs.includes("loss");
  switch (x.kind) {
    case "torch": {
      const args = kwargs(cfg);
      return {
        lines: [`return lr_scheduler.${spec.torchName}(optimizer${args ? `, ${args}` : ""})`],
        metric,
        preamble: [],
      };
    }
    case "composite": {
      const kids = (cfg.children ?? []).map((c, i) => {
        const a = kwargs(c);
        return `child${i} = lr_scheduler.${getSpec(c.scheduler).torchName}(optimizer${a ? `, ${a}` : ""})`;
      });
      const names = (cfg.children ?? []).map((_, i) => `child${i}`).join(", ");
      const p = spec.parse(cfg.params ?? {}, cfg.children);
      return {
        lines: [
          ...kids,
          cfg.scheduler === "SequentialLR"
            ? `return lr_scheduler.SequentialLR(optimizer, [${names}], milestones=${py(p.milestones)})`
            : `return lr_scheduler.ChainedScheduler([${names}])`,
        ],
        metric: false,
        preamble: [],
      };
    }
    case "lambda": {
      const p = spec.parse(cfg.params ?? {}, cfg.children) as Params;
      return {
        lines: [
          ...(x.equivalent ? [`# The same schedule as ${x.equivalent}`] : []),
          ...x.lines(p),
          "",
          "return lr_scheduler.LambdaLR(optimizer, lr_lambda)",
        ],
        metric: false,
        preamble: [],
      };
    }
    case "class":
      return {
        lines: [`return ${x.className}(optimizer, ${kwargs(cfg, true)})`],
        metric,
        preamble: [
          "# torch >= 2.0 names the base class LRScheduler; 1.13 calls it _LRScheduler.",
          "_LRSchedulerBase = getattr(lr_scheduler, 'LRScheduler', None) or lr_scheduler._LRScheduler",
          "",
          "",
          x.source,
          "",
        ],
      };
    case "rule":
      return null;
  }
}

const OPTIMIZERS: Record<string, (lr: string) => string> = {
  SGD: (lr) => `torch.optim.SGD(model.parameters(), lr=${lr})`,
  Momentum: (lr) => `torch.optim.SGD(model.parameters(), lr=${lr}, momentum=0.9)`,
  Adam: (lr) => `torch.optim.Adam(model.parameters(), lr=${lr})`,
  AdamW: (lr) => `torch.optim.AdamW(model.parameters(), lr=${lr})`,
};

/**
 * The Python file for one scheduler. `optimizer`: SGD, Momentum, Adam or AdamW (the experiment's); `steps`:
 * the length of the stand-in training in `__main__`.
 */
/** What each gradient fact is, in words, for the comment block of a rule without a PyTorch class. */
const NEED_WORDS: Record<Need, string> = {
  loss: "the loss",
  gradSq: "‖g‖²",
  gradL1: "‖g‖₁",
  gradDot: "⟨g_t, g_{t−1}⟩",
  dx: "‖x_t − x_{t−1}‖",
  dg: "‖g_t − g_{t−1}‖",
  secant: "gᵀHg from a gradient difference",
  lineSearch: "trial losses along −g",
  sfDot: "⟨g, z − y⟩",
  gradSqD: "Σ g²/D in Adam's metric",
  power: "λ_max from a running power method",
};

export function pytorchSnippet(
  cfg: SchedulerConfig,
  baseLr: number,
  optimizer = "Momentum",
  steps = 1000,
): string {
  const spec = getSpec(cfg.scheduler);
  const b = builder(cfg);
  if (!b)
    return [
      `# ${spec.label}: ${spec.description}`,
      `# Reference: ${spec.reference}.`,
      "# It has no PyTorch scheduler class: its step size comes from the training itself",
      `# (${spec.needs.map((n) => NEED_WORDS[n]).join(", ") || "the optimizer's own state"}), computed by LR Lab's trainer each step.`,
      `# LR Lab parameters: ${kwargs(cfg, true) || "(none)"}; base LR ${py(baseLr)}.`,
    ].join("\n");
  // PyTorch 1.13's CyclicLR cycles the optimizer's momentum, which Adam and plain SGD lack.
  const needsMomentum = cfg.scheduler === "CyclicLR" && spec.parse(cfg.params ?? {}).cycle_momentum === true;
  const opt = OPTIMIZERS[needsMomentum ? "Momentum" : optimizer] ?? OPTIMIZERS.Momentum;
  return [
    `"""LR Lab export: ${spec.label} — ${spec.reference}.`,
    "",
    `make_scheduler(optimizer) builds the schedule LR Lab ran. ${TESTED_TORCH}`,
    `Run this file as it is to see it drive a stand-in model; in your script, call scheduler.step(${b.metric ? "loss" : ""})`,
    'once after each optimizer.step()."""',
    "import math",
    "",
    "import torch",
    "from torch.optim import lr_scheduler",
    "",
    ...b.preamble,
    "",
    "def make_scheduler(optimizer):",
    ...indent(b.lines),
    "",
    "",
    'if __name__ == "__main__":',
    "    # A stand-in model and data: replace them with yours.",
    "    torch.manual_seed(0)",
    "    model = torch.nn.Linear(4, 1)",
    `    optimizer = ${opt(py(baseLr))}`,
    ...(needsMomentum && optimizer !== "Momentum"
      ? ["    # CyclicLR with cycle_momentum=True needs SGD with momentum (or pass cycle_momentum=False)."]
      : []),
    "    scheduler = make_scheduler(optimizer)",
    `    for step in range(${steps}):`,
    "        x = torch.randn(32, 4)",
    "        loss = torch.nn.functional.mse_loss(model(x), x.sum(dim=1, keepdim=True))",
    "        optimizer.zero_grad()",
    "        loss.backward()",
    "        optimizer.step()",
    `        scheduler.step(${b.metric ? "loss.item()" : ""})`,
    `        if step % ${Math.max(1, Math.round(steps / 10))} == 0:`,
    "            print(f\"step {step}: lr {optimizer.param_groups[0]['lr']:.6g}, loss {loss.item():.4g}\")",
    "",
  ]
    .join("\n")
    .replace(/\n{4,}/g, "\n\n\n");
}
