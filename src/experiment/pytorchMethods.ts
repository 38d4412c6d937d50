/**
 * Python files for the methods that are more than an LR schedule: the LR range test, schedule-free driven by
 * any schedule (and its Polyak step), and vSGD. Each file is self-contained (PyTorch 1.13 and 2.x, nothing
 * beyond torch), defines the method with LR Lab's exact semantics (the engine's Python sources) and runs as it
 * stands: its `__main__` block drives a stand-in problem. scripts/check_export.py runs them against the goldens.
 */
import { py } from "../engine/python";
import type { RangeTestConfig } from "../engine/rangeTest";
import { RANGE_TEST_PYTHON } from "../engine/rangeTest.py";
import { getSpec } from "../engine/registry";
import type { SfMode } from "../engine/scheduleFreeAny";
import { SF_PYTHON } from "../engine/scheduleFreeAny.py";
import type { Params } from "../engine/types";
import type { VsgdParams, VsgdVariant } from "../engine/vsgd";
import { VSGD_PYTHON } from "../engine/vsgd.py";
import type { RunConfig } from "./config";
import { builder, pytorchSnippet, TESTED_TORCH } from "./pytorch";

const kw = (p: Params | Record<string, unknown>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${py(v)}`)
    .join(", ");

const file = (doc: string[], imports: string[], body: string[]) =>
  [`"""${doc.join("\n")}"""`, ...imports, "", "", ...body, ""].join("\n").replace(/\n{4,}/g, "\n\n\n");

/** The start of a schedule-free file's demo: a stand-in least-squares problem and the optimizer. */
const LEAST_SQUARES_DEMO = [
  'if __name__ == "__main__":',
  "    # A stand-in least-squares problem: replace it with yours.",
  "    torch.manual_seed(0)",
  "    A, w = torch.randn(512, 8), torch.randn(8)",
  "    b = A @ w + 0.1 * torch.randn(512)",
  "    model = torch.nn.Linear(8, 1, bias=False)",
  "    optimizer = make_optimizer(model.parameters())",
];

/** The range test of `cfg` as a Python file: `make_range_test(optimizer)` and a runnable demo. */
export function rangeTestPython(cfg: RangeTestConfig): string {
  return file(
    [
      `LR Lab export: the LR range test as ${cfg.flavor === "fastai" ? "fastai v2's lr_find" : "torch-lr-finder's range_test"} runs it.`,
      "",
      `make_range_test(optimizer) builds the test LR Lab ran. ${TESTED_TORCH}`,
      "test.run(model, loss_fn, batches) trains through it, restores the model and optimizer, and returns the",
      "suggestions (iteration index and LR); test.lrs and test.smoothed hold the curve to plot.",
    ],
    ["import copy", "import math", "", "import torch"],
    [
      RANGE_TEST_PYTHON,
      "",
      "",
      "def make_range_test(optimizer):",
      `    return LRRangeTest(optimizer, flavor=${py(cfg.flavor)}, ${kw(cfg.params)})`,
      "",
      "",
      'if __name__ == "__main__":',
      "    # A stand-in model and data: replace them with yours.",
      "    torch.manual_seed(0)",
      "    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))",
      "    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)",
      "    test = make_range_test(optimizer)",
      "",
      "    def batches():",
      "        while True:",
      "            x = torch.randn(32, 4)",
      "            yield x, x.sum(dim=1, keepdim=True)",
      "",
      "    found = test.run(model, torch.nn.functional.mse_loss, batches())",
      '    print(f"{len(test.lrs)} iterations, LR {test.lrs[0]:.3g} to {test.lrs[-1]:.3g}")',
      "    for name, s in found.items():",
      '        if name != "window":',
      "            print(name, \"none\" if s is None else f\"iteration {s['index']}: lr {s['lr']:.4g}\")",
    ],
  );
}

export interface ScheduleFreeExport {
  /** 'sgd' / 'adamw' with any schedule, or the Polyak step (SGD). */
  optimizer: "sgd" | "adamw";
  mode: SfMode;
  beta: number;
  ell_star?: number;
  M?: number;
  /** The LR handed in (ignored by the Polyak step). */
  lr?: number;
}

/** Schedule-free with `mode` averaging as a Python file: `make_optimizer(params)` and a runnable demo. */
export function scheduleFreePython(x: ScheduleFreeExport): string {
  const polyak = x.mode === "polyak";
  const make = polyak
    ? `ScheduleFreePolyakSGD(params, beta=${py(x.beta)}, ell_star=${py(x.ell_star ?? 0)}, M=${py(x.M ?? 1)})`
    : x.optimizer === "adamw"
      ? `ScheduleFreeAdamW(params, lr=${py(x.lr ?? 0.0025)}, betas=(${py(x.beta)}, 0.999), averaging=${py(x.mode)})`
      : `ScheduleFreeSGD(params, lr=${py(x.lr ?? 1)}, beta=${py(x.beta)}, averaging=${py(x.mode)})`;
  return file(
    [
      `LR Lab export: schedule-free ${polyak ? "SGD with the schedule-free Polyak step" : `${x.optimizer === "adamw" ? "AdamW" : "SGD"} driven by any LR schedule, '${x.mode}' averaging`}`,
      "(Pun, Buchholz, Gower, arXiv 2511.07767; buchholzmd/step-back; facebookresearch/schedule_free).",
      "",
      `make_optimizer(params) builds the optimizer LR Lab ran. ${TESTED_TORCH}`,
      polyak
        ? "Each step needs the batch loss at the gradient point: optimizer.step(loss=loss.item())."
        : "Any torch.optim.lr_scheduler drives it: the LR is read from the param group at each step.",
      "Call optimizer.train() before training and optimizer.eval() before evaluating: x, the average, is evaluated.",
    ],
    ["import math", "", "import torch", "from torch.optim import lr_scheduler"],
    [
      SF_PYTHON,
      "",
      "",
      "def make_optimizer(params):",
      `    return ${make}`,
      "",
      "",
      ...LEAST_SQUARES_DEMO,
      ...(polyak
        ? []
        : [
            "    # Warmup, stable, then a linear decay over the last fifth (WSD): any scheduler works here.",
            "    steps = 200",
            "    scheduler = lr_scheduler.LambdaLR(optimizer, lambda t: min((t + 1) / 20, 1.0, (steps - t) / (0.2 * steps)))",
          ]),
      "    optimizer.train()",
      `    for step in range(${polyak ? "200" : "steps"}):`,
      "        i = torch.randint(0, 512, (16,))",
      "        loss = 0.5 * ((model(A[i]).squeeze(1) - b[i]) ** 2).mean()",
      "        optimizer.zero_grad()",
      "        loss.backward()",
      polyak ? "        optimizer.step(loss=loss.item())" : "        optimizer.step()",
      ...(polyak ? [] : ["        scheduler.step()"]),
      "        if step % 40 == 0:",
      "            optimizer.eval()",
      "            with torch.no_grad():",
      "                full = 0.5 * ((model(A).squeeze(1) - b) ** 2).mean().item()",
      "            optimizer.train()",
      "            print(f\"step {step}: lr {optimizer.param_groups[0]['lr']:.4g}, loss at x {full:.4g}\")",
    ],
  );
}

/** vSGD as a Python file: `make_optimizer(params)` and a runnable demo on a noisy quadratic. */
export function vsgdPython(variant: VsgdVariant, p: VsgdParams): string {
  const args = kw({
    variant,
    batch_size: p.batch_size,
    init_samples: p.init_samples,
    slow_constant: p.slow_constant,
    epsilon: p.epsilon,
    ...(variant === "vSGD_original" ? {} : { outlier_level: p.outlier_level }),
  });
  return file(
    [
      `LR Lab export: ${variant}, "No more pesky learning rates" (Schaul, Zhang & LeCun 2013), as the authors'`,
      "schaul/py-optim vsgd.py computes it: one adaptive LR per weight.",
      "",
      `make_optimizer(params) builds the optimizer LR Lab ran. ${TESTED_TORCH}`,
      "It needs per-sample gradients and curvatures, as the authors' code does; the demo below shows how.",
    ],
    ["import math", "", "import torch"],
    [
      VSGD_PYTHON,
      "",
      "",
      "def make_optimizer(params):",
      `    return VSGD(params, ${args})`,
      "",
      "",
      'if __name__ == "__main__":',
      "    # A stand-in separable noisy quadratic: sample c has loss sum_i h_i (theta_i - c_i)^2 / 2.",
      "    torch.manual_seed(0)",
      "    d = 5",
      "    h = torch.rand(d, dtype=torch.float64) * 4 + 0.1",
      "    theta = torch.nn.Parameter(torch.randn(d, dtype=torch.float64) * 3)",
      "    optimizer = make_optimizer([theta])",
      "    b = optimizer.batch_size",
      "",
      "    def draw(n):",
      "        return list(torch.randn(n, d, dtype=torch.float64))",
      "",
      "    def grads_at(point, rows):",
      "        return per_sample_grads([point], lambda c: 0.5 * (h * (point - c) ** 2).sum(), rows)",
      "",
      "    def curvatures(rows, grads):",
      '        if optimizer.variant != "vSGDfd":',
      "            return [h.abs().expand(len(rows), d)]",
      "        v = optimizer.fd_direction(grads)",
      "        shifted = (theta.detach() + v[0]).requires_grad_()",
      "        return optimizer.fd_curvature(grads, grads_at(shifted, rows), v)",
      "",
      "    rows = draw(max(optimizer.init_samples, 1) * b)",
      "    if optimizer.init_samples > 0:",
      "        g = grads_at(theta, rows)",
      "        optimizer.slow_start(g, curvatures(rows, g))",
      "    else:",
      "        optimizer.slow_start()",
      "    for step in range(200):",
      "        rows = draw(b)",
      "        g = grads_at(theta, rows)",
      "        optimizer.step(g, curvatures(rows, g))",
      "        if step % 40 == 0:",
      "            lr = optimizer.learning_rates()[0]",
      '            print(f"step {step}: median lr {lr.median().item():.4g}, |theta| {theta.norm().item():.4g}")',
    ],
  );
}

const indent = (lines: string[]) => lines.map((l) => (l ? `    ${l}` : l));

/**
 * A schedule-free run driven by its scheduler as one Python file: the schedule-free optimizer with the run's
 * averaging and the run's scheduler (its usual export) on top of it, and a runnable demo.
 */
export function scheduleFreeRunPython(run: RunConfig, baseLr: number, steps: number): string {
  const sf = run.sf!;
  // A schedule-free run keeps its own β: LR Lab ignores a scheduler's momentum cycling for it, so the export
  // turns that cycling off (the LRs are the same; PyTorch would refuse an optimizer without "momentum").
  const cycles = getSpec(run.scheduler.scheduler).params.some((m) => m.key === "cycle_momentum");
  const b = builder(
    cycles ? { ...run.scheduler, params: { ...run.scheduler.params, cycle_momentum: false } } : run.scheduler,
  );
  const make =
    sf.variant === "adamw"
      ? `ScheduleFreeAdamW(params, lr=${py(baseLr)}, betas=(${py(sf.beta)}, 0.999), averaging=${py(sf.averaging)})`
      : `ScheduleFreeSGD(params, lr=${py(baseLr)}, beta=${py(sf.beta)}, averaging=${py(sf.averaging)})`;
  return file(
    [
      `LR Lab export: "${run.name}" — schedule-free ${sf.variant === "adamw" ? "AdamW" : "SGD"} driven by ${run.scheduler.scheduler}, '${sf.averaging}' averaging`,
      "(Pun, Buchholz, Gower, arXiv 2511.07767; buchholzmd/step-back; facebookresearch/schedule_free).",
      "",
      `make_optimizer(params) and make_scheduler(optimizer) build what LR Lab ran. ${TESTED_TORCH}`,
      "The scheduler sets the LR in the param group; the optimizer reads it at each step and averages by it.",
      "Call optimizer.train() before training and optimizer.eval() before evaluating: x, the average, is evaluated.",
    ],
    ["import math", "", "import torch", "from torch.optim import lr_scheduler"],
    [
      SF_PYTHON,
      "",
      ...(b?.preamble ?? []),
      "",
      "def make_optimizer(params):",
      `    return ${make}`,
      "",
      "",
      "def make_scheduler(optimizer):",
      ...(b
        ? indent(b.lines)
        : [
            `    # ${run.scheduler.scheduler} has no PyTorch scheduler: its step size comes from the training itself`,
            "    # (LR Lab computes it each step). A constant LR stands in for it here.",
            "    return lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)",
          ]),
      "",
      "",
      ...LEAST_SQUARES_DEMO,
      "    scheduler = make_scheduler(optimizer)",
      "    optimizer.train()",
      `    for step in range(${Math.max(1, steps)}):`,
      "        i = torch.randint(0, 512, (16,))",
      "        loss = 0.5 * ((model(A[i]).squeeze(1) - b[i]) ** 2).mean()",
      "        optimizer.zero_grad()",
      "        loss.backward()",
      "        optimizer.step()",
      `        scheduler.step(${b?.metric ? "loss.item()" : ""})`,
      `        if step % ${Math.max(1, Math.round(steps / 10))} == 0:`,
      "            optimizer.eval()",
      "            with torch.no_grad():",
      "                full = 0.5 * ((model(A).squeeze(1) - b) ** 2).mean().item()",
      "            optimizer.train()",
      "            print(f\"step {step}: lr {optimizer.param_groups[0]['lr']:.4g}, loss at x {full:.4g}\")",
    ],
  );
}

/** The Python file of one run: schedule-free runs and the schedule-free Polyak step export their optimizer. */
export function runPython(run: RunConfig, baseLr: number, optimizer: string, steps: number): string {
  if (run.scheduler.scheduler === "ScheduleFreePolyak") {
    const p = run.scheduler.params ?? {};
    return scheduleFreePython({
      optimizer: "sgd",
      mode: "polyak",
      beta: typeof p.beta === "number" ? p.beta : 0.9,
      ell_star: typeof p.ell_star === "number" ? p.ell_star : 0,
      M: typeof p.M === "number" ? p.M : 1,
    });
  }
  if (run.sf) return scheduleFreeRunPython(run, baseLr, steps);
  return pytorchSnippet(run.scheduler, baseLr, optimizer, steps);
}
