/** The MNIST and char-LM lessons' claims, in Node on tfjs's WASM backend (see lessonClaims.test.ts). */
import * as tf from "@tensorflow/tfjs";
import "../train/wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { failedClaims } from "../experiment/claims";
import { LESSONS, lessonRaces } from "../experiment/lessons";
import { provideMnist } from "../train/mnist";
import { playExperiment } from "../train/play";
import { packMnist } from "./mnistPack";

const HEAVY = new Set(["mnist", "charlm"]);

beforeAll(async () => {
  expect(await tf.setBackend("wasm")).toBe(true);
  await tf.ready();
  provideMnist(packMnist());
});

describe("lesson claims on WASM in Node (the MNIST and char-LM lessons)", () => {
  for (const l of LESSONS.filter((x) => HEAVY.has(x.experiment.task.kind) && !x.experiment.view.replay))
    for (const { label, experiment, claims } of lessonRaces(l))
      it(label, { timeout: 300_000 }, async () => {
        expect(failedClaims(claims, await playExperiment(experiment))).toEqual([]);
      });
});
