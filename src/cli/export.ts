/**
 * `npm run --silent export -- FILE --pytorch > race.py` (or `--notebook > race.ipynb`) — the whole race of an
 * experiment as one PyTorch file, or the same code as a Jupyter notebook (experiment/raceExport.ts). FILE is
 * the app's JSON export, an experiment config, or a saved link. An experiment PyTorch cannot mirror exactly is
 * refused with the reason, and exit code 1.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { readExperimentFile } from "../experiment/export";
import { raceNotebook, racePython, raceRefusals } from "../experiment/raceExport";
import { provideMnist } from "../train/mnist";
import { raceData } from "../train/raceData";
import { packMnist } from "./mnistPack";

function fail(msg: string): never {
  process.stderr.write(`export: ${msg}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
const notebook = args.includes("--notebook");
if (!file || (!notebook && !args.includes("--pytorch")))
  fail("usage: npm run --silent export -- FILE --pytorch > race.py   (or --notebook > race.ipynb)");
let text: string;
try {
  text = readFileSync(file, "utf8");
} catch (e) {
  fail(`cannot read ${file}: ${(e as Error).message}`);
}
let exp: ReturnType<typeof readExperimentFile>;
try {
  exp = readExperimentFile(text);
} catch (e) {
  fail(`${file}: ${(e as Error).message}`);
}
const problems = raceRefusals(exp);
if (problems.length) fail(`${file} cannot be exported to PyTorch:\n  - ${problems.join("\n  - ")}`);
const log = console.log;
console.log = (...a: unknown[]) => process.stderr.write(`${a.join(" ")}\n`);
await tf.setBackend("cpu");
if (exp.task.kind === "mnist") provideMnist(packMnist());
const data = raceData(exp);
console.log = log;
process.stdout.write(notebook ? raceNotebook(exp, data) : racePython(exp, data));
