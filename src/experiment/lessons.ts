/**
 * Lessons for class: each is a ready experiment (its share link carries `lesson=<id>`, so the text appears
 * beside the charts) with a short text — what to watch, one question for the students, what to change next.
 * Lessons hide the controls they do not need (a teacher can still show everything) and can carry a second
 * link for a contrast (`alt`).
 */
import { type Claim, type ClaimRace, claimsFor, lossNear, lrMoves } from "./claims";
import { type Experiment, experimentSchema, type HIDEABLE, RUN_COLORS } from "./config";
import { ANALYTIC_START, stabilityEdge } from "./tasks";
import { encodeExperiment } from "./url";

export interface Lesson {
  id: string;
  title: string;
  /** One line for the gallery card. */
  summary: string;
  watch: string;
  question: string;
  next: string;
  experiment: Experiment;
  /** A contrasting variant of the same experiment (e.g. the same noise entering elsewhere), with its own text. */
  alt?: { label: string; experiment: Experiment; watch: string; claims?: Claims };
  /**
   * Claims that compare the two races (the lesson's runs, then the alt link's, as one list): checked once both
   * have run, wherever the lesson's claims are checked.
   */
  joint?: Claims;
  /** What the text says about the runs, as predicates the tests check on every backend (see claims.ts). */
  claims?: Claims;
  /** Extra panels the lesson needs. */
  panels?: ("sums" | "formula")[];
  /** The run the internals and formula panels follow (default: the first run that is not a constant LR). */
  follow?: number;
  /**
   * Every control the text asks the class to change: a run parameter's key (the runs panel shows it beside
   * the charts) or one of QUICK_FIELDS (the lesson panel offers it, one field that applies on Enter).
   */
  controls: string[];
  /** Steps per second a teacher can narrate (null: as fast as it goes); see lessonPace for the default. */
  pace?: number | null;
}

type Hide = (typeof HIDEABLE)[number];

/** Experiment settings a lesson can offer in its own panel (keys of the URL table, validate.ts FIELDS). */
export const QUICK_FIELDS = ["lr", "steps", "task", "noise", "opt"] as const;
type Claims = (c: ReturnType<typeof claimsFor>) => Claim[];
const run = (name: string, i: number, scheduler: string, params: Record<string, unknown> = {}) => ({
  name,
  color: RUN_COLORS[i],
  scheduler: { scheduler, params },
});

function exp(id: string, e: Record<string, unknown>, hide: Hide[] = ["experiment"]): Experiment {
  const view = (e.view as Record<string, unknown> | undefined) ?? {};
  return experimentSchema.parse({ ...e, view: { hide, ...view, lesson: id } });
}

/** The held-out lesson's race on `samples` training digits: two constants, a step drop and cosine from 0.15. */
const heldOutRace = (samples: number) =>
  exp("held-out", {
    task: { kind: "mnist", samples },
    optimizer: "momentum",
    momentum: 0.9,
    baseLr: 0.15,
    batchSize: 32,
    steps: 600,
    runs: [
      run("Constant 0.15", 0, "Constant"),
      run("Constant 0.01", 1, "ConstantLR", { factor: 1 / 15, total_iters: 100000 }),
      run("Step ×0.1 at 300", 2, "StepLR", { step_size: 300, gamma: 0.1 }),
      run("Cosine", 3, "CosineAnnealingLR", { T_max: 600 }),
    ],
  });

/**
 * The convex-bound lesson's four schedules, all schedule-free SGD with the paper's schedulet averaging. Colours
 * blue, vermillion, black and sky blue: the palette's green and reddish purple look alike to a deuteranope, and
 * here each line has a dashed twin to tell apart.
 */
function convexBoundRuns(steps: number) {
  const sf = { variant: "sgd", averaging: "schedulet", beta: 0.9 };
  return [
    { ...run("Constant", 0, "Constant"), sf },
    {
      ...run("WSD", 1, "WSD", {
        num_warmup_steps: Math.round(steps * 0.05),
        num_stable_steps: Math.round(steps * 0.75),
        num_decay_steps: Math.round(steps * 0.2),
      }),
      sf,
    },
    { ...run("Cosine", 7, "CosineAnnealingLR", { T_max: steps }), sf },
    { ...run("Rising", 5, "LinearLR", { start_factor: 0.01, end_factor: 1, total_iters: steps }), sf },
  ];
}

/** Null when every run's loss stays at or below its convex bound wherever one is drawn; else the first break. */
function boundBroken(runs: ClaimRace["runs"]): string | null {
  for (const [k, r] of runs.entries()) {
    if (!r.bound?.length) return `run ${k} has no bound`;
    for (let i = 0; i < r.steps.length; i++)
      if (r.loss[i] > r.bound[i])
        return `run ${k} at step ${r.steps[i]}: loss ${r.loss[i]} > bound ${r.bound[i]}`;
  }
  return null;
}

/** The noise-recovery race; its two links differ only in where the spikes enter. */
const noiseRecovery = (target: "signal" | "gradients") =>
  exp("noise-recovery", {
    baseLr: 0.01,
    batchSize: 400,
    steps: 800,
    noise: { type: "periodic", strength: 2, target },
    runs: [
      run("GreedyLR", 1, "GreedyLR", { factor: 0.9, patience: 2, min_lr: 1e-4, max_lr: 0.03 }),
      run("Cosine", 0, "CosineAnnealingLR", { T_max: 800 }),
      run("Constant", 2, "Constant"),
    ],
  });

/** ReduceLROnPlateau against GreedyLR on a smooth (full-batch) fit; the contrast link starts ten times lower. */
const plateauVsGreedy = (baseLr: number) =>
  exp("plateau-vs-greedy", {
    task: { kind: "sine", samples: 200, noise: 0.1 },
    hidden: [64, 32],
    optimizer: "adam",
    baseLr,
    batchSize: 200,
    steps: 600,
    runs: [
      run("ReduceLROnPlateau", 0, "ReduceLROnPlateau", { factor: 0.5, patience: 20 }),
      run("GreedyLR", 1, "GreedyLR", { factor: 0.9, patience: 10, min_lr: 1e-4, max_lr: 0.1 }),
    ],
  });

/** A replay lesson: three GreedyLR settings on a bundled log (patience 10, patience 50, patience 10 smoothed). */
const replayLesson = (log: string) => {
  const g = { factor: 0.9, min_lr: 1e-7, max_lr: 2e-4 };
  return {
    baseLr: 2e-5,
    view: { replay: log },
    runs: [
      run("Patience 10", 1, "GreedyLR", { ...g, patience: 10 }),
      run("Patience 50", 0, "GreedyLR", { ...g, patience: 50 }),
      run("Patience 10, smoothed (50)", 2, "GreedyLR", { ...g, patience: 10, smooth: true, window_size: 50 }),
    ],
  };
};

/** Every lesson, as defined (LESSONS below is the course order). */
const DEFINED: readonly Lesson[] = [
  {
    id: "meet-greedylr",
    controls: ["factor", "max_lr", "patience"],
    title: "Meet GreedyLR",
    summary: "A scheduler that raises the LR while the loss improves and cuts it when it worsens.",
    watch:
      "Both runs start at the same cautious LR, 0.003, with the same weights and data. Every time the loss has improved for `patience` (10) steps in a row, GreedyLR divides its LR by F (↑ on the LR chart), up to its max_lr of 0.03; after `patience` worse steps it would multiply by F (↓). On this smooth full-batch loss it climbs, and learns several times faster than the constant LR. Turn on Explain and press Step to read each decision as it happens.",
    question:
      "The constant run uses the LR it was given for the whole run. What did GreedyLR find out about that LR, and from what signal?",
    next: "Drag F towards 0.5 while it runs: the jumps get bigger. Then raise max_lr to 0.3: GreedyLR keeps climbing until the loss blows up — “The F sweep” explains why.",
    experiment: exp(
      "meet-greedylr",
      {
        baseLr: 0.003,
        batchSize: 400,
        steps: 1000,
        runs: [
          run("Constant LR", 0, "Constant"),
          run("GreedyLR", 1, "GreedyLR", { factor: 0.9, patience: 10, min_lr: 1e-4, max_lr: 0.03 }),
        ],
      },
      ["experiment"],
    ),
    panels: ["formula"],
    claims: (c) => [c.noBlowUp(), c.lrClimbs(1, 5), c.belowAt(500, 1, 0, 0.5), c.endsBelow(1, 0, 0.5)],
  },
  {
    id: "lr-too-small-large",
    controls: ["task"],
    title: "LR too small, too large",
    summary:
      "Plain gradient descent on a 2-D bowl: crawl, converge fastest, zig-zag, explode — and where the edge is.",
    watch:
      "f(x₁, x₂) = ½(x₁² + 10·x₂²) has curvatures 1 and 10, so λ_max = 10 and gradient descent is stable only for η < 2/λ_max = 0.2: the dashed line on the LR chart. Every run above it diverges; every run below it converges. The fastest constant step is 2/(λ_min + λ_max) = 2/11 ≈ 0.18: it shrinks the error along both axes by the same factor, 0.82 per step. η = 0.19 converges more slowly, by 0.9 per step, and zig-zags across the valley. η = 0.21, above the line, blows up, and η = 0.02 crawls.",
    question:
      "Why does the run at η = 0.19 zig-zag across the valley, and why does the slightly larger η = 0.21 blow up instead?",
    next: "Pick Rosenbrock or the survey function as the task (in this panel): the dashed line now follows 2/λ_max at the selected run's point. Find the largest η that still converges.",
    experiment: exp("lr-too-small-large", {
      task: { kind: "quadratic" },
      optimizer: "sgd",
      baseLr: 0.21,
      steps: 120,
      runs: [
        run("η = 0.02 (too small)", 0, "ConstantLR", { factor: 0.02 / 0.21, total_iters: 100000 }),
        run("η = 0.18 (fastest)", 2, "ConstantLR", { factor: 2 / 11 / 0.21, total_iters: 100000 }),
        run("η = 0.19 (zig-zag)", 4, "ConstantLR", { factor: 0.19 / 0.21, total_iters: 100000 }),
        run("η = 0.21 (too large)", 1, "ConstantLR", { factor: 1, total_iters: 100000 }),
      ],
    }),
    claims: (c) => {
      /** The loss's per-step factor over steps 20..60: √(L₆₀/L₂₀)^(1/40), the error's contraction per step. */
      const rate = (r: { loss: readonly number[] }) => Math.sqrt(r.loss[60] / r.loss[20]) ** (1 / 40);
      return [
        c.blowsUp(3),
        c.noBlowUp([0, 1, 2]),
        c.that("every run above 2/λ_max = 0.2 diverges and every run below converges", ({ runs }) => {
          const bad = runs.flatMap((r, i) => {
            const above = r.lr[0] > 0.2;
            const grew =
              !Number.isFinite(r.loss.at(-1) ?? Number.NaN) || (r.loss.at(-1) as number) > r.loss[0];
            return above === grew ? [] : [`run ${i + 1} (η ${r.lr[0]})`];
          });
          return bad.length ? `not so for ${bad.join(", ")}` : null;
        }),
        c.that("η = 0.18 shrinks the error by 0.82 per step and η = 0.19 by 0.9 (within 1%)", ({ runs }) => {
          const a = rate(runs[1]);
          const b = rate(runs[2]);
          return Math.abs(a - 0.82) < 0.01 && Math.abs(b - 0.9) < 0.01 ? null : `measured ${a} and ${b}`;
        }),
        c.endsBelow(1, 2, 1e-3),
        c.endsBelow(2, 0, 1e-3),
        c.that("no converging run's final loss underflows float32 (all above 1e-30)", ({ runs }) => {
          const low = [0, 1, 2].filter((i) => !((lossNear(runs[i]) ?? 0) > 1e-30));
          return low.length ? `runs ${low.map((i) => i + 1).join(", ")} end at or below 1e-30` : null;
        }),
      ];
    },
  },
  {
    id: "step-exp-cosine",
    controls: ["gamma", "step_size"],
    title: "Step vs exponential vs cosine",
    summary: "Three classic decays from the same start, on mini-batch training with Adam.",
    watch:
      "All three start at 0.02 and train the spiral with Adam, 32 examples a batch. Step decay drops in two cliffs, to 0.006 at step 500 and 0.0018 at step 1000; exponential shrinks the LR by the same factor every step and ends at 0.0002; cosine follows half a cosine wave down to 0.",
    question:
      "Which run has the lowest loss at step 600, and which at the end? Why can these two answers differ?",
    next: "Switch StepLR's gamma to 0.1 and its step size to 300: does the first cliff come too early?",
    experiment: exp("step-exp-cosine", {
      baseLr: 0.02,
      batchSize: 32,
      steps: 1500,
      runs: [
        run("StepLR", 0, "StepLR", { step_size: 500, gamma: 0.3 }),
        run("Exponential", 1, "ExponentialLR", { gamma: 0.99693 }),
        run("Cosine", 2, "CosineAnnealingLR", { T_max: 1500 }),
      ],
    }),
    claims: (c) => [
      c.noBlowUp(),
      c.cuts(0, 2),
      c.endsBelow(2, 1),
      c.endsBelow(0, 1),
      c.that("the LRs end at 0.0018 (step), 0.0002 (exponential) and below 1e-6 (cosine)", ({ runs }) => {
        const end = runs.map((r) => r.lr[r.lr.length - 1]);
        const near = (x: number, y: number) => Math.abs(x - y) <= 0.02 * y;
        return near(end[0], 0.0018) && near(end[1], 0.0002) && end[2] < 1e-6
          ? null
          : `they end at ${end.join(", ")}`;
      }),
      c.that("StepLR is at 0.006 from step 500 to step 999", ({ runs }) => {
        const r = runs[0];
        const bad = r.steps.findIndex((t, i) => t >= 500 && t < 1000 && Math.abs(r.lr[i] - 0.006) > 1e-9);
        return bad < 0 ? null : `at step ${r.steps[bad]} it is ${r.lr[bad]}`;
      }),
    ],
  },
  {
    id: "warmup-charlm",
    controls: ["num_warmup_steps"],
    title: "Warmup for Adam on a char-level LM",
    summary:
      "A one-block transformer learns Shakespeare; a warmup tames Adam's first steps, even when the LR is the same afterwards.",
    watch:
      "Adam divides by a running estimate of the gradient's size; in the first steps that estimate rests on a handful of gradients, so every weight moves by about the full LR at once. At a high LR (0.03 here) the run without warmup falls behind in its first steps. The control, “Warmup 60, then constant”, ramps up over 60 steps and then uses exactly the no-warmup run's LR, 0.03: it is still ahead 200 steps later and at the end, so the gap comes from the first 60 steps alone. The other two warmup runs also decay after step 60. Read the sampled text below the charts as it turns from noise into words.",
    question:
      "From step 60 on, the control uses the same LR as the run without warmup. Why can the first 60 steps still matter 340 steps later?",
    next: "Shorten the control's warmup to 10 steps, then lengthen it to 200: where is the sweet spot for this model?",
    experiment: exp("warmup-charlm", {
      task: { kind: "charlm" },
      optimizer: "adam",
      baseLr: 0.03,
      batchSize: 8,
      steps: 400,
      runs: [
        run("No warmup", 1, "Constant"),
        run("Warmup 60, then constant", 3, "LinearLR", {
          start_factor: 1 / 60,
          end_factor: 1,
          total_iters: 60,
        }),
        run("Linear warmup 60 + decay", 0, "LinearWithWarmup", {
          num_warmup_steps: 60,
          num_training_steps: 400,
        }),
        run("Cosine warmup 60", 2, "CosineWithWarmup", { num_warmup_steps: 60, num_training_steps: 400 }),
      ],
    }),
    claims: (c) => [
      c.noBlowUp(),
      c.belowAt(200, 1, 0),
      c.endsBelow(1, 0),
      c.belowAt(200, 2, 0),
      c.belowAt(200, 3, 0),
      c.endsBelow(2, 0),
      c.endsBelow(3, 0),
    ],
  },
  {
    id: "decay-shape",
    controls: ["num_decay_steps"],
    title: "Decay shape at a fixed budget",
    summary:
      "Constant, cosine, linear and WSD with a short cooldown: the same warmup, the same 800 steps of a char-level LM with AdamW.",
    watch:
      "Four schedules share the budget (800 steps) and the warmup (the first 80 steps), then part ways: the constant run stays at 0.01; cosine and linear decay to 0 over the rest; WSD (warmup, stable, decay) stays at 0.01 like the constant run until step 680, then cools down to 0 over the last 120 steps, 15% of the budget. Every decay ends below the constant run, and linear and cosine end within a few percent of each other. WSD's loss is the constant run's until its cooldown, well above cosine's at step 680; then it catches up: it ends below cosine, within a few percent of linear.",
    question:
      "WSD spends 85% of the budget at the full LR and still ends below cosine. What does that say about when a decay does its work, and why do labs like WSD for runs whose length they do not know in advance?",
    next: "Move WSD's cooldown (num_decay_steps) to 40 or to 300 steps: how short can the cooldown be before WSD no longer catches up?",
    experiment: exp("decay-shape", {
      task: { kind: "charlm" },
      optimizer: "adamw",
      baseLr: 0.01,
      batchSize: 16,
      steps: 800,
      runs: [
        run("Constant (after warmup)", 0, "WSD", {
          num_warmup_steps: 80,
          num_stable_steps: 720,
          num_decay_steps: 0,
        }),
        run("Cosine", 1, "CosineWithWarmup", { num_warmup_steps: 80, num_training_steps: 800 }),
        run("Linear", 2, "LinearWithWarmup", { num_warmup_steps: 80, num_training_steps: 800 }),
        run("WSD, cooldown 120", 3, "WSD", {
          num_warmup_steps: 80,
          num_stable_steps: 600,
          num_decay_steps: 120,
        }),
      ],
    }),
    claims: (c) => [
      c.noBlowUp(),
      c.endsBelow(1, 0),
      c.endsBelow(2, 0),
      c.endsBelow(3, 0),
      c.near(2, 1, 0.06),
      c.belowAt(680, 1, 3, 0.97),
      c.endsBelow(3, 1),
      c.near(3, 2, 0.05),
    ],
  },
  {
    id: "onecycle",
    controls: ["max_lr"],
    title: "OneCycle: up, then all the way down",
    summary:
      "Leslie Smith's policy on MNIST digits with SGD + momentum: LR rises, momentum falls, then the reverse.",
    watch:
      "OneCycle warms the LR up to max_lr over 30% of the run while it lowers the momentum, then anneals the LR far below where it started while momentum returns (the panel “Inside the scheduler” shows OneCycle's momentum step by step). The task view shows held-out digits and each run's accuracy.",
    question: "Why lower the momentum while the LR is high? (Think of the effective step size η/(1 − β).)",
    next: "Raise OneCycle's max_lr to 0.5, then set the base LR to 0.5 for the constant run: which of the two survives that LR, and why?",
    experiment: exp("onecycle", {
      task: { kind: "mnist", samples: 2000 },
      optimizer: "momentum",
      momentum: 0.9,
      baseLr: 0.02,
      batchSize: 32,
      steps: 300,
      runs: [
        run("Constant 0.02", 0, "Constant"),
        run("OneCycle (max 0.2)", 1, "OneCycleLR", { max_lr: 0.2, total_steps: 300 }),
        run("Cosine", 2, "CosineAnnealingLR", { T_max: 300 }),
      ],
    }),
    claims: (c) => [c.noBlowUp(), c.endsBelow(1, 0), c.endsBelow(1, 2)],
  },
  {
    id: "find-the-lr",
    controls: ["max_lr"],
    title: "Find the LR, then ride one cycle",
    summary:
      "The LR range test, as fastai's lr_find runs it, suggests the LRs; OneCycle peaks at one of them and learns far faster than a constant LR.",
    watch:
      "Press Find the LR, then Run: a copy of this experiment (circles, full batch, SGD with momentum 0.9, the same initial weights) trains for 100 steps while its LR grows from 1e-5 to 10, and the chart shows its loss against the LR. Here fastai's valley suggestion lands near 0.009 and its minimum suggestion (the LR of the lowest loss, divided by 10) near 0.3. Close it and play the race: a constant LR of 0.0087 (the valley), OneCycle peaking at 0.33 (the minimum suggestion), and OneCycle peaking 100× higher, at 33. OneCycle at 0.33 reaches the constant LR's final loss within the first third of the run and ends more than 10× lower: the survey's super-convergence, in the form these runs show it. The one that peaks at 33 blows up.",
    question:
      "OneCycle peaks at an LR almost 40× the constant's and does not blow up. What does its warmup and its long decay give it that a constant LR at 0.33 would lack?",
    next: "In Find the LR, switch to torch-lr-finder and run it: where does its steepest-point suggestion land? Press “as max_lr of OneCycle 0.33” on another suggestion and watch the race restart.",
    experiment: exp("find-the-lr", {
      task: { kind: "circles", samples: 400, noise: 0.1 },
      optimizer: "momentum",
      momentum: 0.9,
      baseLr: 0.0087,
      batchSize: 400,
      steps: 600,
      runs: [
        run("Constant 0.0087 (valley)", 0, "Constant"),
        run("OneCycle 0.33", 1, "OneCycleLR", { max_lr: 0.33, total_steps: 600 }),
        run("OneCycle 33 (too large)", 2, "OneCycleLR", { max_lr: 33, total_steps: 600 }),
      ],
      view: { range: { flavor: "fastai", params: { start_lr: 1e-5, end_lr: 10, num_it: 100 }, open: false } },
    }),
    claims: (c) => [
      // "near 0.009" and "near 0.3": one iteration of the test either side (its LRs are 1.15× apart).
      c.rangeSuggests("valley", 0.0075, 0.0115),
      c.rangeSuggests("minimum", 0.28, 0.4),
      c.noBlowUp([0, 1]),
      c.reachesBy(1, 0, 200),
      c.endsBelow(1, 0, 0.1),
      c.blowsUp(2, Number.POSITIVE_INFINITY, 10),
      c.endsBelow(0, 2, 0.5),
    ],
  },
  {
    id: "warm-restarts",
    controls: ["T_mult"],
    title: "Warm restarts",
    summary: "Cosine annealing that jumps back up: SGDR with doubling periods.",
    watch:
      "CosineAnnealingWarmRestarts anneals over T₀ = 150 steps, restarts at the base LR, then anneals over 300, then 600 (T_mult = 2). After each restart (⟲ on the LR chart) the high LR undoes part of what the annealing won: 140 steps after the first and after the second restart the run is well behind plain cosine. In its last, longest period it catches up and ends slightly below it.",
    question:
      "What does a restart buy, if the run falls behind plain cosine after each one? When would plain cosine be the better choice?",
    next: "Set T_mult to 1 (equal periods) and compare the final loss with plain cosine.",
    experiment: exp("warm-restarts", {
      baseLr: 0.03,
      batchSize: 64,
      steps: 1050,
      runs: [
        run("Cosine", 0, "CosineAnnealingLR", { T_max: 1050 }),
        run("Warm restarts", 1, "CosineAnnealingWarmRestarts", { T_0: 150, T_mult: 2 }),
      ],
    }),
    claims: (c) => [
      c.noBlowUp(),
      c.raises(1, 2),
      c.belowAt(290, 0, 1, 0.9),
      c.belowAt(590, 0, 1, 0.8),
      c.endsBelow(1, 0),
    ],
  },
  {
    id: "plateau-vs-greedy",
    controls: ["cooldown", "lr"],
    title: "ReduceLROnPlateau vs GreedyLR",
    summary: "Both watch the loss; only one of them ever raises the LR.",
    watch:
      "A sine curve fitted with Adam on the full batch. ReduceLROnPlateau halves the LR when the loss has not improved for `patience` (20) steps — and never raises it: once the fit reaches the noise in the data, it cuts, and stays low. GreedyLR also cuts after 10 worse steps, but raises the LR after 10 improving steps, so its LR goes both ways. The internals panel shows both runs' counters side by side.",
    question:
      "If the LR starts too low, which scheduler can recover from that mistake? Open “Start too low” (the link below), or set the base LR in this panel yourself.",
    next: "Give GreedyLR a cooldown of 10 steps: for 10 steps after each cut it stops counting worse steps (improving steps still count). What changes on the LR chart?",
    experiment: plateauVsGreedy(0.01),
    alt: {
      label: "Start too low (LR 0.001)",
      experiment: plateauVsGreedy(0.001),
      watch:
        "The same two schedulers, now starting ten times lower, at 0.001. ReduceLROnPlateau can only go down from there, so it crawls; GreedyLR's LR climbs on every run of improving steps, and its loss is about half the other's by step 200.",
      claims: (c) => [c.noBlowUp(), c.raises(0, 0), c.lrClimbs(1, 4), c.belowAt(200, 1, 0, 0.7)],
    },
    panels: ["formula"],
    follow: 1,
    claims: (c) => [c.noBlowUp(), c.cuts(0, 1), c.raises(0, 0), c.raises(1, 5), c.cuts(1, 5)],
  },
  {
    id: "f-sweep",
    controls: [],
    title: "The F sweep",
    summary: "GreedyLR with F = 0.25, 0.5, 0.75, 0.99 — the paper's stability experiment.",
    watch:
      "The paper reports F ≥ 0.5 stable and F = 0.25 diverging. With F = 0.25 every increase multiplies the LR by 4: with patience 10, 22 improving steps in a row make two increases, and the LR is 16× larger. Watch the LR chart (log scale) and whether the loss follows.",
    question: "Why is a small F dangerous in both directions — when it raises and when it cuts?",
    next: "Press “Replicate the paper” (top of the page) to run this sweep over 5 seeds and compare with the paper's table.",
    experiment: exp("f-sweep", {
      task: { kind: "sine", samples: 200, noise: 0.1 },
      hidden: [64, 32],
      optimizer: "adam",
      baseLr: 0.01,
      batchSize: 200,
      steps: 200,
      view: { logLr: true },
      runs: [0.25, 0.5, 0.75, 0.99].map((f, i) =>
        run(`F = ${f}`, [1, 4, 2, 0][i], "GreedyLR", { factor: f, min_lr: 1e-5, max_lr: 1 }),
      ),
    }),
    claims: (c) => [
      c.blowsUp(0),
      c.noBlowUp([1, 2, 3]),
      c.that("F = 0.25's LR reaches 16× its start", ({ runs }) => {
        const lr = runs[0].lr;
        const top = Math.max(...lr.filter(Number.isFinite));
        return top >= 16 * lr[0] * (1 - 1e-9) ? null : `it peaks at ${top / lr[0]}× its start`;
      }),
    ],
  },
  {
    id: "noise-recovery",
    controls: ["noise", "smooth", "window_size"],
    title: "Noise recovery: gradients vs the scheduler's signal",
    summary: "The same loss spikes, entering in two places — only one of them is a real disturbance.",
    watch:
      "Every 150 steps a spike hits for 3 steps: twice the last loss is added, so the scheduler sees about 3× the loss. In this link it is added only to the loss the scheduler sees: the weights are untouched, so only loss-watching schedulers react — GreedyLR (patience 2) counts three worse steps and cuts its LR at every spike, then climbs back; the time-based cosine does not notice. The recovery panel aligns the loss after every spike. (The GreedyLR paper's code added its noise where it changed nothing at all — a constant added to the loss before backward(): no gradient, no scheduler signal and no logged curve saw it.)",
    question:
      "With spikes in the signal, what does GreedyLR's reaction cost it? Now open the gradient version: why is recovery a fairer test there?",
    next: "Switch the noise type to random spikes (in this panel), then turn on GreedyLR's smooth and set its window to 5: does it still react to single spikes?",
    experiment: noiseRecovery("signal"),
    claims: (c) => [
      c.noBlowUp(),
      c.cutsAfterSpikes(0, "every"),
      c.that(
        "after every spike GreedyLR's LR climbs back to where it was before it, before the next spike",
        ({ runs, onsets }) => {
          const lr = runs[0].lr;
          if (!onsets.length) return "no spike happened";
          for (const [k, o] of onsets.entries()) {
            const next = onsets[k + 1] ?? lr.length;
            if (!(lr[next - 1] >= lr[o - 1] * (1 - 1e-9)))
              return `after the spike at ${o}: ${lr[o - 1]} → ${lr[next - 1]}`;
          }
          return null;
        },
      ),
      c.kick(0, 0, { max: 1.1 }),
      c.kick(2, 0, { max: 1.1 }),
    ],
    alt: {
      label: "Same spikes into the gradients",
      experiment: noiseRecovery("gradients"),
      watch:
        "The same spikes, now multiplying every gradient for 3 steps. The optimizer is Adam, which divides by the gradient's running scale: the first spike (step 150) kicks GreedyLR's loss up by a third — it runs at a raised LR — and it cuts; the slower runs barely move, and later spikes are normalised away. In the recovery panel, compare how fast each run gets back below 1.1× its loss before a spike. Here GreedyLR reacts to a real disturbance, not to a number only it can see.",
      claims: (c) => [
        c.noBlowUp(),
        c.kick(0, 0, { min: 1.2 }),
        c.cutsAfterSpikes(0, "first"),
        c.kick(0, "last", { max: 1.1 }),
      ],
    },
  },
  {
    id: "batch-size",
    controls: ["lr"],
    title: "Batch size and the LR: linear scaling",
    summary:
      "Eight times the batch, eight times the LR (Goyal et al. 2017), on MNIST digits: without the scaling training lags, without a warmup it jumps.",
    watch:
      "MNIST digits, SGD with momentum 0.9. A batch of 256 averages 8 times as many examples per step as a batch of 32, so the linear scaling rule multiplies the LR by 8: 0.05 at batch 32 becomes 0.4. All three runs here train at batch 256 for 100 steps, the same 25 600 examples that batch 32 sees in 800 steps (open the batch-32 link to compare). Kept at 0.05, the unscaled run lags: it ends more than 5 times higher than the scaled run with a warmup. At 0.4 from the first step, the loss jumps above 1.4 times where it started before it recovers. Ramped up over the first 20 steps, 0.4 never rises above its first loss, and it ends within 0.03 of the batch-32 run's loss.",
    question:
      "Both the warmed-up run and batch 32 add up to the same total LR over the run (0.4 × 100 = 0.05 × 800). Why does the big batch need the warmup and the small batch not?",
    next: "Set the base LR to 0.2 (every run scales with it: half the scaled LR) and play again: does the run without a warmup still jump?",
    experiment: exp("batch-size", {
      task: { kind: "mnist", samples: 2000 },
      optimizer: "momentum",
      momentum: 0.9,
      baseLr: 0.4,
      batchSize: 256,
      steps: 100,
      runs: [
        run("LR 0.05 (unscaled)", 0, "ConstantLR", { factor: 0.125, total_iters: 100000 }),
        run("LR 0.4, no warmup", 1, "Constant"),
        run("LR 0.4, warmup 20", 2, "LinearLR", { start_factor: 0.05, end_factor: 1, total_iters: 20 }),
      ],
    }),
    claims: (c) => [
      c.noBlowUp([0, 2]),
      c.that(
        "LR 0.4 without warmup rises above 1.4 × its first loss within the first 20 steps",
        ({ runs }) => {
          const l = runs[1].loss;
          const top = Math.max(...l.slice(0, 20));
          return top > 1.4 * l[0] ? null : `its peak over steps 0–19 is ${top}, its first ${l[0]}`;
        },
      ),
      c.that("LR 0.4 with warmup never rises above its first loss (to 1%)", ({ runs }) => {
        const l = runs[2].loss;
        const top = Math.max(...l);
        return top <= 1.01 * l[0] ? null : `it peaks at ${top}, from ${l[0]}`;
      }),
      c.endsBelow(2, 0, 0.2),
    ],
    alt: {
      label: "batch 32",
      watch:
        "Batch 32 at LR 0.05 for 800 steps: the same 25 600 examples the batch-256 runs see in 100 steps. Compare its final loss with the warmed-up run at LR 0.4 in the first link.",
      experiment: exp("batch-size", {
        task: { kind: "mnist", samples: 2000 },
        optimizer: "momentum",
        momentum: 0.9,
        baseLr: 0.05,
        batchSize: 32,
        steps: 800,
        runs: [run("batch 32, LR 0.05", 3, "Constant")],
      }),
      claims: (c) => [c.noBlowUp()],
    },
    joint: (c) => [
      c.that("at batch 256, LR 0.4 with warmup ends within 0.03 of batch 32 at LR 0.05", ({ runs }) => {
        const [a, b] = [lossNear(runs[2]), lossNear(runs[3])];
        return a !== null && b !== null && Math.abs(a - b) < 0.03 ? null : `${a} against ${b}`;
      }),
    ],
  },
  {
    id: "held-out",
    controls: [],
    title: "Lower training loss is not a better model",
    summary:
      "MNIST with only 300 training digits: every schedule all but memorises them, and the held-out digits, not the training loss, say which model is better.",
    watch:
      "MNIST digits, SGD with momentum 0.9, batch 32, 600 steps, but only 300 training digits, so each is seen 64 times. Four schedules: two constant LRs (0.15 and 0.01), a step drop to a tenth at step 300, and cosine from 0.15. Every run ends with a training loss (the mean of its last 50 batches) below 0.02: the model has all but memorised its 300 digits. None classifies 90% of the 500 held-out digits correctly (the digits view shows each run's accuracy). Constant 0.01 ends with more than 20 times the training loss of every other run, yet its held-out accuracy is within 2.5 points of the best. The training loss says how well a model fits the digits it has seen; only digits it has never seen say how good it is. Open the 2000-digit link: the same Constant 0.01 ends with a training loss more than 5 times higher, and classifies more than 5 points more of the held-out digits.",
    question:
      "Three of these runs end with a training loss more than 20 times lower than Constant 0.01's. What did that extra fitting buy on the held-out digits, and why?",
    next: "Show all controls, set the digits to 1000 under Experiment and play again: which moves more, the training loss or the held-out accuracy?",
    experiment: heldOutRace(300),
    claims: (c) => [
      c.that("every run ends with a training loss below 0.02 (mean of its last 50 batches)", ({ runs }) => {
        const ends = runs.map((r) => lossNear(r, Number.POSITIVE_INFINITY, 50));
        return ends.every((x) => x !== null && x < 0.02) ? null : `they end at ${ends.join(", ")}`;
      }),
      c.that("every run classifies fewer than 90% of the held-out digits", ({ runs }) => {
        const acc = runs.map((r) => r.accuracy);
        return acc.every((a) => a !== undefined && a < 0.9) ? null : `accuracies ${acc.join(", ")}`;
      }),
      c.that(
        "Constant 0.01 ends with more than 20 times the training loss of every other run",
        ({ runs }) => {
          const ends = runs.map((r) => lossNear(r, Number.POSITIVE_INFINITY, 50) ?? Number.NaN);
          return [0, 2, 3].every((k) => ends[1] > 20 * ends[k]) ? null : `they end at ${ends.join(", ")}`;
        },
      ),
      c.that("Constant 0.01's held-out accuracy is within 2.5 points of the best run's", ({ runs }) => {
        const acc = runs.map((r) => r.accuracy ?? Number.NaN);
        return Math.max(...acc) - acc[1] < 0.025 ? null : `accuracies ${acc.join(", ")}`;
      }),
    ],
    alt: {
      label: "2000 training digits",
      watch:
        "The same four schedules with 2000 training digits, each seen about 10 times. Compare Constant 0.01 with the first link: its training loss ends more than 5 times higher, and its held-out accuracy more than 5 points higher, above 93%.",
      experiment: heldOutRace(2000),
      claims: (c) => [
        c.that("Constant 0.01 classifies more than 93% of the held-out digits", ({ runs }) => {
          const a = runs[1].accuracy;
          return a !== undefined && a > 0.93 ? null : `its accuracy is ${a}`;
        }),
      ],
    },
    joint: (c) => [
      c.that(
        "with 2000 training digits, Constant 0.01 ends with more than 5 times the training loss it has with 300, and more than 5 points more held-out accuracy",
        ({ runs }) => {
          const [few, many] = [runs[1], runs[5]];
          const [lf, lm] = [
            lossNear(few, Number.POSITIVE_INFINITY, 50),
            lossNear(many, Number.POSITIVE_INFINITY, 50),
          ];
          const [af, am] = [few.accuracy ?? Number.NaN, many.accuracy ?? Number.NaN];
          return lf !== null && lm !== null && lm > 5 * lf && am - af > 0.05
            ? null
            : `loss ${lf} → ${lm}, accuracy ${af} → ${am}`;
        },
      ),
    ],
  },
  {
    id: "curvature-step",
    controls: ["factor"],
    title: "Curvature sets the step",
    summary:
      "The optimal LR is 1/curvature: the Rayleigh step measures the curvature along the gradient every step, against Armijo's backtracking and a constant LR.",
    watch:
      "The survey's function again, from a point where it is steep and sharply curved. Along the gradient g the loss is locally a parabola with curvature gᵀHg/‖g‖², and the step to its bottom is η = ‖g‖²/gᵀHg: the survey's 1/h, taken along the direction of travel. The Rayleigh run computes gᵀHg from one more gradient per step (a Hessian-vector product by finite difference) and takes that step: its LR grows more than tenfold as the path leaves the sharp region. It needs no LR and no trial losses, and it ends within 0.001 of the minimum f* ≈ 2.5593, as Armijo's backtracking does. The fourth run takes the step that is safe in every direction, 1/λ_max, with λ_max tracked by a running power method on Hessian-vector products (LeCun, Simard & Pearlmutter): its largest step is less than half the Rayleigh step's largest, and it too ends within 0.001 of f*. A constant LR must suit the sharpest point of the path: at the start 2/λ_max (the dashed line) is below 0.015, so the constant run uses 0.01, and after 60 steps it is still more than 0.01 above f*.",
    question:
      "1/λ_max is the safe step for every direction, ‖g‖²/gᵀHg only for the direction of g. Why can the Rayleigh step be larger than 1/λ_max and still not diverge?",
    next: "Set the Rayleigh factor to 1.9 (just under the edge of a quadratic along g), then to 2.5: what happens to its path on the contour plot?",
    experiment: exp("curvature-step", {
      task: { kind: "survey" },
      optimizer: "sgd",
      baseLr: 0.01,
      steps: 60,
      runs: [
        run("Rayleigh", 0, "Rayleigh", { factor: 1, max_lr: 10 }),
        run("Armijo", 1, "ArmijoLineSearch", { eta0: 1, beta: 0.5, c: 0.1 }),
        run("Constant 0.01", 2, "Constant"),
        run("1/λ_max", 3, "PowerMethod", { factor: 1, max_lr: 10 }),
      ],
    }),
    claims: (c) => [
      c.noBlowUp(),
      ...[0, 1, 3].map((i) =>
        c.that(
          `${["the Rayleigh step", "Armijo", "", "1/λ_max"][i]} ends within 0.001 of f* = 2√2·e^(−0.1) ≈ 2.5593`,
          ({ runs }) => {
            const gap = runs[i].loss.at(-1)! - 2 * Math.SQRT2 * Math.exp(-0.1);
            return gap < 1e-3 ? null : `it ends ${gap} above f*`;
          },
        ),
      ),
      c.that("the Rayleigh step's largest LR is more than twice 1/λ_max's largest", ({ runs }) => {
        const [r, p] = [Math.max(...runs[0].lr), Math.max(...runs[3].lr)];
        return r > 2 * p ? null : `Rayleigh at most ${r}, 1/λ_max at most ${p}`;
      }),
      c.that("the Rayleigh step's LR grows more than tenfold from its first", ({ runs }) => {
        const lr = runs[0].lr;
        const top = Math.max(...lr);
        return top > 10 * lr[0] ? null : `${lr[0]} → at most ${top}`;
      }),
      c.that("at the start, 2/λ_max is below 0.015 and above the constant run's 0.01", () => {
        const [x1, x2] = ANALYTIC_START.survey;
        const edge = stabilityEdge("survey", x1, x2);
        return edge !== null && edge < 0.015 && edge > 0.01 ? null : `2/λ_max = ${edge}`;
      }),
      c.that("the constant run ends more than 0.01 above f*", ({ runs }) => {
        const gap = runs[2].loss.at(-1)! - 2 * Math.SQRT2 * Math.exp(-0.1);
        return gap > 0.01 ? null : `it ends ${gap} above f*`;
      }),
    ],
  },
  {
    id: "no-more-pesky",
    controls: ["variant"],
    follow: 5,
    title: "No more pesky learning rates: vSGD",
    summary:
      "vSGD sets every weight's LR from that weight's own gradient statistics and curvature, against SGD at five hand-picked constant LRs.",
    watch:
      "The spiral, mini-batches of 32, 500 steps. Five SGD runs each keep one constant LR, from 0.03 to 3. vSGD (Schaul, Zhang & LeCun) gives each weight its own LR: the share of its gradient that is signal rather than noise (ḡ²/v̄, from running averages whose memory τ adapts), divided by its curvature h̄. It has no LR to tune and ignores the base LR. Its first LRs come from one batch's statistics, which cannot yet tell signal from noise: they are large, and its loss overshoots within the first 10 steps. Then its median LR falls more than tenfold, and untuned, vSGD ends more than 5% below every constant run, the best one included. The largest constant, 3, is too large: it ends above the loss it started at. The LR chart draws vSGD's median per-weight LR; its internals give the 10% and 90% points and three weights' statistics.",
    question:
      "vSGD's median LR sits far below the constants that do best here, yet it ends lower. How can a smaller median step win? Look at the spread of its per-weight LRs.",
    next: "Switch vSGD's variant to vSGDfd, the authors' finite-difference curvature (along ḡ itself), and compare the median LR it settles at.",
    experiment: exp("no-more-pesky", {
      task: { kind: "spiral", samples: 200, noise: 0.1 },
      optimizer: "sgd",
      baseLr: 3,
      batchSize: 32,
      steps: 500,
      view: { logLr: true },
      runs: [
        ...[0.03, 0.1, 0.3, 1, 3].map((lr, i) =>
          run(`SGD ${lr}`, [0, 1, 2, 4, 5][i], "ConstantLR", { factor: lr / 3, total_iters: 100000 }),
        ),
        run("vSGD", 3, "vSGD", {}),
      ],
    }),
    claims: (c) => [
      c.noBlowUp([0, 1, 2, 3]),
      c.that("vSGD's loss rises above its first loss within the first 10 steps", ({ runs }) => {
        const l = runs[5].loss;
        const top = Math.max(...l.slice(1, 10));
        return top > l[0] ? null : `its peak over steps 1–9 is ${top}, its first ${l[0]}`;
      }),
      c.that("vSGD's median LR ends below a tenth of its first", ({ runs }) => {
        const lr = runs[5].lr;
        return lr.at(-1)! < lr[0] / 10 ? null : `${lr[0]} → ${lr.at(-1)}`;
      }),
      c.that("SGD 3 ends above its first loss", ({ runs }) => {
        const l = runs[4].loss;
        const end = lossNear(runs[4]);
        return end !== null && end > l[0] ? null : `it ends at ${end}, from ${l[0]}`;
      }),
      ...[0, 1, 2, 3, 4].map((i) => c.endsBelow(5, i, 0.95)),
    ],
  },
  {
    id: "refined",
    controls: ["adam", "opt"],
    title: "Refined schedules from gradient norms",
    summary:
      "Phase 1 runs a linear decay and logs ‖g‖; phase 2 restarts with a schedule computed from that log.",
    watch:
      "The refined run trains twice: in phase 1 it uses a linear decay and records the gradient norm of every step; at the phase boundary (marked on the LR chart) it starts again from the initial weights with a schedule computed from the median-filtered norms alone. The paper's main result is on the LR chart: nobody asked for a warmup or a final decay, yet the refined schedule starts well below its peak, climbs to it only after the first quarter of phase 2, and then falls to zero, crossing half its peak only in the last 40% of the phase. Compare its phase-2 loss with the linear decay run.",
    question:
      "The refined LR of a step is its weight 1/‖g‖² times the sum of the weights of the steps still to come. Which of the two factors makes the warmup, and which makes the decay to zero?",
    next: "Switch the refined run to Adam-type (ĝ = ‖g‖₁, w = ĝ⁻¹) and the optimizer to Adam.",
    experiment: exp("refined", {
      task: { kind: "logistic", samples: 400, noise: 0.2 },
      optimizer: "sgd",
      baseLr: 0.5,
      batchSize: 32,
      steps: 800,
      runs: [
        run("Linear decay", 0, "LinearWithWarmup", { num_warmup_steps: 0, num_training_steps: 400 }),
        run("Refined (2 phases)", 1, "Refined", { phase_steps: 400 }),
      ],
    }),
    claims: (c) => {
      const phase2 = (lr: readonly number[]) => lr.slice(400);
      return [
        c.noBlowUp(),
        c.endsBelow(1, 0),
        c.that(
          "phase 2 starts below half its peak LR and peaks only after its first quarter (a warmup)",
          ({ runs }) => {
            const lr = phase2(runs[1].lr);
            const peak = Math.max(...lr);
            const at = lr.indexOf(peak);
            return lr[0] < peak / 2 && at > lr.length / 4
              ? null
              : `starts at ${lr[0]}, peaks at ${peak} at ${at}`;
          },
        ),
        c.that(
          "phase 2 crosses half its peak LR only in its last 40% and ends at zero (a final decay)",
          ({ runs }) => {
            const lr = phase2(runs[1].lr);
            const peak = Math.max(...lr);
            const at = lr.indexOf(peak);
            const half = lr.findIndex((x, i) => i > at && x < peak / 2);
            return half >= 0.6 * lr.length && lr.at(-1)! <= 1e-3 * peak
              ? null
              : `below half at ${half} of ${lr.length}, ends at ${lr.at(-1)}`;
          },
        ),
      ];
    },
  },
  {
    id: "schedule-free",
    controls: ["steps"],
    title: "Schedule-free vs cosine",
    summary:
      "No decay at all — iterate averaging instead — against cosine schedules that must know when training stops.",
    watch:
      "Schedule-Free AdamW keeps its LR flat after a 25-step warmup and is drawn at the average of its iterates, x (its loss at the gradient point y is the faint line). A cosine schedule must be told in advance when training stops: one cosine here is told 500 steps, the other 250. At step 250, schedule-free is within 15% of the cosine that was told to stop there, while the cosine heading for 500 is ahead of both. At step 500, schedule-free ends below both cosines.",
    question: "If you had to stop training at step 250 without warning, which run would you rather have?",
    next: "Double the number of steps without changing the cosines' T_max: what happens to their LRs after their T_max?",
    experiment: exp("schedule-free", {
      task: { kind: "circles", samples: 400, noise: 0.1 },
      optimizer: "adamw",
      weightDecay: 0,
      baseLr: 0.01,
      batchSize: 32,
      steps: 500,
      runs: [
        run("Cosine, told 500 steps", 0, "CosineAnnealingLR", { T_max: 500 }),
        run("Schedule-Free AdamW", 1, "ScheduleFree", { variant: "adamw", warmup_steps: 25 }),
        run("Cosine, told 250 steps", 2, "CosineAnnealingLR", { T_max: 250 }),
      ],
    }),
    claims: (c) => [
      c.noBlowUp(),
      c.near(1, 2, 0.15, 250),
      c.belowAt(250, 0, 1),
      c.belowAt(250, 0, 2),
      c.endsBelow(1, 0),
      c.endsBelow(1, 2),
    ],
  },
  {
    id: "schedule-free-schedules",
    controls: ["M", "ell_star"],
    title: "Schedule-free meets schedules",
    summary:
      "Schedule-free driven by WSD with the paper's averaging against the reference one, and the schedule-free Polyak step against a sweep of constant LRs.",
    watch:
      "Every run here is schedule-free SGD on logistic regression (a convex problem), drawn at its average x. The first two follow the same WSD schedule peaking at 8: one averages with the seed paper's weights, c = γₜ/Σγᵢ (schedulet), the other with the reference implementation's. On this toy they end within 5% of each other, and WSD ends within 10% of a constant LR of 8: the decay adds little here. The Polyak run has no LR to tune: its step is max(f(y) − ℓ* + ⟨g, z − y⟩, 0)/max(M, ‖g‖²) with ℓ* = 0 and M = 0.001. Its LR climbs above 20, and it ends below all three constant LRs of the sweep (1, 3 and 8).",
    question:
      "The Polyak step uses ℓ* = 0, a lower bound on the loss that is never reached here. Why does a loose bound still give useful steps?",
    next: "Raise M to 1 on the Polyak run: the safeguard now caps its step. Then switch the task to circles (not convex) and compare again.",
    experiment: exp("schedule-free-schedules", {
      task: { kind: "logistic", samples: 400, noise: 0.2 },
      optimizer: "sgd",
      baseLr: 8,
      batchSize: 32,
      steps: 400,
      runs: [
        {
          ...run("WSD, schedulet averaging", 0, "WSD", {
            num_warmup_steps: 20,
            num_stable_steps: 300,
            num_decay_steps: 80,
          }),
          sf: { variant: "sgd", averaging: "schedulet", beta: 0.9 },
        },
        {
          ...run("WSD, reference averaging", 1, "WSD", {
            num_warmup_steps: 20,
            num_stable_steps: 300,
            num_decay_steps: 80,
          }),
          sf: { variant: "sgd", averaging: "reference", beta: 0.9 },
        },
        run("Polyak (ℓ* = 0)", 2, "ScheduleFreePolyak", { ell_star: 0, M: 0.001 }),
        {
          ...run("Constant 1", 3, "ConstantLR", { factor: 0.125, total_iters: 100000 }),
          sf: { variant: "sgd", averaging: "theory", beta: 0.9 },
        },
        {
          ...run("Constant 3", 4, "ConstantLR", { factor: 0.375, total_iters: 100000 }),
          sf: { variant: "sgd", averaging: "theory", beta: 0.9 },
        },
        { ...run("Constant 8", 5, "Constant"), sf: { variant: "sgd", averaging: "theory", beta: 0.9 } },
      ],
    }),
    follow: 2,
    claims: (c) => [
      c.noBlowUp(),
      c.near(0, 1, 0.05),
      c.near(0, 5, 0.1),
      c.that("the Polyak run's LR climbs above 20", ({ runs }) => {
        const top = Math.max(...runs[2].lr.filter(Number.isFinite));
        return top > 20 ? null : `its LR peaks at ${top}`;
      }),
      c.endsBelow(2, 3, 0.6),
      c.endsBelow(2, 4, 0.8),
      c.endsBelow(2, 5, 0.95),
    ],
  },
  {
    id: "convex-bound",
    controls: [],
    title: "The convex bound as a prediction",
    summary:
      "Schedule-free SGD's convex guarantee, drawn beside the loss from each run's own step sizes and gradients: on a convex task it holds and ranks the schedules; on a non-convex one it fails.",
    watch:
      "Logistic regression is convex, so the seed paper's bound is a theorem here: with schedulet averaging, the loss at the average x is at most f* + (2c* + Σγᵢ²‖gᵢ‖²)/(2Σγᵢ), where c* is half the squared distance from the start to the nearest minimiser and the sums run over the steps taken. LR Lab finds f* and c* for this data by Newton's method and draws each run's bound dashed in its colour. Four schedules share the peak LR 8 on the full batch: constant, WSD, cosine, and one that rises from 0.08 to 8 all the way. Every loss stays under its bound. The bound is a guarantee for the worst convex function, not an estimate of this one: from step 100 on it sits more than 0.02 above every run, while the four losses end within 0.001 of each other. Yet it predicts the race: at step 60 the four bounds come in the order of the four losses, the rising schedule far behind. The bound assumes convexity: the Rosenbrock link shows it failing.",
    question:
      "Each step adds γ to the bound's denominator and γ²‖g‖² to its numerator. Why does the schedule that starts small still have the highest bound long after its LR has caught up?",
    next: "Set the base LR to 1 and play again: is the bound still above every loss, and which of its two terms now keeps it high?",
    experiment: exp("convex-bound", {
      task: { kind: "logistic", samples: 400, noise: 0.5 },
      optimizer: "sgd",
      baseLr: 8,
      batchSize: 400,
      steps: 300,
      runs: convexBoundRuns(300),
    }),
    claims: (c) => [
      c.noBlowUp(),
      c.that("every run's loss at x stays at or below its bound at every step", ({ runs }) =>
        boundBroken(runs),
      ),
      c.that("at step 60 the four bounds come in the order of the four losses", ({ runs }) => {
        const at = (xs: readonly number[] | undefined, r: ClaimRace["runs"][number]) =>
          xs?.[r.steps.indexOf(60)];
        const order = (key: (r: ClaimRace["runs"][number]) => number | undefined) =>
          [0, 1, 2, 3].sort((a, b) => (key(runs[a]) ?? Number.NaN) - (key(runs[b]) ?? Number.NaN)).join("");
        const byLoss = order((r) => at(r.loss, r));
        const byBound = order((r) => at(r.bound, r));
        return byLoss === byBound ? null : `by loss ${byLoss}, by bound ${byBound}`;
      }),
      c.that("from step 100 on, every bound is more than 0.02 above its run's loss", ({ runs }) => {
        for (const r of runs)
          for (let i = 0; i < r.steps.length; i++)
            if (r.steps[i] >= 100 && !((r.bound?.[i] ?? Number.NaN) - r.loss[i] > 0.02))
              return `at step ${r.steps[i]}: loss ${r.loss[i]}, bound ${r.bound?.[i]}`;
        return null;
      }),
      c.that("the four final losses are within 0.001 of each other", ({ runs }) => {
        const ends = runs.map((r) => r.loss.at(-1)!);
        return Math.max(...ends) - Math.min(...ends) < 1e-3 ? null : `they end at ${ends.join(", ")}`;
      }),
    ],
    alt: {
      label: "Rosenbrock (not convex)",
      watch:
        "The same four schedules on Rosenbrock's valley, with the peak LR 0.003 for 500 steps. Its minimum is known, f* = 0 at (1, 1), so the bound can be drawn, but the function is not convex and the bound is no theorem here: WSD's loss at x rises above its bound and ends more than 20% above it.",
      experiment: exp("convex-bound", {
        task: { kind: "rosenbrock" },
        optimizer: "sgd",
        baseLr: 0.003,
        steps: 500,
        runs: convexBoundRuns(500),
      }),
      claims: (c) => [
        c.that("WSD's loss at x rises above its bound and ends more than 20% above it", ({ runs }) => {
          const r = runs[1];
          const end = r.bound?.at(-1) ?? Number.NaN;
          return r.loss.at(-1)! > 1.2 * end ? null : `it ends at ${r.loss.at(-1)}, its bound at ${end}`;
        }),
      ],
    },
  },
  {
    id: "line-search",
    controls: ["c", "beta"],
    title: "Line search: Armijo vs exact",
    summary:
      "Let the loss choose the step: backtracking vs minimising along the ray, on the survey's function.",
    watch:
      "f = e^(x₁+3x₂−0.1) + e^(x₁−3x₂−0.1) + e^(−x₁−0.1), the classic gradient-descent example of Boyd & Vandenberghe's Convex Optimization. Armijo tries η₀ = 1, ½, ¼… and takes the first step that lowers f enough; exact search takes the best η along −g. Both searches end within 0.001 of the minimum, f* = 2√2·e^(−0.1) ≈ 2.5593; the constant run needs its LR tuned by hand, and at 0.005 it crawls. The survey calls exact search the more direct of the two; on this function its path zig-zags (the question below asks why), and it gets no further than Armijo. Watch the paths on the contour plot.",
    question:
      "Exact search takes the best step every time, yet its path zig-zags at right angles. Why are consecutive exact steps orthogonal?",
    next: "Set Armijo's c to 0.5 (demanding more decrease) and β to 0.8: more trials per step — is it faster in steps? In forward passes?",
    experiment: exp("line-search", {
      task: { kind: "survey" },
      optimizer: "sgd",
      baseLr: 0.005,
      steps: 60,
      runs: [
        run("Armijo", 0, "ArmijoLineSearch", { eta0: 1, beta: 0.5, c: 0.1 }),
        run("Exact (grid)", 1, "ExactLineSearch", { eta_min: 0.001, eta_max: 2, points: 48 }),
        run("Constant 0.005", 2, "Constant"),
      ],
    }),
    claims: (c) => [
      c.noBlowUp(),
      ...[0, 1].map((i) =>
        c.that(
          `${["Armijo", "exact search"][i]} ends within 0.001 of f* = 2√2·e^(−0.1) ≈ 2.5593`,
          ({ runs }) => {
            const gap = runs[i].loss.at(-1)! - 2 * Math.SQRT2 * Math.exp(-0.1);
            return gap < 1e-3 ? null : `it ends ${gap} above f*`;
          },
        ),
      ),
      c.endsBelow(0, 2, 0.95),
      c.endsBelow(1, 2, 0.95),
      c.that("exact search ends no lower than Armijo (to 1e-4)", ({ runs }) => {
        const [a, e] = [runs[0].loss.at(-1)!, runs[1].loss.at(-1)!];
        return e >= a - 1e-4 ? null : `exact ${e}, Armijo ${a}`;
      }),
    ],
  },
  {
    id: "robbins-monro",
    controls: ["power"],
    title: "Robbins–Monro: Σλ = ∞, Σλ² < ∞",
    summary: "Why the classic SGD step decays like 1/t — the running sums tell.",
    watch:
      "Mini-batch SGD on a convex logistic regression. The panel below the charts shows each run's running Σλ (how far the steps can carry you) and Σλ² (how much noise they pile up). With p = 1 Σλ keeps growing like log t while Σλ² levels off; p = ½ lets Σλ² keep growing (over the last 500 steps its loss jumps about a quarter more from step to step than p = 1's); p = 2 makes Σλ stop growing — that run freezes early, at a higher loss.",
    question:
      "Which run satisfies both conditions? In 2 000 steps p = ½ may still have the lowest loss — what does the theorem promise, and what does it not promise about a finite run?",
    next: "Try p = 0.75 (also inside ½ < p ≤ 1) and compare with p = 1.",
    experiment: exp("robbins-monro", {
      task: { kind: "logistic", samples: 1000, noise: 0.3 },
      optimizer: "sgd",
      baseLr: 1,
      batchSize: 8,
      steps: 2000,
      view: { logLr: true },
      runs: [
        run("p = 1 (both hold)", 2, "RobbinsMonro", { tau: 20, power: 1 }),
        run("p = ½ (Σλ² = ∞)", 1, "RobbinsMonro", { tau: 20, power: 0.5 }),
        run("p = 2 (Σλ < ∞)", 0, "RobbinsMonro", { tau: 20, power: 2 }),
      ],
    }),
    claims: (c) => [
      c.noBlowUp(),
      c.endsBelow(0, 2),
      c.endsBelow(1, 2),
      c.that(
        "over the last 500 steps p = ½'s loss changes about a quarter more per step than p = 1's (1.15–1.4×)",
        ({ runs }) => {
          const jumps = (l: readonly number[]) => {
            let s = 0;
            for (let i = l.length - 499; i < l.length; i++) s += Math.abs(l[i] - l[i - 1]);
            return s / 499;
          };
          const [one, half] = [jumps(runs[0].loss), jumps(runs[1].loss)];
          return half >= 1.15 * one && half <= 1.4 * one ? null : `p = ½: ${half}, p = 1: ${one}`;
        },
      ),
    ],
    panels: ["sums"],
  },
  {
    id: "replay-noisy",
    controls: ["patience"],
    title: "Would GreedyLR chase this noise?",
    summary: "Replay GreedyLR on a noisy fine-tuning log: how patience and smoothing change its decisions.",
    watch:
      "This is a replay, not training: a (synthetic) fine-tuning log's loss, every 10 steps, fed to three GreedyLR settings open loop. Once the loss flattens into noise it rarely beats its best, so GreedyLR counts worse points and cuts: with patience 10 its LR falls to its floor (within 5% of its min_lr, 1e-7: a last cut smaller than eps is skipped) within the first third; patience 50 cuts more slowly, and at point 1 000 its LR is still tens of times higher. Smoothing (a window of 50 points) lets it see the early downward trend and raise a few times — then it cuts too.",
    question:
      "Is a flat, noisy loss a reason to cut the LR? What would you want a scheduler to do on this log?",
    next: "Drag patience of the first run from 10 to 100 and watch its LR changes per 1 000 points; then open the smooth pre-training log.",
    experiment: exp("replay-noisy", replayLesson("noisy-finetune.json")),
    claims: (c) => [
      c.that(
        "patience 10's LR falls to its floor, within 5% of min_lr = 1e-7, within the first third of the log",
        ({ runs }) => {
          const lr = runs[0].lr;
          const at = lr.findIndex((x) => x <= 1.05e-7);
          return at >= 0 && at < lr.length / 3
            ? null
            : `it reaches ${Math.min(...lr)} at point ${at} of ${lr.length}`;
        },
      ),
      c.raises(0, 0),
      c.that("patience 50 cuts fewer times than patience 10", ({ runs }) => {
        const [a, b] = [runs[1], runs[0]].map((r) => lrMoves(r, -1));
        return a < b ? null : `patience 50 cuts ${a} times, patience 10 ${b}`;
      }),
      c.that("at point 1 000, patience 50's LR is at least 10 × patience 10's", ({ runs }) =>
        runs[1].lr[1000] >= 10 * runs[0].lr[1000] ? null : `${runs[1].lr[1000]} vs ${runs[0].lr[1000]}`,
      ),
      c.raises(2, 1),
    ],
  },
  {
    id: "replay-smooth",
    controls: ["max_lr", "window_size"],
    title: "GreedyLR on a smooth curve",
    summary:
      "The same settings replayed on a smooth pre-training-like log, whose loss sets a new best about a third of the time.",
    watch:
      "A (synthetic) pre-training log, every 50 steps, with 0.1% noise on a slowly falling curve. About a third of its points set a new best, so GreedyLR with patience 10 goes both ways: it raises its LR 16 times and cuts it 22 times, peaks above 5× its start and ends below where it started. With smoothing (a 50-point window) it only raises, all the way to max_lr. With patience 50 it hardly moves. Compare with the noisy log: the same scheduler, different decisions.",
    question:
      "Which of these runs would you trust to pick the LR for a real pre-training run — and what stops it?",
    next: "Lower max_lr of the smoothed run, or raise its window: where does it settle?",
    experiment: exp("replay-smooth", replayLesson("smooth-pretrain.csv")),
    claims: (c) => [
      c.that("between a quarter and 45% of the points set a new best", ({ runs }) => {
        let best = Number.POSITIVE_INFINITY;
        let n = 0;
        for (const v of runs[0].loss)
          if (v < best) {
            best = v;
            n++;
          }
        const f = n / runs[0].loss.length;
        return f >= 0.25 && f <= 0.45 ? null : `${n} of ${runs[0].loss.length} points set a new best`;
      }),
      c.that("patience 10 raises its LR 16 times and cuts it 22 times", ({ runs }) => {
        const up = lrMoves(runs[0], 1);
        const down = lrMoves(runs[0], -1);
        return up === 16 && down === 22 ? null : `it raises ${up} times and cuts ${down} times`;
      }),
      c.that("patience 10 peaks above 5× its start and ends below its start", ({ runs }) => {
        const lr = runs[0].lr;
        const top = Math.max(...lr);
        return top > 5 * lr[0] && lr[lr.length - 1] < lr[0]
          ? null
          : `peak ${top}, end ${lr[lr.length - 1]}, start ${lr[0]}`;
      }),
      c.raises(2, 10),
      c.cuts(2, 0),
      c.that("the smoothed run reaches max_lr", ({ runs }) => {
        const top = Math.max(...runs[2].lr);
        return Math.abs(top - 0.0002) <= 1e-12 ? null : `it peaks at ${top}`;
      }),
      c.that("patience 50 makes at most 5 LR changes", ({ runs }) => {
        const n = lrMoves(runs[1], -1) + lrMoves(runs[1], 1);
        return n <= 5 ? null : `it makes ${n}`;
      }),
    ],
  },
];

/**
 * The course in teaching order. The core path fits a 90-minute class: stability first (too small, too large;
 * the LR picked by the loss itself; the classic conditions), then the decays, warmup, OneCycle and the range
 * test that sets its peak, and the schedulers that read the loss (GreedyLR, the plateau rule, the F sweep).
 * The rest are topics for a second class or for students on their own. The first screen stays GreedyLR's race,
 * the hook; its lesson sits where the course teaches GreedyLR.
 */
export const COURSE: readonly { id: string; core: boolean }[] = [
  { id: "lr-too-small-large", core: true },
  { id: "line-search", core: true },
  { id: "robbins-monro", core: true },
  { id: "step-exp-cosine", core: true },
  { id: "warmup-charlm", core: true },
  { id: "decay-shape", core: true },
  { id: "onecycle", core: true },
  { id: "find-the-lr", core: true },
  { id: "meet-greedylr", core: true },
  { id: "plateau-vs-greedy", core: true },
  { id: "f-sweep", core: true },
  { id: "batch-size", core: false },
  { id: "held-out", core: false },
  { id: "warm-restarts", core: false },
  { id: "noise-recovery", core: false },
  { id: "schedule-free", core: false },
  { id: "schedule-free-schedules", core: false },
  { id: "convex-bound", core: false },
  { id: "refined", core: false },
  { id: "curvature-step", core: false },
  { id: "no-more-pesky", core: false },
  { id: "replay-noisy", core: false },
  { id: "replay-smooth", core: false },
];

/** The lessons in course order (the Lessons dialog, N and B, the numbers "Lesson k"). */
export const LESSONS: readonly Lesson[] = COURSE.map(({ id }) => {
  const l = DEFINED.find((x) => x.id === id);
  if (!l) throw new Error(`course: no lesson "${id}"`);
  return l;
});

/** Whether a lesson is on the core path of a 90-minute class. */
export const isCore = (id: string): boolean => COURSE.some((c) => c.id === id && c.core);

/** Every defined lesson, in course order or not (tests check the course holds each exactly once). */
export const DEFINED_LESSONS = DEFINED;

export const lessonById = (id: string): Lesson | undefined => LESSONS.find((l) => l.id === id);

/**
 * The pace a lesson plays at, in steps per second: 40 for the small MLP tasks (a 1 000-step lesson takes 25 s,
 * long enough to say what is happening), 30 on the 2-D functions, and as fast as it goes on the CNN and the
 * char-LM, which train at about that pace anyway. Full speed stays one key away (F).
 */
export function lessonPace(l: Lesson): number | null {
  if (l.pace !== undefined) return l.pace;
  const k = l.experiment.task.kind;
  if (k === "mnist" || k === "charlm") return null;
  return ["quadratic", "rosenbrock", "survey", "rastrigin"].includes(k) ? 30 : 40;
}

/** The share link (query string, without "?") that opens a lesson. */
export const lessonQuery = (e: Experiment): string => encodeExperiment(e);

/**
 * Keys a link may carry beside `lesson=` and still mean "this lesson as it is": classroom flags and the
 * backend (where to train changes rounding, not the lesson).
 */
const FLAG_KEYS = new Set(["v", "lesson", "present", "autoplay", "explain", "embed", "hide", "backend"]);

/**
 * A bare lesson link (`?lesson=<id>`, with at most classroom flags such as present=1) opens that lesson's own
 * experiment; any other key means the link carries its own experiment, which is kept as decoded.
 */
export function openLesson(search: string, decoded: Experiment): Experiment {
  const lesson = decoded.view.lesson ? lessonById(decoded.view.lesson) : undefined;
  if (!lesson) return decoded;
  let keys: string[];
  try {
    keys = [...new URLSearchParams(search.startsWith("?") ? search.slice(1) : search).keys()];
  } catch {
    return decoded;
  }
  if (!keys.every((k) => FLAG_KEYS.has(k))) return decoded;
  const flags = Object.fromEntries(
    ["present", "autoplay", "explain", "embed", "hide"]
      .filter((k) => keys.includes(k))
      .map((k) => [k, decoded.view[k as "present"]]),
  );
  const backend = keys.includes("backend") ? decoded.backend : lesson.experiment.backend;
  return { ...lesson.experiment, backend, view: { ...lesson.experiment.view, ...flags } };
}

/**
 * The experiment without its view (chart settings, classroom flags) and its backend (which changes rounding,
 * not the lesson): what makes two races the same.
 */
const race = (e: Experiment) =>
  encodeExperiment({ ...e, backend: "auto", view: experimentSchema.parse({ runs: e.runs }).view });

/** The two experiments race the same runs on the same settings (views and backends aside). */
export const sameRace = (a: Experiment, b: Experiment) => race(a) === race(b);

/**
 * Where the current experiment stands to its lesson: "lesson" (as the lesson set it up), "alt" (the lesson's
 * contrast link), or "changed" (the class changed something: the panel offers the way back).
 */
export function lessonState(l: Lesson, e: Experiment): "lesson" | "alt" | "changed" {
  const now = race(e);
  if (now === race(l.experiment)) return "lesson";
  if (l.alt && now === race(l.alt.experiment)) return "alt";
  return "changed";
}

/** The run the internals and formula panels follow in this experiment: its lesson's choice, else the first
 * run whose scheduler is not a constant LR (the one the lesson is about), else the first. */
export function followedRun(e: Experiment): number {
  const l = e.view.lesson ? lessonById(e.view.lesson) : undefined;
  if (l?.follow !== undefined && l.follow < e.runs.length) return l.follow;
  const i = e.runs.findIndex((r) => r.scheduler.scheduler !== "Constant");
  return i < 0 ? 0 : i;
}

/** The claims of a lesson's experiment (or of its contrast link), with the runs named as in the lesson. */
export function lessonClaims(l: Lesson, e: Experiment = l.experiment): Claim[] {
  const make = e === l.alt?.experiment ? l.alt.claims : l.claims;
  return make ? make(claimsFor(e.runs.map((r) => r.name))) : [];
}

/** The claims across a lesson's two races, with the runs named as in both (the lesson's first). */
export function jointClaims(l: Lesson): Claim[] {
  if (!l.joint || !l.alt) return [];
  return l.joint(claimsFor([...l.experiment.runs, ...l.alt.experiment.runs].map((r) => r.name)));
}

/** Two races as one, for joint claims: the first race's runs, then the second's (onsets: the first's). */
export const joinRaces = (a: ClaimRace, b: ClaimRace): ClaimRace => ({ ...a, runs: [...a.runs, ...b.runs] });

/** Every race a lesson can show — its own experiment and its contrast link — with the claims of each. */
export function lessonRaces(l: Lesson): { label: string; experiment: Experiment; claims: Claim[] }[] {
  return [
    { label: l.title, experiment: l.experiment, claims: lessonClaims(l) },
    ...(l.alt
      ? [
          {
            label: `${l.title} — ${l.alt.label}`,
            experiment: l.alt.experiment,
            claims: lessonClaims(l, l.alt.experiment),
          },
        ]
      : []),
  ];
}
