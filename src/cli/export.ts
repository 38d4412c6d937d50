/**
 * `npm run --silent export -- FILE --pytorch > race.py` (or `--notebook > race.ipynb`) — the whole race of an
 * experiment as one PyTorch file, or the same code as a Jupyter notebook (experiment/raceExport.ts). FILE is
 * the app's JSON export, an experiment config, or a saved link. An experiment PyTorch cannot mirror exactly is
 * refused with the reason, and exit code 1.
 */
import { raceNotebook, racePython, raceRefusals } from "../experiment/raceExport";
import { raceData } from "../train/raceData";
import { cpuBackend, failWith, loadExperiment } from "./experimentFile";

const fail: (msg: string) => never = failWith("export");
const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
const notebook = args.includes("--notebook");
if (!file || (!notebook && !args.includes("--pytorch")))
  fail("usage: npm run --silent export -- FILE --pytorch > race.py   (or --notebook > race.ipynb)");
const exp = loadExperiment(file, fail);
const problems = raceRefusals(exp);
if (problems.length) fail(`${file} cannot be exported to PyTorch:\n  - ${problems.join("\n  - ")}`);
const backend = await cpuBackend(exp.task.kind === "mnist");
const data = raceData(exp);
backend.done();
process.stdout.write(notebook ? raceNotebook(exp, data) : racePython(exp, data));
