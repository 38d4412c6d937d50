/** The other half of the CPU lesson claims (see lessonClaims.test.ts): two files run in parallel. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { failedClaims } from "../experiment/claims";
import { lessonRaces } from "../experiment/lessons";
import { cpuLessons, playExperiment } from "./play";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

describe("lesson claims on CPU (odd lessons)", () => {
  for (const l of cpuLessons().filter((_, i) => i % 2 === 1))
    for (const { label, experiment, claims } of lessonRaces(l))
      it(label, { timeout: 180_000 }, async () => {
        expect(failedClaims(claims, await playExperiment(experiment))).toEqual([]);
      });
});
