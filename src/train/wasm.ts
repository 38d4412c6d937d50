/**
 * tfjs's WASM backend, with seven kernels replaced: Slice (below), Transpose (fixWasmTranspose), Identity
 * (fixWasmIdentity), Cast to the same dtype (fixWasmCast), Tanh (fixWasmTanh), BatchMatMul (fixWasmBatchMatMul)
 * and Sum over middle axes (fixWasmSum).
 *
 * tfjs-backend-wasm 4.22's Slice reads its input with `readSync`, which copies the *whole* input out of the
 * WASM heap before taking the slice. Taking each run's block out of an [R, …] tensor therefore copies R
 * whole tensors: quadratic in the run count (measured in Node: one 0.9 MB slice of a 7.2 MB tensor took
 * 4.8 ms, a clone of the whole tensor 0.8 ms). This Slice copies only what it takes, block by contiguous
 * block, straight from the heap (strings, and scalars, go to the original kernel).
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { BMM_WASM } from "./bmmWasm";

interface WasmBackendInternals {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
  /** The Emscripten module: its exports (`asm`, with the heap's memory) and its allocator. */
  wasm: { asm?: { memory?: WebAssembly.Memory }; _malloc(bytes: number): number; _free(ptr: number): void };
}

const replaced = new Set<string>();

/**
 * Register `make(original)` as the WASM backend's kernel `name`, once (idempotent); `make` gets the original
 * kernel function for the cases it leaves alone. Nothing happens where the kernel (or WebAssembly) is missing.
 */
function replaceKernel(name: string, make: (slow: tf.KernelFunc) => tf.KernelFunc): void {
  const orig = tf.getKernel(name, "wasm");
  if (replaced.has(name) || !orig || typeof WebAssembly === "undefined") return;
  replaced.add(name);
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({ ...orig, kernelFunc: make(orig.kernelFunc) });
}

/** Replace the WASM backend's Slice with the contiguous-block fast path (idempotent). */
export function fixWasmSlice(): void {
  replaceKernel("Slice", (slow) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { begin, size } = args.attrs as unknown as { begin: number[]; size: number[] };
    if (x.dtype === "string" || x.shape.length === 0) return slow(args);
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const backend = args.backend as unknown as WasmBackendInternals;
    const shape = x.shape;
    const rank = shape.length;
    // The slice is a grid of contiguous blocks: dims k+1… are taken whole, dim k partly.
    let k = rank - 1;
    let inner = 1;
    while (k > 0 && b[k] === 0 && s[k] === shape[k]) inner *= shape[k--];
    const block = s[k] * inner;
    const strides = tf.util.computeStrides(shape);
    const out = backend.makeOutput(s, x.dtype);
    // Views taken after the output exists: making it may have grown (and moved) the heap.
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const idx = b.slice(0, k);
    let blocks = 1;
    for (let d = 0; d < k; d++) blocks *= s[d];
    for (let n = 0; n < blocks; n++) {
      let off = b[k] * inner;
      for (let d = 0; d < k; d++) off += idx[d] * strides[d];
      dst.set(src.subarray(off, off + block), n * block);
      for (let d = k - 1; d >= 0; d--) {
        if (++idx[d] < b[d] + s[d]) break;
        idx[d] = b[d];
      }
    }
    return out;
  });
}

/**
 * The shape and permutation of a transpose with size-1 dimensions dropped and dimensions that stay neighbours
 * merged: [8, 1024, 128] by [0, 2, 1] stays as it is; [64, 32, 2, 16] by [0, 2, 1, 3] stays; [1, 5, 6] by
 * [0, 2, 1] is [5, 6] by [1, 0]. A permutation of length ≤ 1 moves nothing.
 */
export function collapseTranspose(shape: readonly number[], perm: readonly number[]): [number[], number[]] {
  const index = shape.map((_, d) => shape.slice(0, d).filter((n) => n !== 1).length); // renumbered
  const kept = perm.filter((d) => shape[d] !== 1).map((d) => index[d]);
  const sizes = shape.filter((n) => n !== 1);
  const runs: number[][] = [];
  for (const d of kept) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] + 1 === d) last.push(d);
    else runs.push([d]);
  }
  const firsts = runs.map((r) => r[0]).sort((a, b) => a - b);
  const size = new Map(runs.map((r) => [r[0], r.reduce((n, d) => n * sizes[d], 1)]));
  return [firsts.map((d) => size.get(d)!), runs.map((r) => firsts.indexOf(r[0]))];
}

/**
 * Replace the WASM backend's Transpose (idempotent). tfjs-backend-wasm 4.22's took 8.7 ms for 8 char-LM runs'
 * [8, 1024, 128] by [0, 2, 1] in Node (8 ns per element: its walk's strides collide in the cache). This one
 * copies 16 × 16 tiles in LR Lab's module (wasm/bmm.ts): 0.85 ms even when it still copied x into a memory of
 * its own and the result back (it now works in tfjs's heap, bmmModule). Transposes that
 * keep the innermost dimension (whole rows move), tiles narrower than 16, and dtypes other than float32 and
 * int32 go to the original, which is as fast there.
 */
export function fixWasmTranspose(): void {
  replaceKernel("Transpose", (slow) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { perm } = args.attrs as unknown as { perm: number[] };
    if (x.dtype !== "float32" && x.dtype !== "int32") return slow(args);
    const [shape, p] = collapseTranspose(x.shape, perm);
    const q = p.indexOf(p.length - 1); // the output dimension that reads the input in order
    // Rows moved whole, or tiles under TILE wide: the original is as fast or faster (copies, measured).
    if (q < 0 || q === p.length - 1 || shape[p[q]] < TILE || shape[p[p.length - 1]] < TILE) return slow(args);
    const backend = args.backend as unknown as WasmBackendInternals;
    const k = bmmModule(backend);
    if (!k) return slow(args);
    const out = backend.makeOutput(
      perm.map((d) => x.shape[d]),
      x.dtype,
    );
    transposeInto(k, backend, x, out, shape, p, q);
    return out;
  });
}

/** The output of a kernel that changes nothing: `x` itself, one more reference to its memory. */
function share(backend: WasmBackendInternals, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Replace the WASM backend's Identity (idempotent) with the CPU backend's: the output shares the input's memory
 * (one more reference), as Reshape already does on WASM. tfjs never writes a tensor's memory after creating it
 * (a variable's assign takes a new buffer), so nothing can tell the two apart. tfjs-backend-wasm 4.22 copied:
 * 40 copies of [8, 1024, 32] per step of 8 char-LM runs, 2.3 ms. Strings go to the original.
 */
export function fixWasmIdentity(): void {
  replaceKernel("Identity", (slow) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === "string") return slow(args);
    return share(args.backend as unknown as WasmBackendInternals, x);
  });
}

/**
 * Replace the WASM backend's Cast (idempotent): a cast to the dtype x already has shares x's memory, as
 * Identity does. tfjs-backend-wasm 4.22 copies it, and tfjs casts float32 to float32 in every `tf.moments`
 * and in its gradient: 13 copies of up to [8, 1024, 32] per step of 8 char-LM runs, 3.0 ms in the app's
 * worker. A cast to bool is x ≠ 0, as on the CPU backend (tfjs-wasm copied the low byte: −2 became 254).
 * Other casts go to the original.
 */
export function fixWasmCast(): void {
  replaceKernel("Cast", (slow) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
    const backend = args.backend as unknown as WasmBackendInternals;
    if (x.dtype === "string" || dtype === "string") return slow(args);
    if (x.dtype === dtype) return share(backend, x);
    if (dtype !== "bool") return slow(args);
    const out = backend.makeOutput(x.shape, "bool");
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
    return out;
  });
}

/** Below this |x|, tanh is its Taylor series to x⁹ (the sigmoid form would cancel): under 1e-8 relative. */
const TANH_SERIES = 0.25;

/**
 * Replace the WASM backend's Tanh (idempotent). tfjs-backend-wasm 4.22 evaluates tanh with the C library, one
 * element at a time: 82 µs for 8 MLP runs' [8, 64, 16] activations, against 9 µs for its XNNPACK sigmoid. This
 * Tanh is 2·σ(2x) − 1 on that sigmoid, with the Taylor series x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835 where |x| < 1/4
 * (there the sigmoid form loses digits to cancellation). It stays within 2e-7 of tanh, which is float32's own
 * rounding at |tanh| near 1; the kernel's gradient (1 − y²) is tfjs's own. Other dtypes go to the original.
 */
export function fixWasmTanh(): void {
  const sigmoid = tf.getKernel("Sigmoid", "wasm");
  if (!sigmoid) return;
  replaceKernel("Tanh", (slow) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype !== "float32") return slow(args);
    const backend = args.backend as unknown as WasmBackendInternals;
    const twice = backend.makeOutput(x.shape, "float32");
    const n = tf.util.sizeFromShape(x.shape);
    let src = backend.typedArrayFromHeap(x);
    const t = backend.typedArrayFromHeap(twice);
    for (let i = 0; i < n; i++) t[i] = 2 * src[i];
    const out = sigmoid.kernelFunc({ ...args, inputs: { x: twice } }) as tf.TensorInfo;
    backend.disposeData(twice.dataId);
    // Views taken again: the sigmoid's output may have grown (and moved) the heap.
    src = backend.typedArrayFromHeap(x);
    const y = backend.typedArrayFromHeap(out);
    for (let i = 0; i < n; i++) {
      const v = src[i];
      if (Math.abs(v) < TANH_SERIES) {
        const v2 = v * v;
        y[i] = v * (1 + v2 * (-1 / 3 + v2 * (2 / 15 + v2 * (-17 / 315 + (v2 * 62) / 2835))));
      } else y[i] = 2 * y[i] - 1;
    }
    return out;
  });
}

/**
 * LR Lab's SIMD module (wasm/bmm.ts), instantiated on first use on tfjs-wasm's own memory: it reads the
 * tensors where tfjs keeps them and writes into outputs tfjs allocated, with no copies in or out (the module has
 * no data, globals or stack of its own: it touches only the addresses it is given). Copying in and out of a
 * memory of its own took 9.5 of 116 ms per step for 8 char-LM runs in the app's worker. null where the heap's
 * memory is not reachable (a threaded build's shared memory): the kernels then go to tfjs-wasm's own.
 */
let bmm: {
  run: (...args: number[]) => void;
  transpose: (...args: number[]) => void;
  convFilterGrad: (...args: number[]) => void;
} | null = null;
/** The heap `bmm` was instantiated on: a WASM backend made again (a new heap) gets a new instance. */
let bmmHeap: WebAssembly.Memory | undefined;
function bmmModule(backend: WasmBackendInternals) {
  const memory = backend.wasm.asm?.memory;
  if (memory !== bmmHeap) {
    bmmHeap = memory;
    bmm = null;
    const shared = typeof SharedArrayBuffer !== "undefined" && memory?.buffer instanceof SharedArrayBuffer;
    if (memory instanceof WebAssembly.Memory && !shared) {
      const bytes = Uint8Array.from(atob(BMM_WASM), (c) => c.charCodeAt(0));
      const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
      bmm = {
        run: exports.bmm as (...a: number[]) => void,
        transpose: exports.transpose as (...a: number[]) => void,
        convFilterGrad: exports.convFilterGrad3x3 as (...a: number[]) => void,
      };
    }
  }
  return bmm;
}

/** Whether LR Lab's module runs in the current WASM backend's heap (false: its kernels fall back to tfjs-wasm's). */
export const wasmKernelsInHeap = (): boolean =>
  tf.getBackend() === "wasm" && bmmModule(tf.backend() as unknown as WasmBackendInternals) !== null;

/** `f(ptr)` with `bytes` of scratch in tfjs-wasm's heap, freed after. */
function withScratch<T>(backend: WasmBackendInternals, bytes: number, f: (ptr: number) => T): T {
  const ptr = backend.wasm._malloc(bytes);
  try {
    return f(ptr);
  } finally {
    backend.wasm._free(ptr);
  }
}

/** A tensor's byte offset in tfjs-wasm's heap. */
const heapOffset = (backend: WasmBackendInternals, t: tf.TensorInfo) =>
  backend.typedArrayFromHeap(t).byteOffset;

/** Side of the square tiles a transpose copies (wasm/bmm.ts: transpose). */
const TILE = 16;

/**
 * out = x with its dimensions in the order `p` (the collapsed shape and permutation of collapseTranspose, at
 * least two dimensions; `q` the output dimension that is the input's innermost, not the output's innermost),
 * in the module, straight from x's memory into out's; the sizes and strides in scratch.
 */
function transposeInto(
  k: NonNullable<typeof bmm>,
  backend: WasmBackendInternals,
  x: tf.TensorInfo,
  out: tf.TensorInfo,
  shape: readonly number[],
  p: readonly number[],
  q: number,
): void {
  const r = p.length;
  const strides = (dims: number[]) => [...tf.util.computeStrides(dims), 1];
  const inStride = strides([...shape]);
  const size = p.map((d) => shape[d]);
  const outStride = strides(size);
  const [src, dst] = [heapOffset(backend, x), heapOffset(backend, out)];
  withScratch(backend, 4 * r * 4, (meta) => {
    const heap = new Int32Array(backend.typedArrayFromHeap(out).buffer, meta, 4 * r);
    heap.set(size, 0);
    heap.set(
      p.map((d) => inStride[d]),
      r,
    );
    heap.set(outStride, 2 * r);
    k.transpose(src, dst, r, meta, meta + r * 4, meta + 2 * r * 4, q, meta + 3 * r * 4, TILE);
  });
}

/**
 * Replace the WASM backend's BatchMatMul (idempotent). tfjs-backend-wasm 4.22 hands a matMul to XNNPACK only
 * when it is one plain 2-D product; a batched one ([R, M, K] @ [R, K, N], every stacked run's layer at once) or
 * a transposed one (what autodiff emits for gradients) runs in a scalar loop, about 0.9 ns per multiply-add.
 * This kernel runs those in LR Lab's WebAssembly SIMD loop (wasm/bmm.ts), sixteen columns (or four dot
 * products) at a time in registers: 18 µs instead of 113 µs for 8 MLP runs' [8, 64, 16] @ [8, 16, 16], 0.7 ms
 * instead of 6.0 ms for the char-LM's attention ([512, 32, 32] @ [512, 32, 16]), in Node, measured when it still
 * copied its operands into a memory of its own (it now works in tfjs's heap, bmmModule). The
 * plain 2-D product still goes to XNNPACK, and batch shapes other than equal or one-sided (all ones) go to the
 * original.
 */
export function fixWasmBatchMatMul(): void {
  replaceKernel("BatchMatMul", (slow) => (args) => {
    const a = args.inputs.a as tf.TensorInfo;
    const b = args.inputs.b as tf.TensorInfo;
    const { transposeA: ta, transposeB: tb } = args.attrs as unknown as {
      transposeA: boolean;
      transposeB: boolean;
    };
    if (a.dtype !== "float32" || b.dtype !== "float32") return slow(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const outerA = a.shape.slice(0, ra - 2);
    const outerB = b.shape.slice(0, rb - 2);
    const batchA = tf.util.sizeFromShape(outerA);
    const batchB = tf.util.sizeFromShape(outerB);
    if (batchA === 1 && batchB === 1 && !ta && !tb) return slow(args); // XNNPACK's case
    const same = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
    if (!same && batchA !== 1 && batchB !== 1) return slow(args);
    const M = ta ? a.shape[ra - 1] : a.shape[ra - 2];
    const K = ta ? a.shape[ra - 2] : a.shape[ra - 1];
    const N = tb ? b.shape[rb - 2] : b.shape[rb - 1];
    if ((tb ? b.shape[rb - 1] : b.shape[rb - 2]) !== K) return slow(args);
    const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
    const batch = Math.max(batchA, batchB);
    const backend = args.backend as unknown as WasmBackendInternals;
    const k = bmmModule(backend);
    if (!k) return slow(args);
    const out = backend.makeOutput([...outer, M, N], "float32");
    bmmInto(k, backend, out, a, b, {
      batch,
      strideA: batchA === 1 ? 0 : M * K,
      strideB: batchB === 1 ? 0 : K * N,
      M,
      K,
      N,
      ta,
      tb,
    });
    return out;
  });
}

/**
 * out[batch, M, N] = A @ B in the SIMD module, read and written where tfjs keeps them. `a` as a number: that many
 * ones, in scratch. A stride of 0 repeats one matrix over the batch.
 */
function bmmInto(
  k: NonNullable<typeof bmm>,
  backend: WasmBackendInternals,
  out: tf.TensorInfo,
  a: tf.TensorInfo | number,
  b: tf.TensorInfo,
  p: {
    batch: number;
    strideA: number;
    strideB: number;
    M: number;
    K: number;
    N: number;
    ta: boolean;
    tb: boolean;
  },
): void {
  const run = (ptrA: number) =>
    k.run(
      ptrA,
      heapOffset(backend, b),
      heapOffset(backend, out),
      p.batch,
      p.strideA,
      p.strideB,
      p.M,
      p.K,
      p.N,
      +p.ta,
      +p.tb,
    );
  if (typeof a !== "number") run(heapOffset(backend, a));
  else
    withScratch(backend, a * 4, (ones) => {
      new Float32Array(backend.typedArrayFromHeap(out).buffer, ones, a).fill(1);
      run(ones);
    });
}

/**
 * Replace the WASM backend's Sum for reductions over middle axes (idempotent). tfjs-wasm 4.22 transposes the
 * reduced axes innermost first, a full copy: a bias's gradient, Σ over the tokens of dY [R, N, D], took 0.85 ms
 * for 8 char-LM runs' [8, 1024, 32]. Here it is the SIMD loop's ones[1, N] @ dY: the same float32 sums, in the
 * same order (n = 0, 1, …), four columns at a time. Sums that include the innermost axis, and other dtypes, go
 * to the original.
 */
export function fixWasmSum(): void {
  replaceKernel("Sum", (slow) => (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    if (x.dtype !== "float32") return slow(args);
    const shape = x.shape;
    const axes = tf.util.parseAxisParam(axis, shape).sort((p, q) => p - q);
    const first = axes[0];
    const last = axes[axes.length - 1];
    if (!axes.length || last >= shape.length - 1 || last - first !== axes.length - 1) return slow(args);
    const size = (from: number, to: number) => tf.util.sizeFromShape(shape.slice(from, to));
    const outer = size(0, first);
    const mid = size(first, last + 1);
    const inner = size(last + 1, shape.length);
    const outShape = keepDims
      ? shape.map((d, i) => (i >= first && i <= last ? 1 : d))
      : shape.filter((_, i) => i < first || i > last);
    const backend = args.backend as unknown as WasmBackendInternals;
    const k = bmmModule(backend);
    if (!k) return slow(args);
    const out = backend.makeOutput(outShape, "float32");
    bmmInto(k, backend, out, mid, x, {
      batch: outer,
      strideA: 0,
      strideB: mid * inner,
      M: 1,
      K: mid,
      N: inner,
      ta: false,
      tb: false,
    });
    return out;
  });
}

/** LR Lab's kernel for the filter gradient of a stacked 3 × 3 convolution on WASM (conv3x3FilterGrad). */
const CONV3X3_FILTER_GRAD = "LrLabConv3x3FilterGrad";

/**
 * The filter gradient of R stacked 3 × 3 convolutions (stride 1, 'same'), in LR Lab's module, for every run at
 * once: h [R, B, S, S, C1] and dy [R, B, S, S, C2] (C2 a multiple of 16) → [R, 9·C1, C2], rows tap-major (as the
 * CNN's W2). null where it does not apply (another backend, another shape, the module unavailable): the caller
 * then takes the XNNPACK path. tfjs-wasm has no Conv2DBackpropFilter; as a convolution with the batch as channels
 * (cnn.ts) it ran at about 7 G multiply-adds per second, 4.1 ms per step for 8 CNN runs at batch 64 in Node,
 * plus a pad and transposes per run. Here it keeps sixteen outputs in registers.
 */
export function conv3x3FilterGrad(h: tf.Tensor, dy: tf.Tensor): tf.Tensor | null {
  if (tf.getBackend() !== "wasm" || h.rank !== 5 || dy.rank !== 5) return null;
  const [R, B, S, S2] = h.shape;
  const C2 = dy.shape[4] as number;
  const same = [R, B, S, S2].every((d, i) => d === dy.shape[i]);
  if (!same || S !== S2 || C2 % 16 !== 0 || h.dtype !== "float32" || dy.dtype !== "float32") return null;
  if (!bmmModule(tf.backend() as unknown as WasmBackendInternals)) return null;
  return tf.engine().runKernel(CONV3X3_FILTER_GRAD, { h, dy }) as tf.Tensor;
}

if (typeof WebAssembly !== "undefined" && !tf.getKernel(CONV3X3_FILTER_GRAD, "wasm"))
  tf.registerKernel({
    kernelName: CONV3X3_FILTER_GRAD,
    backendName: "wasm",
    kernelFunc: (args) => {
      const h = args.inputs.h as tf.TensorInfo;
      const dy = args.inputs.dy as tf.TensorInfo;
      const backend = args.backend as unknown as WasmBackendInternals;
      const [R, B, S, , C1] = h.shape;
      const C2 = dy.shape[4];
      const out = backend.makeOutput([R, 9 * C1, C2], "float32");
      bmmModule(backend)!.convFilterGrad(
        heapOffset(backend, h),
        heapOffset(backend, dy),
        heapOffset(backend, out),
        R,
        B,
        S,
        C1,
        C2,
      );
      return out;
    },
  });

fixWasmSlice();
fixWasmTanh();
fixWasmBatchMatMul();
fixWasmSum();
fixWasmTranspose();
fixWasmIdentity();
fixWasmCast();
