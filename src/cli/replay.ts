/**
 * `npm run --silent replay -- LOGFILE CONFIG.json` — replays loss-driven schedulers on a training log, open
 * loop, with the page's parsers (src/experiment/logs.ts) and engine. CONFIG.json:
 *   {"runs": [{"scheduler": "GreedyLR", "params": {...}}, ...], "base_lr": 0.001 (optional: else the log's
 *    peak LR, where the run started), "series": "loss",
 *    "step": "step" (optional column names; defaults are guessed as in the page)}
 * Prints JSON: the steps and values taken from the log, and per run its LR trajectory (one value per logged
 * point, the schedule CLI's `lr` convention), its LR changes and its reversals. Bad input: a clear message on
 * stderr, exit 1.
 */
import { readFileSync } from "node:fs";
import { LogError, logSeries, peakLr, readLog } from "../experiment/logs";
import { replayRun } from "../experiment/replay";

function fail(msg: string): never {
  process.stderr.write(`replay: ${msg}\n`);
  process.exit(1);
}

const [logFile, configFile] = process.argv.slice(2);
if (!logFile || !configFile) fail("usage: npm run --silent replay -- LOGFILE CONFIG.json");
const read = (f: string) => {
  try {
    return readFileSync(f, "utf8");
  } catch (e) {
    fail(`cannot read ${f}: ${(e as Error).message}`);
  }
};
let config: { runs?: unknown; base_lr?: unknown; series?: unknown; step?: unknown };
try {
  config = JSON.parse(read(configFile));
} catch (e) {
  fail(`${configFile} is not valid JSON: ${(e as Error).message}`);
}
if (!Array.isArray(config.runs) || !config.runs.length)
  fail(`${configFile}: "runs" must be a non-empty list`);
if (config.base_lr !== undefined && (typeof config.base_lr !== "number" || !(config.base_lr > 0)))
  fail(`${configFile}: "base_lr" must be a number > 0 (or left out: the log's peak LR)`);
try {
  const table = readLog(logFile, read(logFile));
  const step = typeof config.step === "string" ? config.step : table.guess.step;
  const series = typeof config.series === "string" ? config.series : table.guess.value;
  if (!step || !series)
    fail(`${logFile}: cannot tell the step and loss columns apart; name them ("step", "series")`);
  const s = logSeries(table, step, series, table.guess.lr);
  // Without base_lr the schedulers start where the run started: its peak logged LR.
  const baseLr = (config.base_lr as number | undefined) ?? peakLr(s);
  if (baseLr === null)
    fail(
      `${configFile}: give "base_lr": ${logFile} has no learning-rate column to start the schedulers from`,
    );
  const runs = (config.runs as { scheduler?: unknown; params?: unknown }[]).map((r, i) => {
    if (!r || typeof r.scheduler !== "string")
      fail(`${configFile}: runs[${i}].scheduler must be a scheduler name`);
    try {
      const res = replayRun(
        { scheduler: r.scheduler, params: (r.params ?? {}) as Record<string, unknown> },
        baseLr,
        s.values,
      );
      return {
        scheduler: r.scheduler,
        lr: [...res.lr],
        decisions: res.changes.map((c) => ({
          point: c.i,
          step: s.steps[c.i],
          dir: c.dir > 0 ? "increase" : "decrease",
        })),
        decisions_per_1000: res.decisionsPer1000,
        reversals: res.reversals,
        final_lr: res.finalLr,
      };
    } catch (e) {
      return fail(`${configFile}: runs[${i}] (${r.scheduler}): ${(e as Error).message}`);
    }
  });
  process.stdout.write(
    `${JSON.stringify({ format: table.format, step, series, notes: s.notes, steps: [...s.steps], values: [...s.values], runs })}\n`,
  );
} catch (e) {
  if (e instanceof LogError) fail(`${logFile}: ${e.message}`);
  throw e;
}
