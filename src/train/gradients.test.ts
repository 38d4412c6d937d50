/**
 * Sum's and Mean's gradients (gradients.ts): the same values as tfjs's own formula, dy × ones(x.shape), to the
 * bit, on the CPU and WASM backends, over random shapes and axes.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import "./gradients";
import { mulberry32 } from "./rng";
import "./wasm";

describe("Sum's and Mean's gradients without a tensor of ones", () => {
  for (const backend of ["cpu", "wasm"])
    it(`equal tfjs's dy × ones(x.shape) bit for bit on ${backend}, random shapes and axes`, async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const rand = mulberry32(7);
      for (let trial = 0; trial < 40; trial++) {
        const rank = 1 + Math.floor(rand() * 4);
        const shape = Array.from({ length: rank }, () => 1 + Math.floor(rand() * 5));
        const axes = shape.map((_, a) => a).filter(() => rand() < 0.5);
        const axis = axes.length ? axes : [Math.floor(rand() * rank)];
        const keepDims = rand() < 0.5;
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const x = tf.randomNormal(shape, 0, 1, "float32", trial);
          const kept = shape.map((d, a) => (axis.includes(a) ? 1 : d));
          const n = axis.reduce((p, a) => p * shape[a], 1);
          for (const [op, expected] of [
            [
              (t: tf.Tensor) => tf.sum(t, axis, keepDims),
              (dy: tf.Tensor) => tf.mul(tf.reshape(dy, kept), tf.ones(shape)),
            ],
            [
              (t: tf.Tensor) => tf.mean(t, axis, keepDims),
              (dy: tf.Tensor) => tf.div(tf.mul(tf.reshape(dy, kept), tf.ones(shape)), n),
            ],
          ] as const) {
            const y = op(x);
            const dy = tf.randomNormal(y.shape, 0, 1, "float32", 100 + trial);
            const got = tf.grad((t: tf.Tensor) => op(t))(x, dy);
            expect(got.shape).toEqual(shape);
            expect(Array.from(got.dataSync())).toEqual(Array.from(expected(dy).dataSync()));
          }
        });
        expect(tf.memory().numTensors).toBe(before);
      }
    });
});
