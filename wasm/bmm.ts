// LR Lab's batched matMul for tfjs-wasm (AssemblyScript, WebAssembly SIMD). `npm run build:kernels` compiles it
// into src/train/bmmWasm.ts; a test checks that the committed bytes are this source's.
//
// C[p] = op(A[p]) @ op(B[p]) in float32, row-major, for p < batch. A[p] starts aStride floats after A[p − 1]
// (0: one A for every p), B[p] likewise. ta: A is stored [K, M]; tb: B is stored [N, K].
// - B as stored [K, N] (tb = 0): each output row accumulates A[i, k] · B[k, j..j+3] in the order k = 0, 1, …, as
//   tfjs-wasm's loop does: sixteen columns at a time in registers, the rest four at a time in memory.
// - B as stored [N, K] (tb = 1): dot products along k, four lanes at a time when A is [M, K] (ta = 0).
export function bmm(
  a: usize,
  b: usize,
  c: usize,
  batch: i32,
  aStride: i32,
  bStride: i32,
  M: i32,
  K: i32,
  N: i32,
  ta: i32,
  tb: i32,
): void {
  const sAi = ta ? 1 : K;
  const sAk = ta ? M : 1;
  for (let p = 0; p < batch; p++) {
    const A = a + ((<usize>(p * aStride)) << 2);
    const B = b + ((<usize>(p * bStride)) << 2);
    const C = c + ((<usize>(p * M * N)) << 2);
    if (!tb) {
      const N4 = N & ~3;
      const N16 = N & ~15;
      for (let i = 0; i < M; i++) {
        const crow = C + ((<usize>(i * N)) << 2);
        // Sixteen columns at a time in registers, then four at a time in memory: the same sums in the same order.
        for (let j = 0; j < N16; j += 16) {
          let c0 = f32x4.splat(0);
          let c1 = f32x4.splat(0);
          let c2 = f32x4.splat(0);
          let c3 = f32x4.splat(0);
          for (let k = 0; k < K; k++) {
            const as = f32x4.splat(load<f32>(A + ((<usize>(i * sAi + k * sAk)) << 2)));
            const brow = B + ((<usize>(k * N + j)) << 2);
            c0 = f32x4.add(c0, f32x4.mul(as, v128.load(brow)));
            c1 = f32x4.add(c1, f32x4.mul(as, v128.load(brow, 16)));
            c2 = f32x4.add(c2, f32x4.mul(as, v128.load(brow, 32)));
            c3 = f32x4.add(c3, f32x4.mul(as, v128.load(brow, 48)));
          }
          const o = crow + ((<usize>j) << 2);
          v128.store(o, c0);
          v128.store(o, c1, 16);
          v128.store(o, c2, 32);
          v128.store(o, c3, 48);
        }
        if (N16 === N) continue;
        for (let j = N16; j < N4; j += 4) v128.store(crow + ((<usize>j) << 2), f32x4.splat(0));
        for (let j = N4; j < N; j++) store<f32>(crow + ((<usize>j) << 2), 0);
        for (let k = 0; k < K; k++) {
          const av = load<f32>(A + ((<usize>(i * sAi + k * sAk)) << 2));
          const as = f32x4.splat(av);
          const brow = B + ((<usize>(k * N)) << 2);
          for (let j = N16; j < N4; j += 4) {
            const o = (<usize>j) << 2;
            v128.store(crow + o, f32x4.add(v128.load(crow + o), f32x4.mul(as, v128.load(brow + o))));
          }
          for (let j = N4; j < N; j++) {
            const o = (<usize>j) << 2;
            store<f32>(crow + o, load<f32>(crow + o) + av * load<f32>(brow + o));
          }
        }
      }
    } else {
      const K4 = ta ? 0 : K & ~3;
      const N4 = K4 ? N & ~3 : 0;
      for (let i = 0; i < M; i++) {
        // Four dot products at a time, A's row read once for the four: each the same sum in the same order.
        for (let j = 0; j < N4; j += 4) {
          const b0 = B + ((<usize>(j * K)) << 2);
          const kb = (<usize>K) << 2;
          let d0 = f32x4.splat(0);
          let d1 = f32x4.splat(0);
          let d2 = f32x4.splat(0);
          let d3 = f32x4.splat(0);
          for (let k = 0; k < K4; k += 4) {
            const o = (<usize>k) << 2;
            const av = v128.load(A + ((<usize>(i * K + k)) << 2));
            d0 = f32x4.add(d0, f32x4.mul(av, v128.load(b0 + o)));
            d1 = f32x4.add(d1, f32x4.mul(av, v128.load(b0 + kb + o)));
            d2 = f32x4.add(d2, f32x4.mul(av, v128.load(b0 + 2 * kb + o)));
            d3 = f32x4.add(d3, f32x4.mul(av, v128.load(b0 + 3 * kb + o)));
          }
          const c = C + ((<usize>(i * N + j)) << 2);
          store<f32>(c, dotTail(A, b0, i, K4, K, f32sum(d0)));
          store<f32>(c, dotTail(A, b0 + kb, i, K4, K, f32sum(d1)), 4);
          store<f32>(c, dotTail(A, b0 + 2 * kb, i, K4, K, f32sum(d2)), 8);
          store<f32>(c, dotTail(A, b0 + 3 * kb, i, K4, K, f32sum(d3)), 12);
        }
        for (let j = N4; j < N; j++) {
          const brow = B + ((<usize>(j * K)) << 2);
          let acc = f32x4.splat(0);
          for (let k = 0; k < K4; k += 4)
            acc = f32x4.add(
              acc,
              f32x4.mul(v128.load(A + ((<usize>(i * K + k)) << 2)), v128.load(brow + ((<usize>k) << 2))),
            );
          let s: f32 =
            f32x4.extract_lane(acc, 0) +
            f32x4.extract_lane(acc, 1) +
            f32x4.extract_lane(acc, 2) +
            f32x4.extract_lane(acc, 3);
          for (let k = K4; k < K; k++)
            s += load<f32>(A + ((<usize>(i * sAi + k * sAk)) << 2)) * load<f32>(brow + ((<usize>k) << 2));
          store<f32>(C + ((<usize>(i * N + j)) << 2), s);
        }
      }
    }
  }
}

// The four lanes of a dot product's partial sums, added in lane order.
function f32sum(acc: v128): f32 {
  return (
    f32x4.extract_lane(acc, 0) +
    f32x4.extract_lane(acc, 1) +
    f32x4.extract_lane(acc, 2) +
    f32x4.extract_lane(acc, 3)
  );
}

// s plus A[i, k] · B[j, k] for k = from … K − 1 (A as stored [M, K], brow = B's row j).
function dotTail(A: usize, brow: usize, i: i32, from: i32, K: i32, s: f32): f32 {
  for (let k = from; k < K; k++)
    s += load<f32>(A + ((<usize>(i * K + k)) << 2)) * load<f32>(brow + ((<usize>k) << 2));
  return s;
}

// Transpose of 4-byte elements: dst = src with its dimensions reordered. The caller gives, for each of the
// output's `rank` dimensions (at least two), its size (`size`), its input stride (`step`) and its output stride
// (`outStride`), as i32 arrays; `q` is the output dimension that reads the input in order (input stride 1), and
// not the output's innermost. The output's innermost dimension and dimension q are copied in tiles of
// `tile` × `tile`, for every index of the other dimensions (`idx`: rank i32 of scratch).
export function transpose(
  src: usize,
  dst: usize,
  rank: i32,
  size: usize,
  step: usize,
  outStride: usize,
  q: i32,
  idx: usize,
  tile: i32,
): void {
  const last = rank - 1;
  const A = load<i32>(size + ((<usize>q) << 2));
  const oA = load<i32>(outStride + ((<usize>q) << 2));
  const Bn = load<i32>(size + ((<usize>last) << 2));
  const sB = load<i32>(step + ((<usize>last) << 2));
  let count = 1;
  for (let d = 0; d < last; d++) {
    store<i32>(idx + ((<usize>d) << 2), 0);
    if (d !== q) count *= load<i32>(size + ((<usize>d) << 2));
  }
  let from = 0;
  let to = 0;
  for (let n = 0; n < count; n++) {
    for (let a0 = 0; a0 < A; a0 += tile)
      for (let b0 = 0; b0 < Bn; b0 += tile) {
        const a1 = min(A, a0 + tile);
        const b1 = min(Bn, b0 + tile);
        for (let a = a0; a < a1; a++) {
          let i = from + a + b0 * sB;
          const o = dst + ((<usize>(to + a * oA)) << 2);
          for (let b = b0; b < b1; b++, i += sB)
            store<u32>(o + ((<usize>b) << 2), load<u32>(src + ((<usize>i) << 2)));
        }
      }
    for (let d = last - 1; d >= 0; d--) {
      if (d === q) continue;
      const o = (<usize>d) << 2;
      const s = load<i32>(step + o);
      const t = load<i32>(outStride + o);
      const k = load<i32>(idx + o) + 1;
      from += s;
      to += t;
      if (k < load<i32>(size + o)) {
        store<i32>(idx + o, k);
        break;
      }
      store<i32>(idx + o, 0);
      from -= s * k;
      to -= t * k;
    }
  }
}

// The filter gradient of a 3 × 3 convolution, stride 1, 'same' zero padding, for each of `runs` stacked runs:
// dW[r, (di·3 + dj)·C1 + c, o] = Σ over b, i, j of h[r, b, i + di − 1, j + dj − 1, c] · dy[r, b, i, j, o], with
// h [runs, B, S, S, C1] and dy [runs, B, S, S, C2] (NHWC) and C2 a multiple of 16: for two rows of dW (two
// channels) at a time, sixteen columns in registers, summed over b, i, j in that order (taps that fall in the
// padding add nothing).
export function convFilterGrad3x3(
  h: usize,
  dy: usize,
  out: usize,
  runs: i32,
  B: i32,
  S: i32,
  C1: i32,
  C2: i32,
): void {
  const plane = S * S;
  for (let r = 0; r < runs; r++) {
    const hr = h + ((<usize>(r * B * plane * C1)) << 2);
    const dr = dy + ((<usize>(r * B * plane * C2)) << 2);
    const or = out + ((<usize>(r * 9 * C1 * C2)) << 2);
    for (let t = 0; t < 9; t++) {
      const di = t / 3 - 1;
      const dj = (t % 3) - 1;
      const i0 = max(0, -di);
      const i1 = min(S, S - di);
      const j0 = max(0, -dj);
      const j1 = min(S, S - dj);
      // Two channels at a time (eight independent sums, dy's row read once for both); an odd last channel
      // pairs with zeros and stores only its own row.
      for (let c = 0; c < C1; c += 2)
        for (let o = 0; o < C2; o += 16) {
          const two = c + 1 < C1;
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          let a2 = f32x4.splat(0);
          let a3 = f32x4.splat(0);
          let e0 = f32x4.splat(0);
          let e1 = f32x4.splat(0);
          let e2 = f32x4.splat(0);
          let e3 = f32x4.splat(0);
          for (let b = 0; b < B; b++)
            for (let i = i0; i < i1; i++) {
              const row = b * plane + i * S;
              for (let j = j0; j < j1; j++) {
                const p = row + j;
                const hp = hr + ((<usize>((p + di * S + dj) * C1 + c)) << 2);
                const hv = f32x4.splat(load<f32>(hp));
                const hw = f32x4.splat(two ? load<f32>(hp, 4) : 0);
                const d = dr + ((<usize>(p * C2 + o)) << 2);
                const d0 = v128.load(d);
                const d1 = v128.load(d, 16);
                const d2 = v128.load(d, 32);
                const d3 = v128.load(d, 48);
                a0 = f32x4.add(a0, f32x4.mul(hv, d0));
                a1 = f32x4.add(a1, f32x4.mul(hv, d1));
                a2 = f32x4.add(a2, f32x4.mul(hv, d2));
                a3 = f32x4.add(a3, f32x4.mul(hv, d3));
                e0 = f32x4.add(e0, f32x4.mul(hw, d0));
                e1 = f32x4.add(e1, f32x4.mul(hw, d1));
                e2 = f32x4.add(e2, f32x4.mul(hw, d2));
                e3 = f32x4.add(e3, f32x4.mul(hw, d3));
              }
            }
          const w = or + ((<usize>((t * C1 + c) * C2 + o)) << 2);
          v128.store(w, a0);
          v128.store(w, a1, 16);
          v128.store(w, a2, 32);
          v128.store(w, a3, 48);
          if (!two) continue;
          const x = w + ((<usize>C2) << 2);
          v128.store(x, e0);
          v128.store(x, e1, 16);
          v128.store(x, e2, 32);
          v128.store(x, e3, 48);
        }
    }
  }
}
