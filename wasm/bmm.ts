// LR Lab's batched matMul for tfjs-wasm (AssemblyScript, WebAssembly SIMD). `npm run build:kernels` compiles it
// into src/train/bmmWasm.ts; a test checks that the committed bytes are this source's.
//
// C[p] = op(A[p]) @ op(B[p]) in float32, row-major, for p < batch. A[p] starts aStride floats after A[p − 1]
// (0: one A for every p), B[p] likewise. ta: A is stored [K, M]; tb: B is stored [N, K].
// - B as stored [K, N] (tb = 0): each output row accumulates A[i, k] · B[k, j..j+3], four columns at a time, in
//   the order k = 0, 1, …, as tfjs-wasm's loop does.
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
      for (let i = 0; i < M; i++) {
        const crow = C + ((<usize>(i * N)) << 2);
        for (let j = 0; j < N4; j += 4) v128.store(crow + ((<usize>j) << 2), f32x4.splat(0));
        for (let j = N4; j < N; j++) store<f32>(crow + ((<usize>j) << 2), 0);
        for (let k = 0; k < K; k++) {
          const av = load<f32>(A + ((<usize>(i * sAi + k * sAk)) << 2));
          const as = f32x4.splat(av);
          const brow = B + ((<usize>(k * N)) << 2);
          for (let j = 0; j < N4; j += 4) {
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
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
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
