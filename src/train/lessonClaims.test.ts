/**
 * Every lesson's claims, checked on the CPU backend in Node: each lesson (and its contrast link) is played to
 * its end with the app's training code, and every predicate its text relies on must hold. The MNIST and
 * char-LM lessons cost 4–5 minutes each on tfjs's pure-JS CPU kernels, so they run in
 * src/cli/lessonClaims.heavy.test.ts on WASM (the class's usual backend); `npm run lessons` checks them on CPU too.
 * e2e (lessons.e2e.ts) checks the same claims on WASM and WebGL in Chromium.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { failedClaims } from "../experiment/claims";
import { defaultExperiment } from "../experiment/config";
import { LESSONS, lessonById, lessonRaces } from "../experiment/lessons";
import { encodeExperiment } from "../experiment/url";
import { cpuLessons, playExperiment } from "./play";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

describe("lesson claims on CPU", () => {
  it("every lesson declares claims", () => {
    for (const l of LESSONS)
      for (const r of lessonRaces(l)) expect(r.claims.length, r.label).toBeGreaterThan(0);
  });

  // This file takes every other lesson, lessonClaims.odd.test.ts the rest (two files run in parallel).
  for (const l of cpuLessons().filter((_, i) => i % 2 === 0))
    for (const { label, experiment, claims } of lessonRaces(l))
      it(label, { timeout: 180_000 }, async () => {
        expect(failedClaims(claims, await playExperiment(experiment))).toEqual([]);
      });

  it("the first screen is the Meet GreedyLR race, so its claims are the first screen's", () => {
    const strip = (e: ReturnType<typeof defaultExperiment>) =>
      encodeExperiment({ ...e, view: defaultExperiment().view });
    expect(strip(defaultExperiment())).toBe(strip(lessonById("meet-greedylr")!.experiment));
  });
});
