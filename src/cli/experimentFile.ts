/**
 * What the race and export commands share: reading an experiment from a file as a person has it (the app's
 * JSON export, a config, or a saved link), failing with a message that names the problem, and the CPU backend
 * set up for Node with stdout kept for the result.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import type { Experiment } from "../experiment/config";
import { readExperimentFile } from "../experiment/export";
import { provideMnist } from "../train/mnist";
import { packMnist } from "./mnistPack";

/** Print `tool: msg` on stderr and exit 1. */
export function failWith(tool: string): (msg: string) => never {
  return (msg) => {
    process.stderr.write(`${tool}: ${msg}\n`);
    process.exit(1);
  };
}

/** The experiment in `file`, or exit 1 naming what is wrong with it. */
export function loadExperiment(file: string, fail: (msg: string) => never): Experiment {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return fail(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return readExperimentFile(text);
  } catch (e) {
    return fail(`${file}: ${(e as Error).message}`);
  }
}

/**
 * tfjs on its CPU backend in Node, with the digits when the task needs them (the app bundles them through a Vite
 * plugin; here they are packed straight from the `mnist` package). tfjs announces tfjs-node on
 * stdout; that goes to stderr until `done()` is called, so stdout carries the result alone.
 */
export async function cpuBackend(needsDigits: boolean): Promise<{ done(): void }> {
  const log = console.log;
  console.log = (...a: unknown[]) => process.stderr.write(`${a.join(" ")}\n`);
  await tf.setBackend("cpu");
  if (needsDigits) provideMnist(packMnist());
  await tf.ready();
  return {
    done: () => {
      console.log = log;
    },
  };
}
