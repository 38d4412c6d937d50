/** The MNIST and char-LM lessons' claims, in Node on tfjs's WASM backend (see lessonClaims.test.ts). */
import * as tf from "@tensorflow/tfjs";
import "../train/wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { type ClaimRace, failedClaims as failed } from "../experiment/claims";
import { joinRaces, jointClaims, LESSONS, lessonRaces } from "../experiment/lessons";
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
    it(l.title, { timeout: 600_000 }, async () => {
      const races: ClaimRace[] = [];
      for (const { label, experiment, claims } of lessonRaces(l)) {
        races.push(await playExperiment(experiment));
        expect(failed(claims, races.at(-1)!), label).toEqual([]);
      }
      // Claims across the lesson's two races (its alt link's runs after its own).
      if (races.length === 2) expect(failed(jointClaims(l), joinRaces(races[0], races[1]))).toEqual([]);
    });
});
