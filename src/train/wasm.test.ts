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
