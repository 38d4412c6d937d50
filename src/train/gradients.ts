/**
 * Sum's and Mean's gradients without a tensor of ones. tfjs 4.22 writes both as dy (reshaped to keep the reduced
 * axes) × `ones(x.shape)`, and `ones` fills a JavaScript array the size of x and uploads it, on every backend,
 * at every step: a layer norm's moments and the loss make 22 of them per char-LM step, 2.1 ms of a 15 ms step
 * for one run and 9.9 of 116 ms for 8 runs (the app's worker on WASM, bench:worker-profile). Here the ones
 * are `tf.fill`, which each backend fills in its own memory (on WASM a native fill of its heap, on GPUs a
 * kernel), and the arithmetic is the same multiply, so the gradients are bit-identical. (Broadcasting dy with
 * `tf.broadcastTo` instead measured far slower on WASM: its Tile is an index loop in JavaScript, 80 ms per step
 * for 8 char-LM runs.) Registered once, for every backend, by importing this module (stack.ts does).
 */
import * as tf from "@tensorflow/tfjs";

/** dy, reduced over `axis` of x, reshaped to keep those axes as 1, times ones of x's shape (as tfjs does). */
function spread(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const kept = x.shape.slice();
  for (const a of tf.util.parseAxisParam(axis, x.shape)) kept[a] = 1;
  return tf.mul(tf.reshape(dy, kept), tf.fill(x.shape, 1, "float32"));
}

tf.registerGradient({
  kernelName: tf.Sum,
  inputsToSave: ["x"],
  gradFunc: (dy, [x], attrs) => ({
    x: () => spread(dy as tf.Tensor, x, (attrs as unknown as tf.SumAttrs).axis),
  }),
});

tf.registerGradient({
  kernelName: tf.Mean,
  inputsToSave: ["x"],
  gradFunc: (dy, [x], attrs) => ({
    x: () => {
      const { axis } = attrs as unknown as tf.MeanAttrs;
      const reduced = tf.util.parseAxisParam(axis, x.shape).reduce((n, a) => n * x.shape[a], 1);
      return tf.div(spread(dy as tf.Tensor, x, axis), reduced);
    },
  }),
});
