/**
 * A whole race as one PyTorch file (and the same code as a Jupyter notebook) that reproduces it step by step:
 * the data LR Lab generated and the initial weights it drew (both embedded, exactly), its seeded batch order and
 * noise draws (the generators ported: integer and double arithmetic, bit for bit), the same models, the same
 * optimizers, and each run's scheduler as its usual export (pytorch.ts). Plain data: the trainer side
 * (src/train/raceData.ts) hands over the arrays; this file only writes Python. scripts/check_export.py runs
 * the files in Debian's PyTorch against `npm run race` step by step (part of `npm test`).
 */
import { py } from "../engine/python";
import { getSpec } from "../engine/registry";
import { SF_PYTHON } from "../engine/scheduleFreeAny.py";
import type { Experiment, RunConfig } from "./config";
import { lessonById } from "./lessons";
import { builder, TESTED_TORCH } from "./pytorch";
import { cyclesMomentum, RACE_RULES, raceRefusals } from "./raceRefusals";
import { isAnalytic, LM_CONTEXT, MNIST_SIDE, TASK_LABELS, type TaskData } from "./tasks";

export { raceRefusals };

/** What the trainer generated for a race: its data and one run's initial weights (every run starts there). */
export interface RaceData extends TaskData {
  /** The char-LM's corpus (the windows are rebuilt from it). */
  corpus?: string;
  /** The initial weights of one run, in the model's parameter order, without the run axis. */
  init: { shape: number[]; data: Float32Array }[];
}

/** LR Lab's optimizer kinds as PyTorch sees them: the experiment's optimizer or the run's schedule-free one. */
const OPTIMIZER_PY: Record<string, (e: Experiment) => string> = {
  sgd: () => "torch.optim.SGD(params, lr=BASE_LR)",
  momentum: (e) => `torch.optim.SGD(params, lr=BASE_LR, momentum=${py(e.momentum)})`,
  adam: () => "torch.optim.Adam(params, lr=BASE_LR)",
  adamw: (e) => `torch.optim.AdamW(params, lr=BASE_LR, weight_decay=${py(e.weightDecay)})`,
};

// ---- byte encodings (browser and Node alike) ----

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const f32Bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A base64 literal as a triple-quoted Python string, wrapped at 100 characters (b64decode skips newlines). */
function literal(bytes: Uint8Array): string {
  const b = base64(bytes);
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 100) lines.push(b.slice(i, i + 100));
  return lines.length <= 1 ? `"${b}"` : `"""\n${lines.join("\n")}\n"""`;
}

/** The grey levels k/255 of MNIST as their bytes k, or null when x is not exactly that. */
function greyBytes(x: Float32Array): Uint8Array | null {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const k = Math.round(x[i] * 255);
    if (Math.fround(k / 255) !== x[i]) return null;
    out[i] = k;
  }
  return out;
}

// ---- the file's sections ----

/** One section of the file: Markdown (notebook only) and the code of one cell. */
export interface Section {
  md?: string;
  code: string;
}

const lines = (...ls: (string | false | undefined)[]) =>
  ls.filter((l) => l !== false && l !== undefined).join("\n");

function dataSection(e: Experiment, d: RaceData): Section {
  const task = e.task.kind;
  const helpers = lines(
    "def _floats(text, *shape):",
    "    return torch.frombuffer(bytearray(base64.b64decode(text)), dtype=torch.float32).reshape(*shape).clone()",
    "",
    "",
    "def _ints(text, *shape):",
    "    return torch.frombuffer(bytearray(base64.b64decode(text)), dtype=torch.int32).reshape(*shape).long()",
  );
  if (d.type === "analytic")
    return {
      md: `## The data\n\n${TASK_LABELS[task]}: no data. The parameters are the point (x₁, x₂); the loss is the function itself.`,
      code: lines(helpers, "", "", "N = 0  # no samples: every step evaluates the function"),
    };
  if (d.type === "sequence") {
    return {
      md: "## The data\n\nThe corpus LR Lab trains on, every window of 32 characters with the next characters as targets: the same encoding (token id = position in the sorted character set).",
      code: lines(
        helpers,
        "",
        "",
        `CORPUS = ${JSON.stringify(d.corpus ?? "")}`,
        `VOCAB = ${JSON.stringify(d.vocab ?? "")}`,
        `CONTEXT = ${LM_CONTEXT}`,
        "_ids = torch.tensor([VOCAB.index(c) for c in CORPUS])",
        "N = len(_ids) - CONTEXT",
        "X = torch.stack([_ids[i:i + CONTEXT] for i in range(N)])  # token ids [N, CONTEXT]",
        "Y = torch.stack([_ids[i + 1:i + CONTEXT + 1] for i in range(N)])  # next tokens [N, CONTEXT]",
        `assert X.shape == (${d.n}, CONTEXT), 'the corpus does not match LR Lab'`,
      ),
    };
  }
  const grey = task === "mnist" ? greyBytes(d.x) : null;
  const xLine = grey
    ? `X = (torch.frombuffer(bytearray(base64.b64decode(${literal(grey)})), dtype=torch.uint8).double() / 255).float().reshape(${d.n}, ${d.dim})`
    : `X = _floats(${literal(f32Bytes(d.x))}, ${d.n}, ${d.dim})`;
  const yLine =
    d.type === "regression"
      ? `Y = _floats(${literal(f32Bytes(d.target))}, ${d.n})  # targets`
      : `Y = torch.nn.functional.one_hot(_ints(${literal(new Uint8Array(d.y.buffer, d.y.byteOffset, d.y.byteLength))}, ${d.n}), ${d.outputs}).float()  # one-hot labels`;
  return {
    md: lines(
      "## The data",
      "",
      `${TASK_LABELS[task]}: the exact ${d.n} samples LR Lab generated from seed ${e.seed}${task === "mnist" ? ` (${MNIST_SIDE}×${MNIST_SIDE} digits, grey levels k/255)` : ""}, embedded below.`,
    ),
    code: lines(helpers, "", "", `N = ${d.n}`, xLine, yLine),
  };
}

const RNG = `def _imul(a, b):
    return (a * b) & 0xFFFFFFFF


def mulberry32(seed):
    """LR Lab's seeded generator (src/train/rng.ts), bit for bit: uniform floats in [0, 1)."""
    state = seed & 0xFFFFFFFF

    def rand():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = _imul(state ^ (state >> 15), state | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return rand


def sub_seed(seed, stream):
    """Independent streams from one seed: 1 data, 2 weights, 3 batches, 4 noise."""
    return (_imul(seed ^ 0x9E3779B9, 2654435761) + stream * 0x85EBCA6B) & 0xFFFFFFFF


def permutation(n, rand):
    """Fisher-Yates shuffle of 0..n-1, as LR Lab draws it."""
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = math.floor(rand() * (i + 1))
        p[i], p[j] = p[j], p[i]
    return p


class Batches:
    """The mini-batches every run sees: a seeded reshuffle each epoch, the same order as LR Lab."""

    def __init__(self, n, batch_size, seed):
        self.n, self.size = n, min(batch_size, n)
        self.rand = mulberry32(sub_seed(seed, 3))
        self.order, self.cursor = permutation(n, self.rand), 0

    def next(self):
        idx = []
        for _ in range(self.size):
            if self.cursor >= self.n:
                self.order, self.cursor = permutation(self.n, self.rand), 0
            idx.append(self.order[self.cursor])
            self.cursor += 1
        return torch.tensor(idx, dtype=torch.long)`;

function modelSection(e: Experiment, d: RaceData): Section {
  const task = e.task.kind;
  const init = lines(
    "INIT = [",
    ...d.init.map((w) => `    _floats(${literal(f32Bytes(w.data))}, ${w.shape.join(", ")}),`),
    "]",
    "",
    "",
    "def new_params():",
    '    """A fresh copy of the initial weights: every run starts from the same ones."""',
    "    return [w.clone().requires_grad_() for w in INIT]",
  );
  const ce = lines(
    "def loss_fn(params, x, y):",
    '    """Mean cross-entropy (y: one-hot rows, or soft rows under label noise)."""',
    "    return -(torch.log_softmax(forward(params, x), -1) * y).sum(-1).mean()",
  );
  let body: string;
  let md: string;
  if (isAnalytic(task)) {
    const f: Record<string, string> = {
      quadratic: "0.5 * (a * a + 10 * (b * b))",
      rosenbrock: "(1 - a) ** 2 + 100 * (b - a * a) ** 2",
      survey: "torch.exp(a + (3 * b - 0.1)) + torch.exp((a - 3 * b) - 0.1) + torch.exp(-a - 0.1)",
      rastrigin:
        "20 + ((a * a - 10 * torch.cos(2 * math.pi * a)) + (b * b - 10 * torch.cos(2 * math.pi * b)))",
    };
    md = `## The model\n\nThe point (x₁, x₂) is the parameter, starting where LR Lab starts; the loss is the ${task} function.`;
    body = lines(
      "def loss_fn(params, x=None, y=None):",
      "    a, b = params[0][0, 0], params[0][0, 1]",
      `    return ${f[task]}`,
    );
  } else if (task === "mnist") {
    md =
      "## The model\n\nLR Lab's small CNN: conv 3×3 stride 2 (8 channels, TF 'same' padding) → ReLU → conv 3×3 (16) → ReLU → dense 784→10, its weights stored as LR Lab stores them (taps × channels).";
    body = lines(
      "def forward(params, x):",
      "    w1, b1, w2, b2, w3, b3 = params",
      "    batch = x.shape[0]",
      "    img = x.reshape(batch, 1, 14, 14)",
      "    # TF 'same' padding for 14 -> 7 with stride 2 and 3 taps: 0 before, 1 after.",
      "    z1 = torch.relu(F.conv2d(F.pad(img, (0, 1, 0, 1)), w1.t().reshape(8, 1, 3, 3), stride=2) + b1.reshape(1, 8, 1, 1))",
      "    z2 = torch.relu(F.conv2d(z1, w2.reshape(3, 3, 8, 16).permute(3, 2, 0, 1), padding=1) + b2.reshape(1, 16, 1, 1))",
      "    return z2.permute(0, 2, 3, 1).reshape(batch, 7 * 7 * 16) @ w3 + b3",
      "",
      "",
      ce,
    );
  } else if (task === "charlm") {
    md =
      "## The model\n\nLR Lab's one-block transformer: token and position embeddings, pre-LayerNorm causal self-attention with 2 heads (d = 32), an MLP of 128, a final LayerNorm and the output layer.";
    body = lines(
      "D, HEADS = 32, 2",
      "MASK = torch.triu(torch.full((CONTEXT, CONTEXT), -1e9), diagonal=1)",
      "",
      "",
      "def layer_norm(h, gain, bias):",
      "    mean = h.mean(-1, keepdim=True)",
      "    var = ((h - mean) ** 2).mean(-1, keepdim=True)",
      "    return (h - mean) * torch.rsqrt(var + 1e-5) * gain + bias",
      "",
      "",
      "def forward(params, ids):",
      "    p = params",
      "    batch, t = ids.shape",
      "    h = (p[0][ids] + p[1][:t]).reshape(batch * t, D)",
      "    qkv = layer_norm(h, p[2], p[3]) @ p[4]",
      "",
      "    def heads(k):",
      "        return qkv[:, k * D:(k + 1) * D].reshape(batch, t, HEADS, D // HEADS).permute(0, 2, 1, 3)",
      "",
      "    q, k, v = heads(0), heads(1), heads(2)",
      "    att = torch.softmax((q @ k.transpose(-1, -2)) * (1 / math.sqrt(D // HEADS)) + MASK[:t, :t], dim=-1)",
      "    h = h + (att @ v).permute(0, 2, 1, 3).reshape(batch * t, D) @ p[5]",
      "    a = torch.relu(layer_norm(h, p[6], p[7]) @ p[8] + p[9])",
      "    h = h + (a @ p[10] + p[11])",
      "    return layer_norm(h, p[12], p[13]) @ p[14] + p[15]  # logits [batch * t, vocabulary]",
      "",
      "",
      ce,
    );
  } else {
    const sizes = [d.dim, ...(task === "logistic" ? [] : e.hidden), d.outputs];
    md = `## The model\n\n${task === "logistic" ? "Logistic regression (a linear layer and softmax: convex)" : `An MLP ${sizes.join("–")} with tanh hidden layers`}, each weight matrix [in, out] as LR Lab stores it.`;
    body = lines(
      "def forward(params, x):",
      "    h = x",
      "    layers = len(params) // 2",
      "    for l in range(layers):",
      "        h = h @ params[2 * l] + params[2 * l + 1]",
      "        if l < layers - 1:",
      "            h = torch.tanh(h)",
      "    return h",
      "",
      "",
      d.type === "regression"
        ? lines(
            "def loss_fn(params, x, y):",
            '    """Mean squared error."""',
            "    return ((forward(params, x).squeeze(-1) - y) ** 2).mean()",
          )
        : ce,
    );
  }
  return {
    md: `${md}\n\nThe initial weights are LR Lab's, drawn from seed ${e.seed} and embedded below.`,
    code: lines(init, "", "", body),
  };
}

/**
 * The Schedule-Free method as a run (the ScheduleFree spec): schedule-free SGD or AdamW with the reference's
 * averaging, (k+1)^r · lr_max^weight_lr_power, and its warmup (k+1)/W as a LambdaLR.
 */
function scheduleFreeRun(r: RunConfig, i: number): string[] {
  const p = getSpec("ScheduleFree").parse(r.scheduler.params ?? {}) as Record<string, number | string>;
  const beta = r.sf?.beta ?? p.beta;
  const common = `averaging="reference", r=${py(p.r)}, weight_lr_power=${py(p.weight_lr_power)}`;
  const opt =
    p.variant === "adamw"
      ? `ScheduleFreeAdamW(params, lr=BASE_LR, betas=(${py(beta)}, 0.999), ${common}, weight_decay=${py(p.weight_decay)})`
      : `ScheduleFreeSGD(params, lr=BASE_LR, beta=${py(beta)}, ${common})`;
  return [
    `def make_run_${i}(params):`,
    `    """${r.name}: Schedule-Free ${p.variant === "adamw" ? "AdamW" : "SGD"} (facebookresearch/schedule_free v1.4), its warmup as a LambdaLR."""`,
    `    optimizer = ${opt}`,
    `    warmup = ${py(p.warmup_steps)}`,
    "    scheduler = lr_scheduler.LambdaLR(optimizer, lambda k: (k + 1) / warmup if k < warmup else 1)",
    '    return optimizer, scheduler, "plain"',
  ];
}

/**
 * The methods LR Lab computes from the training itself that the race writes as Python: Polyak and AdGD
 * decide each step's LR from its gradient facts before the optimizer steps (the loop hands them the loss and
 * the run's parameters, whose gradients are set); delta-bar-delta and AdaDelta are optimizers at the base LR.
 */
function ruleRun(e: Experiment, r: RunConfig, i: number): string[] {
  const id = r.scheduler.scheduler;
  const spec = getSpec(id);
  const p = spec.parse(r.scheduler.params ?? {}) as Record<string, number | null>;
  const head = [`def make_run_${i}(params):`, `    """${r.name}: ${spec.label} (${spec.reference})."""`];
  const constant = "lr_scheduler.LambdaLR(optimizer, lambda k: 1.0)";
  switch (id) {
    case "DeltaBarDelta":
      return [
        ...head,
        `    optimizer = DeltaBarDelta(params, lr=BASE_LR, kappa=${py(p.kappa)}, phi=${py(p.phi)}, theta=${py(p.theta)})`,
        `    return optimizer, ${constant}, "plain"`,
      ];
    case "AdaDelta":
      return [
        ...head,
        `    optimizer = torch.optim.Adadelta(params, lr=BASE_LR, rho=${py(p.rho)}, eps=${py(p.eps)})`,
        `    return optimizer, ${constant}, "plain"`,
      ];
    case "Polyak":
      return [
        ...head,
        `    optimizer = ${OPTIMIZER_PY[e.optimizer](e)}`,
        `    return optimizer, PolyakStep(optimizer, c=${py(p.c)}, f_star=${py(p.f_star)}, gamma_max=${py(p.gamma_max)}, eps=${py(p.eps)}), "before"`,
      ];
    case "Secant":
      return [
        ...head,
        `    optimizer = ${OPTIMIZER_PY[e.optimizer](e)}`,
        `    rule = SecantStep(optimizer, probe=${py(p.probe)}, delta=${py(p.delta)}, beta=${py(p.beta)}, min_lr=${py(p.min_lr)}, max_lr=${py(p.max_lr)})`,
        '    return optimizer, rule, "before"',
      ];
    case "Rayleigh":
      return [
        ...head,
        `    optimizer = ${OPTIMIZER_PY[e.optimizer](e)}`,
        `    rule = RayleighStep(optimizer, factor=${py(p.factor)}, probe=${py(p.probe)}, min_lr=${py(p.min_lr)}, max_lr=${py(p.max_lr)}, fallback=${py(p.fallback)})`,
        '    return optimizer, rule, "before"',
      ];
    case "RegrettableDBD":
      return [
        ...head,
        `    optimizer = ${OPTIMIZER_PY[e.optimizer](e)}`,
        `    rule = RegrettableDBD(optimizer, kappa=${py(p.kappa)}, phi=${py(p.phi)}, min_lr=${py(p.min_lr)}, max_lr=${py(p.max_lr)})`,
        '    return optimizer, rule, "before"',
      ];
    case "PowerMethod":
      return [
        ...head,
        `    optimizer = ${OPTIMIZER_PY[e.optimizer](e)}`,
        `    rule = PowerMethodStep(optimizer, factor=${py(p.factor)}, gamma=${py(p.gamma)}, alpha=${py(p.alpha)}, min_lr=${py(p.min_lr)}, max_lr=${py(p.max_lr)})`,
        '    return optimizer, rule, "before"',
      ];
    case "vSGD":
    case "SDLM": {
      const q = p as unknown as Record<string, unknown>;
      const args =
        id === "vSGD"
          ? `"vsgd", BASE_LR, variant=${py(q.variant)}, slow_constant=${py(q.slow_constant)}, epsilon=${py(q.epsilon)}, outlier_level=${py(q.outlier_level)}, probe=${py(q.probe)}`
          : `"sdlm", BASE_LR, mu=${py(q.mu)}, gamma=${py(q.gamma)}, probe=${py(q.probe)}`;
      return [...head, `    return PerWeightCurvature(params, ${args}), None, "perweight"`];
    }
    case "ScheduleFreePolyak": {
      const beta = r.sf?.beta ?? p.beta;
      return [
        ...head,
        `    optimizer = ScheduleFreePolyak${(p.variant as unknown) === "adam" ? "Adam" : "SGD"}(params, beta=${py(beta)}, ell_star=${py(p.ell_star)}, M=${py(p.M)})`,
        '    return optimizer, None, "self"  # it computes its own step in step(loss=...)',
      ];
    }
    case "ArmijoLineSearch":
      return [
        ...head,
        `    optimizer = ${OPTIMIZER_PY[e.optimizer](e)}`,
        `    rule = ArmijoLineSearch(optimizer, eta0=${py(p.eta0)}, beta=${py(p.beta)}, c=${py(p.c)}, max_backtracks=${py(p.max_backtracks)})`,
        '    return optimizer, rule, "before"',
      ];
    case "ExactLineSearch":
      return [
        ...head,
        `    optimizer = ${OPTIMIZER_PY[e.optimizer](e)}`,
        `    rule = ExactLineSearch(optimizer, eta_min=${py(p.eta_min)}, eta_max=${py(p.eta_max)}, points=${py(p.points)})`,
        '    return optimizer, rule, "before"',
      ];
    default:
      return [
        ...head,
        `    optimizer = ${OPTIMIZER_PY[e.optimizer](e)}`,
        `    return optimizer, AdGD(optimizer, lambda0=${py(p.lambda0)}, max_lr=${py(p.max_lr)}), "before"`,
      ];
  }
}

/**
 * vSGD and SDLM as LR Lab's trainer runs them (train/optimizers.ts perWeightEta, trainer.ts perWeight): float32
 * tensor arithmetic in the same order, the same Hutchinson vectors (tfjs's seeded uniform draws), the same
 * quantiles of η_i for the reported LR.
 */
const PER_WEIGHT_PY = `class PerWeightCurvature:
    """Per-weight LRs from a curvature estimate, as LR Lab's trainer computes them: vSGD (Schaul, Zhang & LeCun
    2013, each mini-batch gradient one sample; the slow start on the first batch) or SDLM (LeCun et al. 1998,
    eta_i = base LR / (<h_ii> + mu)). The curvature takes one more gradient on the step's batch: vSGDfd's
    |(grad(w + v) - grad(w)) / v| along v = gbar + eps, or Hutchinson's |z * Hz| with LR Lab's Rademacher z.
    step_with() updates the weights and returns the median eta_i, the LR LR Lab reports."""

    def __init__(self, params, kind, base_lr, variant="vSGD", slow_constant=2.0, epsilon=1e-9, outlier_level=1.0,
                 probe=1e-3, mu=0.1, gamma=0.05):
        self.kind, self.base_lr, self.variant = kind, base_lr, variant
        self.slow, self.eps, self.probe, self.mu, self.gamma = slow_constant, epsilon, probe, mu, gamma
        self.outlier = kind == "vsgd" and variant != "vSGD_original" and outlier_level is not None
        self.level = outlier_level if outlier_level is not None else 0.0
        self.fd = kind == "vsgd" and variant == "vSGDfd"
        self.params, self.state, self.lr = list(params), None, base_lr
        self.param_groups = [{"lr": base_lr}]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def _curvature(self, params, raw, loss_of, t):
        eps, probe = f32(self.eps), f32(self.probe)
        if self.fd:
            d = [(r if self.state is None else s["gbar"]) + eps for r, s in zip(raw, self.state or [{}] * len(raw))]
            w = [1 / di for di in d]
        else:
            z = [torch.where(random_uniform(list(p.shape), sub_seed(SEED, 7000 + t) + k) < 0.5,
                             torch.tensor(-1.0), torch.tensor(1.0)) for k, p in enumerate(params)]
            d = [probe * zi for zi in z]
            w = [zi / probe for zi in z]
        shifted = [(p.detach() + di).requires_grad_() for p, di in zip(params, d)]
        moved = torch.autograd.grad(loss_of(shifted), shifted)
        return [((m - r) * wi).abs() for m, r, wi in zip(moved, raw, w)]

    def _vsgd(self, g, h, s):
        eps, one = f32(self.eps), torch.tensor(1.0)
        updated = s is not None
        if s is None:
            s = {"gbar": g.clone(), "vbar": (g ** 2 + eps) * f32(self.slow), "hbar": h.clone(), "vhbar": h ** 2,
                 "tau": ((one + eps) * 2).expand_as(g).clone()}
        else:
            lvl2 = f32(self.level) ** 2
            out = (g - s["gbar"]) ** 2 > lvl2 * (s["vbar"] - s["gbar"] ** 2)
            if self.fd:
                out = out | ((h - s["hbar"]) ** 2 > lvl2 * (s["vhbar"] - s["hbar"] ** 2))
            tau = s["tau"] + (out & self.outlier).float()
            fract = 1 / tau
            keep = 1 - fract
            s = {"gbar": s["gbar"] * keep + fract * g, "vbar": s["vbar"] * keep + (fract * g ** 2 + eps),
                 "hbar": s["hbar"] * keep + fract * h, "vhbar": s["vhbar"] * keep + fract * h ** 2, "tau": tau}
        vpart = s["gbar"] ** 2 / s["vbar"]
        if updated:
            s["tau"] = s["tau"] * (1 - vpart) + (one + eps)
        eta = vpart * ((s["hbar"] + eps) / (s["vhbar"] + eps)) if self.fd else vpart / (s["hbar"] + eps)
        return s, eta

    def _sdlm(self, h, s):
        g = f32(self.gamma)
        avg = h.clone() if s is None else (1 - g) * s["avg"] + g * h
        return {"avg": avg}, f32(self.base_lr) / (avg + f32(self.mu))

    @staticmethod
    def _median(eta):
        flat = torch.cat([e.reshape(-1) for e in eta])
        n = flat.numel()
        if n > 2048:
            flat = flat[torch.tensor([math.floor(k * (n - 1) / 2047 + 0.5) for k in range(2048)])]
            n = 2048
        srt = torch.sort(flat).values
        x = 0.5 * (n - 1)
        lo, hi = math.floor(x), math.ceil(x)
        return srt[lo].item() if lo == hi else (srt[lo] * (hi - x) + srt[hi] * (x - lo)).item()

    @torch.no_grad()
    def _apply(self, params, eta):
        for p, e in zip(params, eta):
            p.sub_(e * p.grad)

    def step_with(self, params, raw, loss_of, t):
        h = self._curvature(params, raw, loss_of, t)
        states = self.state or [None] * len(params)
        with torch.no_grad():
            pairs = [self._vsgd(p.grad, hi, s) if self.kind == "vsgd" else self._sdlm(hi, s)
                     for p, hi, s in zip(params, h, states)]
        self.state = [s for s, _ in pairs]
        eta = [e for _, e in pairs]
        med = self._median(eta)
        if math.isfinite(med) and med >= 0:
            self.lr = med
        self._apply(params, eta)
        return self.lr`;

/** The Python of the rules above (only those a race uses are written). */
const RULES_PY: Record<string, string> = {
  common: `def _jsmin(a, b):
    """min as JavaScript's Math.min computes it: NaN if either is NaN."""
    return math.nan if math.isnan(a) or math.isnan(b) else min(a, b)


def _div(a, b):
    """a / b in IEEE arithmetic, as JavaScript divides (Python raises on zero)."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def gradient_facts(params, prev):
    """The step's gradient facts as LR Lab's trainer computes them (float32 sums): |g|^2, and |x - x'|, |g - g'|
    and <g, g'> against the previous step (None on the first)."""
    facts = {"grad_sq": torch.stack([(p.grad ** 2).sum() for p in params]).sum().item()}
    if prev is not None:
        xs, gs = prev
        facts["dx"] = torch.stack([((p.detach() - x) ** 2).sum() for p, x in zip(params, xs)]).sum().sqrt().item()
        facts["dg"] = torch.stack([((p.grad - g) ** 2).sum() for p, g in zip(params, gs)]).sum().sqrt().item()
        facts["dot"] = torch.stack([(p.grad * g).sum() for p, g in zip(params, gs)]).sum().item()
    return facts


class _Rule:
    """A step-size rule decided before each optimizer step: decide(loss, facts) sets and returns the LR."""

    def __init__(self, optimizer, lr):
        self.optimizer = optimizer
        self._set(lr)

    def _set(self, lr):
        self.lr = lr
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        return lr`,
  Polyak: `class PolyakStep(_Rule):
    """SPS_max (Loizou et al. 2021): lr = (f - f*) / (c |g|^2 + eps), clipped to [0, gamma_max]; no step when the
    loss is not finite or |g| < 1e-8."""

    def __init__(self, optimizer, c=0.5, f_star=0.0, gamma_max=1.0, eps=1e-8):
        self.c, self.f_star, self.gamma_max, self.eps = c, f_star, gamma_max, eps
        super().__init__(optimizer, optimizer.param_groups[0]["lr"])

    def decide(self, loss, facts):
        g2 = facts["grad_sq"] if facts else math.nan
        if not (g2 >= 1e-16) or not math.isfinite(loss):
            return self._set(0.0)
        raw = (loss - self.f_star) / (self.c * g2 + self.eps)
        return self._set(min(max(raw, 0.0), self.gamma_max))`,
  AdGD: `class AdGD(_Rule):
    """Adaptive GD (Malitsky & Mishchenko 2020): lr_k = min(sqrt(1 + theta) lr_{k-1}, |x_k - x_{k-1}| / (2 |g_k - g_{k-1}|)),
    theta = lr_k / lr_{k-1}; the first step is lambda0; without curvature information the LR is kept."""

    def __init__(self, optimizer, lambda0=1e-10, max_lr=None):
        self.lambda0, self.max_lr, self.theta, self.k = lambda0, max_lr, None, 0
        super().__init__(optimizer, lambda0)

    def decide(self, loss, facts):
        if self.k == 0:
            self.k = 1
            return self._set(self.lambda0)
        dx = facts.get("dx", math.nan) if facts else math.nan
        dg = facts.get("dg", math.nan) if facts else math.nan
        growth = math.inf if self.theta is None else math.sqrt(1 + self.theta) * self.lr
        local = dx / (2 * dg) if dg > 0 else math.inf
        lr = _jsmin(growth, local)
        if self.max_lr is not None:
            lr = _jsmin(lr, self.max_lr)
        if not (math.isfinite(lr) and lr > 0):
            lr = self.lr
        self.theta, self.k = lr / self.lr, self.k + 1
        return self._set(lr)`,
  Secant: `class SecantStep(_Rule):
    """The A-SGD secant LR: h = s.y / (|s|^2 + delta) along s = probe * g, with y the gradient change from x to
    x + s on the same batch; h smoothed by beta, lr = 1/h clipped to [min_lr, max_lr]; without positive
    curvature the LR is kept."""
    needs_probe = True

    def __init__(self, optimizer, probe=1.0, delta=1e-8, beta=0.0, min_lr=1e-6, max_lr=1.0):
        self.probe, self.delta, self.beta, self.min_lr, self.max_lr, self.h = probe, delta, beta, min_lr, max_lr, None
        super().__init__(optimizer, optimizer.param_groups[0]["lr"])

    def decide(self, loss, facts):
        sy = facts.get("sy", math.nan) if facts else math.nan
        ss = facts.get("ss", math.nan) if facts else math.nan
        h_new = _div(sy, ss + self.delta)
        if not (h_new > 0) or not math.isfinite(h_new):
            return self._set(self.lr)
        self.h = self.beta * self.h + (1 - self.beta) * h_new if self.h is not None else h_new
        return self._set(min(max(1 / self.h, self.min_lr), self.max_lr))`,
  Rayleigh: `class RayleighStep(_Rule):
    """1/h along the gradient: h = s.y / |s|^2 is the Rayleigh quotient g'Hg/g'g from a probe step s = probe * g
    (y: the gradient change over it, same batch); lr = factor / h clipped to [min_lr, max_lr]. Without positive
    curvature: the previous LR ('keep') or max_lr ('max')."""
    needs_probe = True

    def __init__(self, optimizer, factor=1.0, probe=1e-3, min_lr=1e-6, max_lr=1.0, fallback="keep"):
        self.factor, self.probe, self.min_lr, self.max_lr, self.fallback = factor, probe, min_lr, max_lr, fallback
        super().__init__(optimizer, min(max(optimizer.param_groups[0]["lr"], min_lr), max_lr))

    def decide(self, loss, facts):
        sy = facts.get("sy", math.nan) if facts else math.nan
        ss = facts.get("ss", math.nan) if facts else math.nan
        q = _div(sy, ss)
        if not (sy > 0) or not (ss > 0) or not math.isfinite(q):
            lr = self.max_lr if self.fallback == "max" else min(max(self.lr, self.min_lr), self.max_lr)
            return self._set(lr)
        return self._set(min(max(self.factor / q, self.min_lr), self.max_lr))`,
  RegrettableDBD: `class RegrettableDBD(_Rule):
    """Regrettable delta-bar-delta on one global LR, as LR Lab reads the survey's description (Song & Yang 2023;
    the exact rule is not public): with d = <g_t, g_{t-1}>, if the last step updated the LR and d changed sign
    since, that update is undone; otherwise lr + kappa when d > 0, (1 - phi) lr when d < 0. Clipped to
    [min_lr, max_lr]; the first step keeps the LR."""

    def __init__(self, optimizer, kappa=1e-3, phi=0.1, min_lr=1e-6, max_lr=1.0):
        self.kappa, self.phi, self.min_lr, self.max_lr = kappa, phi, min_lr, max_lr
        self.undo, self.last_dot = None, None
        super().__init__(optimizer, min(max(optimizer.param_groups[0]["lr"], min_lr), max_lr))

    def decide(self, loss, facts):
        d = facts.get("dot") if facts else None
        clip = lambda x: min(max(x, self.min_lr), self.max_lr)
        if d is None or not math.isfinite(d):
            self.undo, self.last_dot = None, None
            return self._set(self.lr)
        if self.undo is not None and self.last_dot * d < 0:
            lr = clip(self.undo)
            self.undo, self.last_dot = None, None
            return self._set(lr)
        if d == 0:
            self.undo, self.last_dot = None, None
            return self._set(self.lr)
        self.undo, self.last_dot = self.lr, d
        return self._set(clip(self.lr + self.kappa if d > 0 else (1 - self.phi) * self.lr))`,
  PowerMethod: `class PowerMethodStep(_Rule):
    """lr = factor / lambda_max, lambda_max = |psi| from LR Lab's on-line power method (LeCun, Simard & Pearlmutter
    1993): psi <- (1 - gamma) psi + gamma (grad(w + alpha psi/|psi|) - grad(w)) / alpha on the step's batch, psi
    starting as LR Lab's seeded random vector and taking 10 plain power iterations (gamma = 1) the first time;
    clipped to [min_lr, max_lr]; without an estimate the LR is kept."""
    needs_power = True

    def __init__(self, optimizer, factor=1.0, gamma=0.1, alpha=1e-2, min_lr=1e-6, max_lr=1.0):
        self.factor, self.gamma, self.alpha, self.min_lr, self.max_lr, self.psi = factor, gamma, alpha, min_lr, max_lr, None
        super().__init__(optimizer, min(max(optimizer.param_groups[0]["lr"], min_lr), max_lr))

    def power(self, params, raw, loss_of):
        fresh = self.psi is None
        if fresh:
            self.psi = [random_normal(list(p.shape), sub_seed(SEED, 8000) + k) for k, p in enumerate(params)]
        alpha = f32(self.alpha)
        for _ in range(10 if fresh else 1):
            n = torch.sqrt(torch.stack([(q ** 2).sum() for q in self.psi]).sum())
            shifted = [(p.detach() + (alpha / n) * q).requires_grad_() for p, q in zip(params, self.psi)]
            moved = torch.autograd.grad(loss_of(shifted), shifted)
            g = f32(1.0 if fresh else self.gamma)
            self.psi = [(1 - g) * q + g * ((m - r) / alpha) for q, m, r in zip(self.psi, moved, raw)]
        return torch.sqrt(torch.stack([(q ** 2).sum() for q in self.psi]).sum()).item()

    def decide(self, loss, facts):
        lam = facts.get("lambda_max", math.nan) if facts else math.nan
        if not (lam > 0) or not math.isfinite(lam):
            return self._set(self.lr)
        return self._set(min(max(self.factor / lam, self.min_lr), self.max_lr))`,
  vSGD: PER_WEIGHT_PY,
  SDLM: PER_WEIGHT_PY,
  ArmijoLineSearch: `class ArmijoLineSearch(_Rule):
    """Armijo backtracking (Nocedal & Wright, Alg. 3.1): lr = eta0 * beta^k for the first k with
    f(x - lr g) <= f(x) - c lr |g|^2, tried on the step's batch; if none passes, the smallest trial."""

    def __init__(self, optimizer, eta0=1.0, beta=0.5, c=1e-4, max_backtracks=20):
        self.eta0, self.beta, self.c, self.max_backtracks = eta0, beta, c, max_backtracks
        super().__init__(optimizer, eta0)

    def candidates(self):
        return [self.eta0 * self.beta ** k for k in range(self.max_backtracks)]

    def decide(self, loss, facts):
        cands = self.candidates()
        g2 = facts["grad_sq"] if facts else math.nan
        trials = facts.get("line", []) if facts else []
        k = next((i for i, eta in enumerate(cands) if i < len(trials) and trials[i] <= loss - self.c * eta * g2), -1)
        return self._set(cands[k])`,
  ExactLineSearch: `class ExactLineSearch(_Rule):
    """'Exact' line search: the lr of a log-spaced grid that minimises f(x - lr g) on the step's batch; no step
    (lr = 0) when no grid point lowers the loss."""

    def __init__(self, optimizer, eta_min=1e-4, eta_max=10.0, points=40):
        self.eta_min, self.eta_max, self.points = eta_min, eta_max, points
        super().__init__(optimizer, eta_min)

    def candidates(self):
        lo, hi, n = math.log(self.eta_min), math.log(max(self.eta_max, self.eta_min)), self.points
        return [math.exp(lo + (hi - lo) * i / (n - 1)) for i in range(n)]

    def decide(self, loss, facts):
        cands = self.candidates()
        trials = facts.get("line", []) if facts else []
        k = -1
        for i in range(min(len(cands), len(trials))):
            if math.isfinite(trials[i]) and (k < 0 or trials[i] < trials[k]):
                k = i
        if k < 0 or not (trials[k] < loss):
            return self._set(0.0)
        return self._set(cands[k])`,
  DeltaBarDelta: `class DeltaBarDelta(torch.optim.Optimizer):
    """Delta-bar-delta (Jacobs 1988) as LR Lab runs it: each weight has its own LR e (starting at the base LR),
    e += kappa while dbar * g > 0, e -= phi * e when < 0; w -= e * (lr / base_lr) * g; dbar = (1 - theta) g + theta dbar.
    The group's LR scales every weight's rate, so a scheduler can still steer them."""

    def __init__(self, params, lr, kappa=1e-4, phi=0.1, theta=0.7):
        super().__init__(params, dict(lr=lr, base_lr=lr, kappa=kappa, phi=phi, theta=theta))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            rel = group["lr"] / group["base_lr"] if group["base_lr"] > 0 else 0.0
            kappa, phi, theta = group["kappa"], group["phi"], group["theta"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g, state = p.grad, self.state[p]
                if not state:
                    state["e"] = torch.full_like(p, group["base_lr"])
                    state["dbar"] = torch.zeros_like(p)
                agree = state["dbar"] * g
                state["e"].add_((agree > 0).float() * kappa - (agree < 0).float() * (phi * state["e"]))
                state["dbar"] = (1 - theta) * g + theta * state["dbar"]
                p.sub_(state["e"] * rel * g)`,
};

/** Whether a run trains with a schedule-free optimizer (its file then needs the schedule-free classes). */
const trainsScheduleFree = (r: RunConfig) =>
  !!r.sf || r.scheduler.scheduler === "ScheduleFree" || r.scheduler.scheduler === "ScheduleFreePolyak";

/** The Python of one run: make_run_<i>(params) → (optimizer, scheduler, how it is stepped). */
function runFunction(e: Experiment, r: RunConfig, i: number): string[] {
  if (r.scheduler.scheduler === "ScheduleFree") return scheduleFreeRun(r, i);
  if (RACE_RULES.has(r.scheduler.scheduler)) return ruleRun(e, r, i);
  const spec = getSpec(r.scheduler.scheduler);
  // LR Lab's plain SGD and schedule-free runs have no momentum to cycle (it ignores a scheduler's cycling for
  // them); PyTorch would cycle SGD's momentum into being. The LRs are the same without it.
  const noCycle = cyclesMomentum(r) && (r.sf || e.optimizer === "sgd");
  const cfg = noCycle
    ? { ...r.scheduler, params: { ...r.scheduler.params, cycle_momentum: false } }
    : r.scheduler;
  const b = builder(cfg);
  if (!b) throw new Error(`${spec.label} has no PyTorch export`);
  const opt = r.sf
    ? r.sf.variant === "adamw"
      ? `ScheduleFreeAdamW(params, lr=BASE_LR, betas=(${py(r.sf.beta)}, 0.999), averaging=${py(r.sf.averaging)})`
      : `ScheduleFreeSGD(params, lr=BASE_LR, beta=${py(r.sf.beta)}, averaging=${py(r.sf.averaging)})`
    : OPTIMIZER_PY[e.optimizer](e);
  return [
    `def make_run_${i}(params):`,
    `    """${r.name}: ${spec.label}${r.sf ? ` driving schedule-free ${r.sf.variant === "adamw" ? "AdamW" : "SGD"}` : ""}."""`,
    `    optimizer = ${opt}`,
    ...(noCycle
      ? ["    # cycle_momentum=False: LR Lab's run has no momentum to cycle (the LRs are the same)."]
      : []),
    "",
    "    def make_scheduler(optimizer):",
    ...b.lines.map((l) => (l ? `        ${l}` : l)),
    "",
    `    return optimizer, make_scheduler(optimizer), ${b.metric ? '"metric"' : '"plain"'}`,
  ];
}

function runsSection(e: Experiment): Section {
  const classes = new Map<string, string[]>();
  e.runs.forEach((r) => {
    const b = builder(r.scheduler);
    if (b?.preamble.length) classes.set(r.scheduler.scheduler, b.preamble);
  });
  const sf = e.runs.some(trainsScheduleFree);
  const rules = [...new Set(e.runs.map((r) => r.scheduler.scheduler).filter((id) => id in RULES_PY))];
  const rulesPy = rules.length ? [RULES_PY.common, ...rules.map((id) => RULES_PY[id])].join("\n\n\n") : "";
  const preamble = [...classes.values()].flatMap((p, k) => (k === 0 ? p : p.slice(4)));
  const table = e.runs.map(
    (r, i) => `    {"name": ${JSON.stringify(r.name)}, "color": ${py(r.color)}, "make": make_run_${i}},`,
  );
  return {
    md: lines(
      "## The runs",
      "",
      "Each run is an optimizer and its scheduler, the same as LR Lab's export of that scheduler; loss-driven schedulers are stepped with the step's loss.",
      "",
      ...e.runs.map((r) => `- **${r.name}**: ${getSpec(r.scheduler.scheduler).label}`),
    ),
    code: lines(
      ...preamble,
      ...(sf ? [SF_PYTHON, "", ""] : []),
      ...(rulesPy ? [rulesPy, "", ""] : []),
      ...e.runs.flatMap((r, i) => [...runFunction(e, r, i), "", ""]),
      "RUNS = [",
      ...table,
      "]",
    ),
  };
}

const NOISE = `def f32(v):
    """v rounded to float32, as LR Lab stores it."""
    return ctypes.c_float(v).value


class Noise:
    """The GreedyLR paper's noise as LR Lab draws it (src/train/noise.ts): one shared stream of draws per step,
    eta scaled by each run's own previous clean loss."""

    def __init__(self, seed, kind, strength):
        self.kind, self.strength = kind, strength
        rand = mulberry32(sub_seed(seed, 4))
        self.rand, self.draws = rand, []

    def _gauss(self):
        u = 1 - self.rand()
        v = self.rand()
        return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)

    def draw(self, t):
        while len(self.draws) <= t:
            z = self._gauss()
            fire = self.rand() < 0.02
            self.draws.append((z, fire, 0.5 + 1.5 * self.rand()))
        return self.draws[t]

    def eta(self, t, history):
        """eta of one run at step t; history holds its clean losses before t (at most 8, oldest first)."""
        s, kind = self.strength, self.kind
        if kind == "clean":
            return 0.0
        z, fire, u = self.draw(t)
        base = history[-1] if history and math.isfinite(history[-1]) else 1.0
        if kind == "gaussian":
            return z * s
        if kind == "periodic":
            return base * s if t % (50 + math.floor(50 * s)) < 3 and t >= 3 else 0.0
        if kind == "random":
            return base * s * u if fire else 0.0
        if len(history) < 5:  # adversarial: pushes back against recent progress
            return 0.0
        d = 2 * s * (history[-5] - history[-1])
        return d if d > 0 else 0.0


def _mash():
    n = 0xEFC8249D

    def mash(data):
        nonlocal n
        for ch in str(data):
            n += ord(ch)
            h = 0.02519603282416938 * n
            n = int(h) % 4294967296
            h -= n
            h *= n
            n = int(h) % 4294967296
            h -= n
            n += h * 4294967296
        return (int(n) % 4294967296) * 2.3283064365386963e-10

    return mash


def alea(seed):
    """seedrandom's Alea, which tf.randomNormal draws from: double arithmetic, bit for bit."""
    mash = _mash()
    s = [mash(" "), mash(" "), mash(" ")]
    for k in range(3):
        s[k] -= mash(seed)
        if s[k] < 0:
            s[k] += 1
    c = 1

    def rand():
        nonlocal c
        t = 2091639 * s[0] + c * 2.3283064365386963e-10
        s[0], s[1] = s[1], s[2]
        c = int(t)
        s[2] = t - c
        return s[2]

    return rand


def random_normal(shape, seed):
    """tf.randomNormal(shape, 0, 1, 'float32', seed): Marsaglia's polar method on Alea, as tfjs draws it."""
    rand, out = alea(str(seed)), []
    count = math.prod(shape)
    while len(out) < count:
        while True:
            v1, v2 = 2 * rand() - 1, 2 * rand() - 1
            s = v1 * v1 + v2 * v2
            if 0 < s < 1:
                break
        mul = math.sqrt(-2.0 * math.log(s) / s)
        out += [0 + 1 * v1 * mul, 0 + 1 * v2 * mul]
    return torch.tensor(out[:count], dtype=torch.float32).reshape(shape)


def random_uniform(shape, seed):
    """tf.randomUniform(shape, 0, 1, 'float32', seed): Alea's draws, stored as float32."""
    rand = alea(str(seed))
    return torch.tensor([rand() for _ in range(math.prod(shape))], dtype=torch.float32).reshape(shape)`;

function noiseSection(e: Experiment): Section {
  const n = e.noise;
  const where: Record<string, string> = {
    signal: "the scheduler sees loss + η; training is untouched",
    gradients: "every gradient of the run is scaled by (1 + η/base)",
    weights: "when η fires, the weights get a Gaussian shock of standard deviation 0.5·|η|/base",
    data: "when η fires, that step's labels move towards the wrong classes (regression: towards their negation)",
  };
  return {
    md:
      n.type === "clean"
        ? "## Noise\n\nNone: this race is clean. The generators below are what LR Lab uses when it is not."
        : `## Noise\n\n${n.type} noise of strength ${n.strength}, entering the **${n.target}**: ${where[n.target]}. The draws are LR Lab's.`,
    code: NOISE,
  };
}

function raceSection(e: Experiment, d: RaceData): Section {
  const sfRuns = e.runs.some(trainsScheduleFree);
  const seq = d.type === "sequence";
  return {
    md: "## The race\n\nEvery run takes each step on the same batch; a run whose loss stops being finite stops there (its later steps are null), the others go on. `race()` returns each run's loss and LR per step: the loss is the step's training loss (for a schedule-free run, at its average x, as LR Lab's loss chart shows).",
    code: lines(
      ...(sfRuns
        ? [
            "def _sf_x(optimizer, params):",
            '    """A schedule-free run\'s average x (its parameters hold y): x = y + (1 - 1/beta)(z - y)."""',
            "    group = optimizer.param_groups[0]",
            "    beta = optimizer._beta(group)",
            "    state = optimizer.state",
            '    return [p.detach().lerp(state[p]["z"], 1 - 1 / beta) if "z" in state[p] else p.detach() for p in params]',
            "",
            "",
          ]
        : []),
      "def _step_scheduler(scheduler, metric):",
      '    """scheduler.step(), with the loss for a loss-driven one. Past its schedule a OneCycleLR is not stepped:',
      '    LR Lab holds its last LR (PyTorch would extrapolate one step, then raise)."""',
      "    if isinstance(scheduler, lr_scheduler.OneCycleLR) and scheduler.last_epoch >= scheduler.total_steps - 1:",
      "        return",
      "    scheduler.step(metric) if metric is not None else scheduler.step()",
      "",
      "",
      "def race(steps=STEPS, progress=None):",
      '    """Train every run for `steps` steps; returns [{"name", "loss": [...], "lr": [...]}] (None = diverged)."""',
      "    batches = Batches(N, BATCH_SIZE, SEED) if N else None",
      '    noise = Noise(SEED, NOISE["type"], NOISE["strength"])',
      "    runs = []",
      "    for spec in RUNS:",
      "        params = new_params()",
      '        optimizer, scheduler, mode = spec["make"](params)',
      '        runs.append(dict(name=spec["name"], params=params, optimizer=optimizer, scheduler=scheduler, mode=mode,',
      "                         history=[], diverged=False, loss=[], lr=[], prev=None))",
      "    for t in range(steps):",
      "        idx = batches.next() if batches else None",
      seq
        ? "        xb, yb = (X[idx], F.one_hot(Y[idx].reshape(-1), len(VOCAB)).float()) if batches else (None, None)"
        : "        xb, yb = (X[idx], Y[idx]) if batches else (None, None)",
      '        etas = [noise.eta(t, run["history"]) for run in runs]',
      "        etas = [f32(v) for v in etas]",
      "        fired = any(v != 0 for v in etas)",
      "        for i, run in enumerate(runs):",
      '            if run["diverged"]:',
      '                run["loss"].append(None)',
      '                run["lr"].append(None)',
      "                continue",
      '            params, optimizer = run["params"], run["optimizer"]',
      '            base = run["history"][-1] if run["history"] else 1.0',
      "            base = base if math.isfinite(base) and base > 0 else 1.0",
      "            rel = f32(etas[i] / base)",
      '            if fired and NOISE["target"] == "weights":',
      "                with torch.no_grad():",
      "                    sigma = f32(0.5 * abs(rel))",
      "                    for k, p in enumerate(params):",
      "                        p.add_(random_normal(list(p.shape), (sub_seed(SEED, 1000 + t) + k)) * sigma)",
      "            y_run = yb",
      '            if fired and NOISE["target"] == "data" and yb is not None:',
      '                m = f32(min(1, NOISE["strength"]) if rel != 0 else 0)',
      d.type === "regression"
        ? "                y_run = yb * (1 - 2 * torch.tensor(m))"
        : "                y_run = yb + m * ((1 - yb) / (yb.shape[-1] - 1) - yb)",
      '            lr = optimizer.param_groups[0]["lr"]',
      "            loss = loss_fn(params, xb, y_run)",
      "            clean = loss.item()",
      ...(sfRuns
        ? [
            "            shown = clean",
            "            if isinstance(optimizer, _ScheduleFreeBase):",
            "                with torch.no_grad():",
            "                    shown = loss_fn(_sf_x(optimizer, params), xb, y_run).item()",
          ]
        : ["            shown = clean"]),
      '            run["history"] = (run["history"] + [clean])[-8:]',
      '            seen = clean + etas[i] if NOISE["target"] == "signal" else clean',
      '            before = run["mode"] == "before"  # a rule that decides this step\'s LR from its gradient facts',
      "            if not (math.isfinite(clean) and math.isfinite(shown)):",
      '                run["lr"].append(0.0 if run["mode"] == "self" else run["scheduler"].decide(seen, None) if before else lr)',
      '                run["diverged"] = True',
      '                run["loss"].append(None)',
      "                continue",
      '            run["loss"].append(shown)',
      "            optimizer.zero_grad()",
      "            loss.backward()",
      '            needs_raw = run["mode"] == "perweight" or getattr(run["scheduler"], "needs_power", False)',
      "            raw = [p.grad.clone() for p in params] if needs_raw else None  # before any gradient noise",
      '            if fired and NOISE["target"] == "gradients":',
      "                for p in params:",
      "                    p.grad.mul_(f32(1 + rel))",
      "            if before:",
      '                facts = gradient_facts(params, run["prev"])',
      '                if getattr(run["scheduler"], "needs_probe", False):  # s = probe g; y = grad(x + s) - grad(x), same batch',
      '                    probe = f32(run["scheduler"].probe)',
      "                    s = [probe * p.grad for p in params]",
      "                    shifted = [(p.detach() + si).requires_grad_() for p, si in zip(params, s)]",
      "                    moved = torch.autograd.grad(loss_fn(shifted, xb, y_run), shifted)",
      '                    facts["sy"] = torch.stack([(si * (gm - p.grad)).sum() for si, gm, p in zip(s, moved, params)]).sum().item()',
      '                    facts["ss"] = torch.stack([(si ** 2).sum() for si in s]).sum().item()',
      '                if getattr(run["scheduler"], "needs_power", False):  # lambda_max by the running power method, same batch',
      '                    facts["lambda_max"] = run["scheduler"].power(params, raw, lambda ps: loss_fn(ps, xb, y_run))',
      '                if hasattr(run["scheduler"], "candidates"):  # a line search: the loss at each trial step, same batch',
      "                    with torch.no_grad():",
      '                        facts["line"] = [loss_fn([p.detach() - f32(eta) * p.grad for p in params], xb, y_run).item()',
      '                                         for eta in run["scheduler"].candidates()]',
      '                lr = run["scheduler"].decide(seen, facts)',
      '                run["prev"] = ([p.detach().clone() for p in params], [p.grad.clone() for p in params])',
      '            if run["mode"] == "perweight":  # vSGD, SDLM: per-weight LRs from a curvature estimate, one more gradient',
      '                run["lr"].append(optimizer.step_with(params, raw, lambda ps: loss_fn(ps, xb, y_run), t))',
      "                continue",
      '            if run["mode"] == "self":  # the optimizer sets its own step from the loss (the schedule-free Polyak step)',
      "                optimizer.step(loss=seen)",
      '                run["lr"].append(optimizer.param_groups[0]["lr"])',
      "                continue",
      '            run["lr"].append(lr)',
      "            optimizer.step()",
      "            if not before:",
      '                _step_scheduler(run["scheduler"], seen if run["mode"] == "metric" else None)',
      "        if progress and (t % max(1, steps // 10) == 0 or t == steps - 1):",
      "            progress(t, runs)",
      '    return [{"name": run["name"], "loss": run["loss"], "lr": run["lr"]} for run in runs]',
    ),
  };
}

function plotSection(e: Experiment): Section {
  return {
    md: "## The plot\n\nLoss and LR per run, like LR Lab's charts (matplotlib, if it is installed).",
    code: lines(
      "def plot(results, path=None):",
      '    """Loss and LR per run (needs matplotlib); saved to `path` if given, else shown."""',
      "    try:",
      "        import matplotlib.pyplot as plt",
      "    except ImportError:",
      '        print("matplotlib is not installed: pip install matplotlib to see the plot", file=sys.stderr)',
      "        return",
      "    fig, (ax_loss, ax_lr) = plt.subplots(1, 2, figsize=(11, 4))",
      "    for spec, res in zip(RUNS, results):",
      '        steps = range(len(res["loss"]))',
      '        ax_loss.plot(steps, [math.nan if v is None else v for v in res["loss"]], color=spec["color"], label=res["name"])',
      '        ax_lr.plot(steps, [math.nan if v is None else v for v in res["lr"]], color=spec["color"], label=res["name"])',
      `    ax_loss.set(title="Loss", xlabel="step", yscale=${py(e.view.logLoss ? "log" : "linear")})`,
      `    ax_lr.set(title="Learning rate", xlabel="step", yscale=${py(e.view.logLr ? "log" : "linear")})`,
      "    ax_loss.legend()",
      "    fig.tight_layout()",
      "    if path:",
      "        fig.savefig(path)",
      "    else:",
      "        plt.show()",
    ),
  };
}

const MAIN = `def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS, help="steps to train (default: the experiment's)")
    parser.add_argument("--json", action="store_true", help='print {"runs": [...]} as npm run race does')
    parser.add_argument("--plot", metavar="FILE", help="save the plot to FILE instead of showing it")
    args = parser.parse_args(argv)

    def progress(t, runs):
        cells = []
        for run in runs:
            loss, lr = run["loss"][-1], run["lr"][-1]
            cells.append(f"{run['name']}: " + ("diverged" if loss is None else f"loss {loss:.4g}, lr {lr:.3g}"))
        print(f"step {t}: " + " | ".join(cells), file=sys.stderr if args.json else sys.stdout)

    results = race(args.steps, progress)
    if args.json:
        print(json.dumps({"runs": results}))
    else:
        plot(results, args.plot)


if __name__ == "__main__":
    main()`;

/** The file's sections in order (the script joins them; the notebook makes each a cell). */
export function raceSections(
  e: Experiment,
  d: RaceData,
): { title: string; intro: string; sections: Section[] } {
  const problems = raceRefusals(e);
  if (problems.length) throw new Error(`this race cannot be exported to PyTorch: ${problems.join("; ")}`);
  const lesson = e.view.lesson ? lessonById(e.view.lesson) : undefined;
  const names = e.runs.map((r) => r.name).join(" vs ");
  const title = lesson ? `LR Lab: ${lesson.title}` : `LR Lab race: ${names}`;
  const intro = lines(
    `${names} on ${TASK_LABELS[e.task.kind]}, ${e.steps} steps, base LR ${e.baseLr}, batch ${e.batchSize}, seed ${e.seed}.`,
    "Every run starts from the same weights and sees the same batches: the scheduler is the only difference.",
    `This reproduces LR Lab's race step by step (float32 rounding apart). ${TESTED_TORCH}`,
  );
  const settings: Section = {
    code: lines(
      "import argparse",
      "import base64",
      "import ctypes",
      "import json",
      "import math",
      "import sys",
      "",
      "import torch",
      "import torch.nn.functional as F",
      "from torch.optim import lr_scheduler",
      "",
      `STEPS = ${e.steps}`,
      `SEED = ${e.seed}`,
      `BASE_LR = ${py(e.baseLr)}`,
      `BATCH_SIZE = ${e.batchSize}`,
      `NOISE = {"type": ${py(e.noise.type)}, "strength": ${py(e.noise.strength)}, "target": ${py(e.noise.target)}}`,
      `EXPERIMENT = ${JSON.stringify(JSON.stringify(e))}  # LR Lab's experiment, as JSON`,
      "torch.set_num_threads(1)  # one thread: the sums of a float32 matmul keep one order",
    ),
  };
  const lessonMd = lesson
    ? {
        md: lines(
          `## The lesson: ${lesson.title}`,
          "",
          lesson.summary,
          "",
          `**Watch:** ${lesson.watch}`,
          "",
          `**Question:** ${lesson.question}`,
          "",
          `**Next:** ${lesson.next}`,
        ),
      }
    : null;
  return {
    title,
    intro,
    sections: [
      { ...settings, md: lessonMd?.md },
      dataSection(e, d),
      {
        md: "## The batch order\n\nLR Lab's seeded generator, ported exactly: the same permutation every epoch.",
        code: RNG,
      },
      modelSection(e, d),
      runsSection(e),
      noiseSection(e),
      raceSection(e, d),
      plotSection(e),
    ],
  };
}

/** The race as one Python file: `python3 race.py` trains and plots; `--json` prints what `npm run race` prints. */
export function racePython(e: Experiment, d: RaceData): string {
  const { title, intro, sections } = raceSections(e, d);
  return `${[
    `"""${title}\n\n${intro}\n\nRun: python3 race.py [--steps N] [--json] [--plot race.png]\n"""`,
    ...sections.map((s) => s.code),
    MAIN,
  ].join("\n\n\n")}\n`;
}

/** The same code as a Jupyter notebook (nbformat 4.5): the lesson and each part's explanation in Markdown. */
export function raceNotebook(e: Experiment, d: RaceData): string {
  const { title, intro, sections } = raceSections(e, d);
  let id = 0;
  const src = (s: string) => s.split("\n").map((l, i, a) => (i < a.length - 1 ? `${l}\n` : l));
  const md = (s: string) => ({ cell_type: "markdown", id: `cell-${id++}`, metadata: {}, source: src(s) });
  const code = (s: string) => ({
    cell_type: "code",
    execution_count: null,
    id: `cell-${id++}`,
    metadata: {},
    outputs: [],
    source: src(s),
  });
  const cells = [md(`# ${title}\n\n${intro}`)];
  for (const s of sections) {
    if (s.md) cells.push(md(s.md));
    cells.push(code(s.code.replace("__doc__.splitlines()[0]", JSON.stringify(title))));
  }
  cells.push(md("## Run it"), code("results = race(STEPS)\nplot(results)"));
  return `${JSON.stringify(
    {
      cells,
      metadata: {
        kernelspec: { display_name: "Python 3", language: "python", name: "python3" },
        language_info: { name: "python" },
      },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  )}\n`;
}
