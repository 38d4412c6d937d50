/** A run's scheduler as a PyTorch code snippet with the same parameters. */
import { getSpec } from "../engine/registry";
import type { SchedulerConfig } from "../engine/types";

const py = (v: unknown): string =>
  v === null || v === undefined
    ? "None"
    : typeof v === "boolean"
      ? v
        ? "True"
        : "False"
      : typeof v === "string"
        ? JSON.stringify(v).replace(/^"|"$/g, "'")
        : Array.isArray(v)
          ? `[${v.map(py).join(", ")}]`
          : String(v);

/** Arguments PyTorch requires (no default there), always written even when they equal LR Lab's default. */
const REQUIRED = new Set(["StepLR.step_size", "MultiStepLR.milestones"]);

function kwargs(cfg: SchedulerConfig): string {
  const spec = getSpec(cfg.scheduler);
  const p = spec.parse(cfg.params ?? {}, cfg.children);
  return spec.params
    .filter((m) => m.key !== "scale_fn" && m.key !== "scale_mode")
    .filter(
      (m) =>
        JSON.stringify(p[m.key]) !== JSON.stringify(m.default) ||
        m.default === null ||
        REQUIRED.has(`${cfg.scheduler}.${m.key}`),
    )
    .filter((m) => !(m.nullable && p[m.key] === null))
    .map((m) => `${m.key}=${py(p[m.key])}`)
    .join(", ");
}

const TRANSFORMERS: Record<string, string> = {
  LinearWithWarmup: "get_linear_schedule_with_warmup",
  CosineWithWarmup: "get_cosine_schedule_with_warmup",
  InverseSqrt: "get_inverse_sqrt_schedule",
  WSD: "get_wsd_schedule",
};

export function pytorchSnippet(cfg: SchedulerConfig, baseLr: number, optimizer = "SGD"): string {
  const spec = getSpec(cfg.scheduler);
  const head = [
    "import torch",
    "from torch.optim import lr_scheduler",
    "",
    `optimizer = torch.optim.${optimizer}(model.parameters(), lr=${py(baseLr)}${optimizer === "SGD" ? ", momentum=0.9" : ""})`,
  ];
  const loop = (metric: boolean) => [
    "",
    "for step in range(num_steps):",
    "    loss = train_step(model, optimizer)  # forward, backward, optimizer.step()",
    `    scheduler.step(${metric ? "loss.item()" : ""})`,
  ];
  if (cfg.scheduler === "SequentialLR" || cfg.scheduler === "ChainedScheduler") {
    const kids = (cfg.children ?? []).map(
      (c, i) => `child${i} = lr_scheduler.${c.scheduler}(optimizer, ${kwargs(c)})`,
    );
    const names = (cfg.children ?? []).map((_, i) => `child${i}`).join(", ");
    const tail =
      cfg.scheduler === "SequentialLR"
        ? `scheduler = lr_scheduler.SequentialLR(optimizer, [${names}], milestones=${py(cfg.params?.milestones ?? [])})`
        : `scheduler = lr_scheduler.ChainedScheduler([${names}])`;
    return [...head, ...kids, tail, ...loop(false)].join("\n");
  }
  if (spec.torchName) {
    const args = kwargs(cfg);
    return [
      ...head,
      `scheduler = lr_scheduler.${spec.torchName}(optimizer${args ? `, ${args}` : ""})`,
      ...loop(spec.needs.includes("loss")),
    ].join("\n");
  }
  if (cfg.scheduler === "GreedyLR") {
    return [
      ...head,
      "# GreedyLR: the authors' reference class (paper Algorithm 2); also in LR Lab's engine.",
      "from greedylr import GreedyLR",
      `scheduler = GreedyLR(optimizer, ${kwargs(cfg)})`,
      ...loop(true),
    ].join("\n");
  }
  if (TRANSFORMERS[cfg.scheduler]) {
    return [
      ...head,
      `from transformers import ${TRANSFORMERS[cfg.scheduler]}`,
      `scheduler = ${TRANSFORMERS[cfg.scheduler]}(optimizer, ${kwargs(cfg)})`,
      ...loop(false),
    ].join("\n");
  }
  return [
    `# ${spec.label} has no PyTorch scheduler class: ${spec.reference}.`,
    `# LR Lab parameters: ${kwargs(cfg) || "(defaults)"}`,
  ].join("\n");
}
