import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "./rng";
import { collapseTranspose, conv3x3FilterGrad, wasmKernelsInHeap } from "./wasm";

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

describe("WASM BatchMatMul (LR Lab's SIMD loop for batched and transposed products)", () => {
  /** op(A) @ op(B) in float64, every batch, with one-sided broadcasting. */
  function reference(
    a: Float32Array,
    b: Float32Array,
    bA: number,
    bB: number,
    M: number,
    K: number,
    N: number,
    ta: boolean,
    tb: boolean,
  ) {
    const batch = Math.max(bA, bB);
    const out = new Float64Array(batch * M * N);
    for (let p = 0; p < batch; p++)
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) {
            const x = a[(bA === 1 ? 0 : p) * M * K + (ta ? k * M + i : i * K + k)];
            const y = b[(bB === 1 ? 0 : p) * K * N + (tb ? j * K + k : k * N + j)];
            s += x * y;
          }
          out[(p * M + i) * N + j] = s;
        }
    return out;
  }

  it("equals the product in float64 to float32 rounding: random shapes, transposes and broadcasts", () => {
    const rand = mulberry32(17);
    const int = (n: number) => 1 + Math.floor(rand() * n);
    for (let trial = 0; trial < 200; trial++) {
      const [M, K, N] = [int(40), int(40), int(40)];
      const batch = int(6);
      const [bA, bB] = [
        [batch, batch],
        [1, batch],
        [batch, 1],
        [1, 1],
      ][trial % 4];
      const ta = rand() < 0.5;
      const tb = rand() < 0.5;
      const av = Float32Array.from({ length: bA * M * K }, () => rand() * 2 - 1);
      const bv = Float32Array.from({ length: bB * K * N }, () => rand() * 2 - 1);
      const a = tf.tensor3d(av, ta ? [bA, K, M] : [bA, M, K]);
      const b = tf.tensor3d(bv, tb ? [bB, N, K] : [bB, K, N]);
      const got = tf.matMul(a, b, ta, tb);
      const what = `trial ${trial}: [${a.shape}] ${ta ? "ᵀ" : ""} @ [${b.shape}] ${tb ? "ᵀ" : ""}`;
      expect(got.shape, what).toEqual([Math.max(bA, bB), M, N]);
      const want = reference(av, bv, bA, bB, M, K, N, ta, tb);
      const g = got.dataSync();
      for (let i = 0; i < want.length; i++)
        expect(Math.abs(g[i] - want[i]), what).toBeLessThanOrEqual(1e-5 * K);
      tf.dispose([a, b, got]);
    }
  });

  it("broadcasts outer dimensions as tfjs does, and leaves plain 2-D products to XNNPACK", () => {
    const a = tf.randomNormal([64, 2]);
    const w = tf.randomNormal([3, 2, 16]);
    expect(tf.matMul(tf.reshape(a, [1, 1, 64, 2]), w).shape).toEqual([1, 3, 64, 16]);
    const shared = tf.matMul(tf.reshape(a, [1, 64, 2]) as tf.Tensor3D, w as tf.Tensor3D);
    for (let r = 0; r < 3; r++) {
      const one = tf.matMul(
        a as tf.Tensor2D,
        tf.reshape(tf.slice(w, [r, 0, 0], [1, 2, 16]), [2, 16]) as tf.Tensor2D,
      );
      expect(
        tf.max(tf.abs(tf.sub(one, tf.slice(shared, [r, 0, 0], [1, 64, 16]).reshape([64, 16])))).dataSync()[0],
      ).toBeLessThan(1e-6);
    }
  });

  it("runs in tfjs-wasm's own heap (no copies in or out), and leaves no tensor behind", () => {
    expect(wasmKernelsInHeap()).toBe(true);
    const before = tf.memory().numBytes;
    tf.tidy(() => {
      for (let i = 0; i < 50; i++) {
        tf.matMul(tf.ones([4, 32, 16]), tf.ones([4, 16, 32])).dataSync(); // the loop
        tf.sum(tf.ones([4, 64, 8]), 1).dataSync(); // ones in scratch
        tf.transpose(tf.ones([4, 32, 48]), [0, 2, 1]).dataSync(); // strides in scratch
      }
    });
    expect(tf.memory().numBytes).toBe(before);
  });

  it("is wasm/bmm.ts as compiled by npm run build:kernels", async () => {
    // @ts-expect-error -- a plain ES module without types
    const { compileBmm, module } = await import("../../wasm/build.mjs");
    const { readFileSync } = await import("node:fs");
    expect(readFileSync("src/train/bmmWasm.ts", "utf8")).toBe(module(await compileBmm()));
  });
});

describe("WASM Sum over middle axes (ones @ x on the SIMD loop)", () => {
  it("equals the sum in float64 to float32 rounding, on random shapes and axes, with and without keepDims", () => {
    const rand = mulberry32(23);
    const int = (n: number) => 1 + Math.floor(rand() * n);
    for (let trial = 0; trial < 200; trial++) {
      const rank = 2 + Math.floor(rand() * 4);
      const shape = Array.from({ length: rank }, () => int(7));
      const first = Math.floor(rand() * rank);
      const last = first + Math.floor(rand() * (rank - first));
      const axes = Array.from({ length: last - first + 1 }, (_, i) => first + i);
      const keepDims = rand() < 0.5;
      const v = Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => rand() * 2 - 1);
      const got = tf.sum(tf.tensor(v, shape), axes, keepDims);
      const want = tf.tidy(() => {
        // By hand: the reduced axes moved last, then summed in float64.
        const rest = shape.map((_, i) => i).filter((i) => !axes.includes(i));
        const t = tf.transpose(tf.tensor(v, shape), [...rest, ...axes]);
        const inner = axes.reduce((p, a) => p * shape[a], 1);
        const flat = t.dataSync();
        const sums = Array.from({ length: flat.length / inner }, (_, o) => {
          let s = 0;
          for (let m = 0; m < inner; m++) s += flat[o * inner + m];
          return s;
        });
        return {
          sums,
          inner,
          shape: keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : rest.map((i) => shape[i]),
        };
      });
      const what = `sum of [${shape}] over [${axes}]${keepDims ? ", keepDims" : ""}`;
      expect(got.shape, what).toEqual(want.shape);
      const g = got.dataSync();
      want.sums.forEach((s, i) => {
        // float32 rounding of a sum of `inner` terms in [−1, 1]
        expect(Math.abs(g[i] - s), what).toBeLessThanOrEqual(1e-6 + 2e-7 * want.inner);
      });
      got.dispose();
    }
  });
});

describe("WASM Transpose (tiles in LR Lab's module where the innermost dimension moves)", () => {
  it("collapses size-1 dimensions and neighbours that stay neighbours", () => {
    expect(collapseTranspose([8, 1024, 128], [0, 2, 1])).toEqual([
      [8, 1024, 128],
      [0, 2, 1],
    ]);
    expect(collapseTranspose([1, 5, 6], [0, 2, 1])).toEqual([
      [5, 6],
      [1, 0],
    ]);
    expect(collapseTranspose([2, 3, 4, 5], [2, 3, 0, 1])).toEqual([
      [6, 20],
      [1, 0],
    ]);
    expect(collapseTranspose([4, 1, 3], [1, 0, 2])).toEqual([[12], [0]]);
  });

  it("equals a transpose taken by hand on random shapes, ranks 2–6, float32 and int32", () => {
    const rand = mulberry32(31);
    const int = (n: number) => Math.floor(rand() * n);
    for (let trial = 0; trial < 200; trial++) {
      const rank = 2 + int(5);
      // Two dimensions large enough for the tiled path (≥ 16), the others small (some of size 1).
      const big = [int(rank), int(rank)];
      let shape = Array.from({ length: rank }, (_, d) => (big.includes(d) ? 14 + int(30) : 1 + int(4)));
      while (shape.reduce((a, b) => a * b, 1) > 200_000) shape[shape.indexOf(Math.max(...shape))] >>= 1;
      let perm = shape.map((_, d) => d);
      for (let d = perm.length - 1; d > 0; d--) {
        const j = int(d + 1);
        [perm[d], perm[j]] = [perm[j], perm[d]];
      }
      // First the shapes that surely take the tiled path (the char-LM's, smaller; a rank-3 reversal).
      if (trial === 0)
        [shape, perm] = [
          [3, 40, 24],
          [0, 2, 1],
        ];
      if (trial === 1)
        [shape, perm] = [
          [17, 5, 33],
          [2, 1, 0],
        ];
      const rankNow = shape.length;
      const n = shape.reduce((a, b) => a * b, 1);
      const dtype = trial % 2 ? "int32" : "float32";
      const vals = Array.from({ length: n }, (_, i) => (dtype === "int32" ? i : i + 0.5));
      const got = tf.transpose(tf.tensor(vals, shape, dtype), perm);
      const outShape = perm.map((d) => shape[d]);
      const inStride = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
      const want: number[] = [];
      const idx = outShape.map(() => 0);
      for (let k = 0; k < n; k++) {
        want.push(vals[idx.reduce((off, i, d) => off + i * inStride[perm[d]], 0)]);
        for (let d = rankNow - 1; d >= 0; d--) {
          if (++idx[d] < outShape[d]) break;
          idx[d] = 0;
        }
      }
      const what = `[${shape}] by [${perm}], ${dtype}`;
      expect(got.shape, what).toEqual(outShape);
      expect(got.dtype, what).toBe(dtype);
      expect(Array.from(got.dataSync()), what).toEqual(want);
      got.dispose();
    }
  });
});

describe("WASM Identity (shares the input's memory, as Reshape does)", () => {
  it("a clone keeps its values after the original is disposed, and leaves nothing behind", () => {
    const before = tf.memory().numBytes;
    const x = tf.tensor([1.5, -2, 3], [3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2, 3]);
    const v = tf.variable(y);
    y.dispose();
    const next = tf.tensor([7, 8, 9], [3]);
    v.assign(next);
    next.dispose();
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    v.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });
});

describe("WASM Cast (a cast to the same dtype shares the input's memory; to bool, x ≠ 0)", () => {
  it("keeps its values after the original is disposed, leaves nothing behind, and real casts still convert", () => {
    const before = tf.memory().numBytes;
    const x = tf.tensor([1.5, -2, 3], [3]);
    const y = tf.cast(x, "float32");
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2, 3]);
    const i = tf.cast(y, "int32");
    expect(i.dtype).toBe("int32");
    expect(Array.from(i.dataSync())).toEqual([1, -2, 3]);
    const ints = tf.tensor([0, -2, 3, 256], [4], "int32");
    const b = tf.cast(ints, "bool"); // x ≠ 0, not the low byte
    expect(Array.from(b.dataSync())).toEqual([0, 1, 1, 1]);
    const floats = tf.tensor([0, -0.5, Number.NaN], [3]);
    const f = tf.cast(floats, "bool");
    expect(Array.from(f.dataSync())).toEqual([0, 1, 1]);
    for (const t of [y, i, ints, b, floats, f]) t.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });
});

describe("WASM 3×3 filter gradient (conv3x3FilterGrad, every run in one kernel)", () => {
  it("equals the sum in float64 to float32 rounding, on random shapes; other shapes are left to the caller", () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 30; trial++) {
      const [R, B, S, C1] = [
        1 + Math.floor(rand() * 3),
        1 + Math.floor(rand() * 4),
        2 + Math.floor(rand() * 7),
        1 + Math.floor(rand() * 9),
      ];
      const C2 = 16 * (1 + Math.floor(rand() * 2));
      const hv = Float32Array.from({ length: R * B * S * S * C1 }, () => rand() * 2 - 1);
      const dv = Float32Array.from({ length: R * B * S * S * C2 }, () => rand() * 2 - 1);
      const h = tf.tensor(hv, [R, B, S, S, C1]);
      const dy = tf.tensor(dv, [R, B, S, S, C2]);
      const got = conv3x3FilterGrad(h, dy);
      expect(got?.shape).toEqual([R, 9 * C1, C2]);
      const out = got!.dataSync();
      let worst = 0;
      for (let r = 0; r < R; r++)
        for (let t = 0; t < 9; t++)
          for (let c = 0; c < C1; c++)
            for (let o = 0; o < C2; o++) {
              let sum = 0;
              let mag = 0;
              const [di, dj] = [Math.floor(t / 3) - 1, (t % 3) - 1];
              for (let b = 0; b < B; b++)
                for (let i = 0; i < S; i++)
                  for (let j = 0; j < S; j++) {
                    const [y, x] = [i + di, j + dj];
                    if (y < 0 || y >= S || x < 0 || x >= S) continue;
                    const v =
                      hv[(((r * B + b) * S + y) * S + x) * C1 + c] *
                      dv[(((r * B + b) * S + i) * S + j) * C2 + o];
                    sum += v;
                    mag += Math.abs(v);
                  }
              const e = Math.abs(out[((r * 9 + t) * C1 + c) * C2 + o] - sum) / (mag + 1e-30);
              worst = Math.max(worst, e);
            }
      expect(worst).toBeLessThan(1e-6);
      for (const t of [h, dy, got!]) t.dispose();
    }
    tf.tidy(() => {
      expect(conv3x3FilterGrad(tf.ones([1, 2, 4, 4, 3]), tf.ones([1, 2, 4, 4, 8]))).toBeNull(); // C2 not 16·k
      expect(conv3x3FilterGrad(tf.ones([1, 2, 4, 4, 3]), tf.ones([1, 2, 5, 5, 16]))).toBeNull(); // shapes differ
    });
  });
});
