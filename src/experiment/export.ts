/** Export and import of an experiment with every run's per-step data (JSON), and CSV rows. */
import { z } from "zod";
import type { SchedulerEvent } from "../engine/types";
import type { Experiment } from "./config";
import type { Cell } from "./csv";
import { decodeExperiment } from "./url";
import { validateExperiment } from "./validate";

export interface RunData {
  steps: number[];
  loss: number[];
  lr: number[];
  events: SchedulerEvent[];
  divergedAt: number | null;
}

export interface ExportFile {
  app: "lr-lab";
  version: 1;
  experiment: Experiment;
  runs: RunData[];
  /** Parsing only: what of the file's experiment was not taken (the same rules as a link), in words. */
  ignored?: string[];
}

const finiteOrNull = z.union([z.number(), z.null()]).transform((x) => (x === null ? Number.NaN : x));
const runDataSchema = z.object({
  steps: z.array(z.number().int().min(0)),
  loss: z.array(finiteOrNull),
  lr: z.array(finiteOrNull),
  events: z
    .array(
      z.object({
        step: z.number(),
        kind: z.string(),
        message: z.string().max(500),
        from: z.number().optional(),
        to: z.number().optional(),
      }),
    )
    .default([]),
  divergedAt: z.number().int().nullable().default(null),
});

export const exportSchema = z.object({
  app: z.literal("lr-lab"),
  version: z.literal(1),
  experiment: z.record(z.string(), z.unknown()),
  runs: z.array(runDataSchema),
});

export function toExportJson(experiment: Experiment, runs: RunData[]): string {
  const file: ExportFile = { app: "lr-lab", version: 1, experiment, runs };
  // NaN/∞ become null in JSON; they come back as NaN.
  return JSON.stringify(file);
}

/** Parse an export; throws an Error with a readable message on bad input. */
export function parseExport(text: string): ExportFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`not a JSON file: ${(e as Error).message}`);
  }
  const r = exportSchema.safeParse(raw);
  if (!r.success)
    throw new Error(
      `not an LR Lab export: ${r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ")}`,
    );
  // The file's experiment goes through the same validation as a link: a bad parameter takes its default.
  const { experiment, ignored } = validateExperiment(r.data.experiment);
  const rawRuns = r.data.experiment.runs;
  if (!Array.isArray(rawRuns) || rawRuns.length !== experiment.runs.length)
    throw new Error(
      ignored.length
        ? `a run of the export cannot be used: ${ignored.join("; ")}`
        : "the export's runs do not match its experiment",
    );
  if (r.data.runs.length !== experiment.runs.length)
    throw new Error("the export's runs do not match its experiment");
  for (const d of r.data.runs)
    if (d.loss.length !== d.steps.length || d.lr.length !== d.steps.length)
      throw new Error("a run's columns have different lengths");
  return { app: "lr-lab", version: 1, experiment, runs: r.data.runs as RunData[], ignored };
}

/** One row per step per run (written by experiment/csv.ts: quoted, formulas neutralised). */
export function csvRows(experiment: Experiment, runs: RunData[]): { fields: string[]; rows: Cell[][] } {
  const rows: Cell[][] = [];
  runs.forEach((d, i) => {
    const r = experiment.runs[i];
    for (let k = 0; k < d.steps.length; k++)
      rows.push([r.name, r.scheduler.scheduler, d.steps[k], d.loss[k], d.lr[k]]);
  });
  return { fields: ["run", "scheduler", "step", "loss", "lr"], rows };
}

/**
 * An experiment from a file as a person has it: the JSON the app exports, the experiment config alone, or a
 * saved link (a URL or its query). Throws an Error naming the problem; a setting that the link rules would
 * drop is a problem too here (a command should not train something else than the file says).
 */
export function readExperimentFile(text: string): Experiment {
  const s = text.trim();
  let validated: { experiment: Experiment; ignored: string[] };
  if (s.startsWith("{")) {
    let raw: unknown;
    try {
      raw = JSON.parse(s);
    } catch (e) {
      throw new Error(`not a JSON file: ${(e as Error).message}`);
    }
    if ((raw as { app?: unknown }).app === "lr-lab") {
      const f = parseExport(s);
      validated = { experiment: f.experiment, ignored: f.ignored ?? [] };
    } else validated = validateExperiment(raw);
    const runs =
      (raw as { experiment?: { runs?: unknown }; runs?: unknown }).experiment?.runs ??
      (raw as { runs?: unknown }).runs;
    if (runs === undefined) validated.ignored.push("the file has no runs");
  } else if (/^(https?:\/\/\S*)?\?\S+$/.test(s) || /^[a-z0-9]+=/i.test(s)) {
    const q = s.includes("?") ? s.slice(s.indexOf("?")) : s;
    validated = decodeExperiment(q.split("#")[0]);
  } else throw new Error("not an experiment: expected the app's JSON export, an experiment config or a link");
  if (validated.ignored.length)
    throw new Error(
      validated.ignored.map((m) => m.replace(/ — (default used|defaults used|run dropped)$/, "")).join("; "),
    );
  return validated.experiment;
}
