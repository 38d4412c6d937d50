/**
 * The experiment config: ONE schema (zod) for validation, defaults, the worker protocol and the URL
 * codec. Scheduler parameters are validated by the engine registry, which owns their metadata.
 */
import { z } from "zod";
import type { SchedulerConfig } from "../engine/types";
import { NOISE_TARGETS, NOISE_TYPES } from "./noise";
import { TASKS } from "./tasks";

export { TASKS };

export const OPTIMIZERS = ["sgd", "momentum", "adam", "adamw"] as const;
export const BACKENDS = ["auto", "webgpu", "webgl", "wasm", "cpu"] as const;
export const MAX_RUNS = 8;
/** Control groups a teacher can hide from a shared link. */
export const HIDEABLE = ["experiment", "runs", "params", "metrics", "internals", "toolbar"] as const;
/** A run's colour: #rrggbb. */
export const COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;
/**
 * The run colours: Okabe & Ito's palette (2008), designed to stay apart under the common colour-vision
 * deficiencies (palette.test.ts checks every pair under simulated deuteranopia and protanopia). The yellow and
 * the black lack contrast on one of the two themes, so every line is drawn over a halo of the other shade, and
 * runs are labelled by name at their line ends.
 */
export const RUN_COLORS = [
  "#0072B2", // blue
  "#D55E00", // vermillion
  "#009E73", // bluish green
  "#CC79A7", // reddish purple
  "#E69F00", // orange
  "#56B4E9", // sky blue
  "#F0E442", // yellow
  "#000000", // black
];

const schedulerConfig: z.ZodType<SchedulerConfig> = z.lazy(() =>
  z.object({
    scheduler: z.string().min(1).max(64),
    params: z.record(z.string(), z.unknown()).optional(),
    children: z.array(schedulerConfig).max(8).optional(),
  }),
);

/** How a schedule-free run averages (the seed paper's choices; engine/scheduleFreeAny.ts computes them). */
export const SF_AVERAGING = ["schedulet", "reference", "theory"] as const;

/**
 * A run trained by schedule-free (SGD or AdamW) with its scheduler's LR: any scheduler drives it, and the
 * averaging weight follows that LR (`schedulet`), the running max LR (`reference`) or 1/(t+1) (`theory`).
 */
export const sfSchema = z.object({
  variant: z.enum(["sgd", "adamw"]).default("sgd"),
  averaging: z.enum(SF_AVERAGING).default("schedulet"),
  beta: z.number().min(0).max(0.999).default(0.9),
});
export type SfSettings = z.infer<typeof sfSchema>;

export const runSchema = z.object({
  name: z.string().min(1).max(40),
  color: z.string().regex(COLOR_PATTERN),
  scheduler: schedulerConfig,
  /** Schedule-free training for this run, driven by its scheduler (absent: the experiment's optimizer). */
  sf: sfSchema.optional(),
});

export const experimentSchema = z.object({
  v: z.literal(1).default(1),
  task: z
    .object({
      kind: z.enum(TASKS).default("spiral"),
      samples: z.number().int().min(20).max(5000).default(400),
      noise: z.number().min(0).max(1).default(0.1),
    })
    .default({ kind: "spiral", samples: 400, noise: 0.1 }),
  hidden: z.array(z.number().int().min(1).max(256)).max(4).default([16, 16]),
  optimizer: z.enum(OPTIMIZERS).default("adam"),
  momentum: z.number().min(0).max(0.999).default(0.9),
  weightDecay: z.number().min(0).max(1).default(0.01),
  noise: z
    .object({
      type: z.enum(NOISE_TYPES).default("clean"),
      strength: z.number().min(0).max(5).default(0.5),
      target: z.enum(NOISE_TARGETS).default("gradients"),
    })
    .default({ type: "clean", strength: 0.5, target: "gradients" }),
  baseLr: z.number().positive().max(10).default(0.05),
  batchSize: z.number().int().min(1).max(1024).default(32),
  steps: z.number().int().min(1).max(100_000).default(1000),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  backend: z.enum(BACKENDS).default("auto"),
  runs: z.array(runSchema).min(1).max(MAX_RUNS),
  /** Chart settings and classroom flags: part of the shared experiment. */
  view: z
    .object({
      logLoss: z.boolean().default(true),
      logLr: z.boolean().default(false),
      smoothing: z.number().min(0).max(0.99).default(0),
      /** Control groups hidden for a lesson (as TensorFlow Playground's *_hide). */
      hide: z.array(z.enum(HIDEABLE)).max(HIDEABLE.length).default([]),
      present: z.boolean().default(false),
      autoplay: z.boolean().default(false),
      /** The lesson this link belongs to (its text is shown beside the charts); "" = none. */
      lesson: z
        .string()
        .regex(/^[a-z0-9-]{0,40}$/)
        .default(""),
      /** Explain mode: Step advances one step and says what each scheduler saw and decided. */
      explain: z.boolean().default(false),
      /** Embedded (an iframe in a course page or slides): only the charts and the play controls. */
      embed: z.boolean().default(false),
      /**
       * Replay mode: the name of the training log the runs replay ("" = the live race). The log itself is too
       * big for a link: the page asks for the file again, or loads it when it is a bundled example.
       */
      replay: z
        .string()
        .regex(/^[^/\\<>"]{0,120}$/)
        .default(""),
      /** Replay: the log's column the schedulers read ("" = the loss column the page guesses). */
      series: z.string().max(120).default(""),
      /**
       * The LR range test shown beside the race ("Find the LR"): its flavour ("" = closed) and its parameters
       * (the library's names; engine/rangeTest.ts validates them). Part of the link, so a shared link reopens it.
       */
      range: z
        .object({
          flavor: z.enum(["", "fastai", "torch-lr-finder"]).default(""),
          params: z.record(z.string(), z.unknown()).default({}),
          /** Whether its dialog is open; a lesson carries its range test closed, for the class to open. */
          open: z.boolean().default(true),
        })
        .default({ flavor: "", params: {}, open: true }),
    })
    .default({
      logLoss: true,
      logLr: false,
      smoothing: 0,
      hide: [],
      present: false,
      autoplay: false,
      lesson: "",
      explain: false,
      embed: false,
      replay: "",
      series: "",
      range: { flavor: "", params: {}, open: true },
    }),
});

export type Experiment = z.infer<typeof experimentSchema>;
export type RunConfig = z.infer<typeof runSchema>;

/**
 * The experiment a new visitor sees — the "Meet GreedyLR" lesson's race: constant LR against GreedyLR on the
 * spiral, same weights and data, both starting at a cautious LR of 0.003. Full batch (as in the GreedyLR paper's
 * setup), so the loss is smooth and GreedyLR's increase branch fires: it climbs to its max_lr of 0.03 and
 * learns several times faster. max_lr stays below the LR at which Adam turns unstable on this task late in
 * training (about 0.07 on one of three seeds), so the first screen holds on every backend; a GreedyLR without
 * that ceiling climbs until the loss blows up, which "The F sweep" lesson shows and explains.
 */
export function defaultExperiment(): Experiment {
  return experimentSchema.parse({
    baseLr: 0.003,
    batchSize: 400,
    runs: [
      { name: "Constant LR", color: RUN_COLORS[0], scheduler: { scheduler: "Constant", params: {} } },
      {
        name: "GreedyLR",
        color: RUN_COLORS[1],
        scheduler: {
          scheduler: "GreedyLR",
          params: { factor: 0.9, patience: 10, min_lr: 1e-4, max_lr: 0.03 },
        },
      },
    ],
  });
}

/** The first screen's one-line caption: what to look at. */
export const FIRST_SCREEN_CAPTION =
  "Same weights, same data, same starting LR: GreedyLR raises its LR (↑ on the LR chart) each time the loss has improved 10 steps in a row — watch its loss pull away from the constant LR's.";
