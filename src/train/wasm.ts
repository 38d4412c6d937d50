/**
 * tfjs's WASM backend, with one kernel fixed: Slice.
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

fixWasmSlice();
