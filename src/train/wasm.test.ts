import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "./rng";
import "./wasm";

beforeAll(async () => {
  expect(await tf.setBackend("wasm")).toBe(true);
  await tf.ready();
});

describe("WASM Slice (copies only the slice, from the heap)", () => {
  it("equals a slice taken by hand on random shapes, ranks 1–6, float32, int32 and bool", () => {
    const rand = mulberry32(11);
    const int = (n: number) => Math.floor(rand() * n);
    for (let trial = 0; trial < 300; trial++) {
      const rank = 1 + int(6);
      const shape = Array.from({ length: rank }, () => 1 + int(5));
      const begin = shape.map((n) => int(n));
      const size = shape.map((n, d) => (rand() < 0.3 ? -1 : int(n - begin[d] + 1)));
      const n = shape.reduce((a, b) => a * b, 1);
      const vals = Array.from({ length: n }, (_, i) => i);
      const dtype = (["float32", "int32", "bool"] as const)[trial % 3];
      const x = tf.tensor(dtype === "bool" ? vals.map((v) => v % 3 === 0) : vals, shape, dtype);
      const got = tf.slice(x, begin, size);
      // By hand: every index of the output, mapped back into x.
      const sz = size.map((s, d) => (s === -1 ? shape[d] - begin[d] : s));
      const want: number[] = [];
      const idx = sz.map(() => 0);
      const total = sz.reduce((a, b) => a * b, 1);
      for (let k = 0; k < total; k++) {
        let off = 0;
        for (let d = 0; d < rank; d++) off = off * shape[d] + begin[d] + idx[d];
        want.push(dtype === "bool" ? Number(vals[off] % 3 === 0) : vals[off]);
        for (let d = rank - 1; d >= 0; d--) {
          if (++idx[d] < sz[d]) break;
          idx[d] = 0;
        }
      }
      expect(got.shape, `${shape} ${begin} ${size}`).toEqual(sz);
      expect(Array.from(got.dataSync()), `${shape} ${begin} ${size}`).toEqual(want);
      tf.dispose([x, got]);
    }
  });
});

describe("WASM Tanh (2σ(2x) − 1 on XNNPACK's sigmoid, Taylor series near 0)", () => {
  it("stays within 2e-7 of tanh and 1e-6 relative, keeps its sign, and passes NaN and ±∞ through", () => {
    const rand = mulberry32(5);
    const scales = [1e-3, 0.2, 0.3, 3, 12];
    const v = Float32Array.from({ length: 50_000 }, (_, i) => (rand() * 2 - 1) * scales[i % scales.length]);
    v.set([0, -0, 0.25, -0.25, 1e-30, 20, -20], 0);
    const got = tf.tanh(tf.tensor1d(v)).dataSync();
    for (let i = 0; i < v.length; i++) {
      const want = Math.tanh(v[i]);
      expect(Math.abs(got[i] - want), `tanh(${v[i]})`).toBeLessThanOrEqual(2e-7);
      if (want !== 0)
        expect(Math.abs(got[i] - want) / Math.abs(want), `tanh(${v[i]})`).toBeLessThanOrEqual(1e-6);
      expect(Math.sign(got[i]), `tanh(${v[i]})`).toBe(Math.sign(want));
    }
    expect(Array.from(tf.tanh(tf.tensor1d([Number.NaN, Infinity, -Infinity])).dataSync())).toEqual([
      Number.NaN,
      1,
      -1,
    ]);
  });

  it("keeps tfjs's gradient, 1 − tanh²", () => {
    const x = tf.randomNormal([8, 64, 16], 0, 2, "float32", 3);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.tanh(a)))(x);
    const want = tf.sub(1, tf.square(tf.tanh(x)));
    expect(tf.max(tf.abs(tf.sub(g, want))).dataSync()[0]).toBe(0);
  });
});
