/**
 * `npm run --silent race -- FILE [--steps N]` — trains an experiment headless in Node (tfjs CPU backend, the
 * app's training code) and prints {"runs": [{"name", "loss": [...], "lr": [...]}]}: one loss and one LR per
 * step, the loss being the step's training loss (what the loss chart shows; null from the step a run
 * diverged). FILE is the app's JSON export, an experiment config, or a saved link. The exported PyTorch race
 * (`npm run export -- FILE --pytorch`) prints the same shape with `--json`.
 */
import { raceRuns } from "../train/raceRun";
import { cpuBackend, failWith, loadExperiment } from "./experimentFile";

const fail: (msg: string) => never = failWith("race");
const args = process.argv.slice(2);
const stepsAt = args.indexOf("--steps");
const file = args.find((a, i) => !a.startsWith("--") && (stepsAt < 0 || i !== stepsAt + 1));
if (!file)
  fail(
    "usage: npm run --silent race -- FILE [--steps N]   (FILE: the app's JSON export, a config or a link)",
  );
let steps: number | undefined;
if (stepsAt >= 0) {
  steps = Number(args[stepsAt + 1]);
  if (!Number.isInteger(steps) || steps < 1 || steps > 100_000)
    fail("--steps needs a whole number from 1 to 100000");
}
const exp = loadExperiment(file, fail);
if (exp.view.replay)
  fail(`${file}: it replays the training log "${exp.view.replay}"; there is nothing to train`);
const backend = await cpuBackend(exp.task.kind === "mnist");
const runs = await raceRuns({ ...exp, steps: steps ?? exp.steps });
backend.done();
console.log(JSON.stringify({ runs }));
