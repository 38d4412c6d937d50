/**
 * tfjs's WASM backend, with two kernels replaced: Slice (below) and Tanh (fixWasmTanh).
 *
 * tfjs-backend-wasm 4.22's Slice reads its input with `readSync`, which copies the *whole* input out of the
 * WASM heap before taking the slice. Taking each run's block out of an [R, …] tensor therefore copies R
 * whole tensors: quadratic in the run count (measured in Node: one 0.9 MB slice of a 7.2 MB tensor took
 * 4.8 ms, a clone of the whole tensor 0.8 ms). This Slice copies only what it takes, block by contiguous
 * block, straight from the heap (strings, and scalars, go to the original kernel).
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

interface WasmBackendInternals {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object): boolean;
}

let patched = false;

/** Replace the WASM backend's Slice with the contiguous-block fast path (idempotent). */
export function fixWasmSlice(): void {
  if (patched) return;
  const orig = tf.getKernel("Slice", "wasm");
  if (!orig) return;
  patched = true;
  const slow = orig.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
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
  };
  tf.unregisterKernel("Slice", "wasm");
  tf.registerKernel({ ...orig, kernelFunc });
}

/** Below this |x|, tanh is its Taylor series to x⁹ (the sigmoid form would cancel): under 1e-8 relative. */
const TANH_SERIES = 0.25;

let tanhPatched = false;

/**
 * Replace the WASM backend's Tanh (idempotent). tfjs-backend-wasm 4.22 evaluates tanh with the C library, one
 * element at a time: 82 µs for 8 MLP runs' [8, 64, 16] activations, against 9 µs for its XNNPACK sigmoid. This
 * Tanh is 2·σ(2x) − 1 on that sigmoid, with the Taylor series x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835 where |x| < 1/4
 * (there the sigmoid form loses digits to cancellation). It stays within 2e-7 of tanh, which is float32's own
 * rounding at |tanh| near 1; the kernel's gradient (1 − y²) is tfjs's own. Other dtypes go to the original.
 */
export function fixWasmTanh(): void {
  if (tanhPatched) return;
  const orig = tf.getKernel("Tanh", "wasm");
  const sigmoid = tf.getKernel("Sigmoid", "wasm");
  if (!orig || !sigmoid) return;
  tanhPatched = true;
  const slow = orig.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
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
  };
  tf.unregisterKernel("Tanh", "wasm");
  tf.registerKernel({ ...orig, kernelFunc });
}

fixWasmSlice();
fixWasmTanh();
