/** Toy datasets, generated from a seed (no download): 2-D classification for the first slice. */
import { mulberry32, normal, subSeed } from "./rng";

export interface Dataset {
  /** Row-major [n, dim]. */
  x: Float32Array;
  /** Class index per row. */
  y: Int32Array;
  n: number;
  dim: number;
  classes: number;
}

export interface TaskOptions {
  kind: "spiral" | "xor" | "circles" | "blobs";
  samples: number;
  noise: number;
}

export function makeDataset(opts: TaskOptions, seed: number): Dataset {
  const rand = mulberry32(subSeed(seed, 1));
  const gauss = normal(rand);
  const n = opts.samples;
  // Spiral keeps raw coordinates (|x| ≤ 5, as TF Playground): squeezed to [−1, 1] its 1.75 turns are too
  // fine for a small tanh MLP to resolve. The other tasks are scaled to about [−1, 1].
  const SCALE = opts.kind === "spiral" ? 1 : 5;
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    let a = 0;
    let b = 0;
    switch (opts.kind) {
      case "spiral": {
        const r = (Math.floor(i / 2) / (n / 2)) * 5;
        const t = ((1.75 * Math.floor(i / 2)) / (n / 2)) * 2 * Math.PI + c * Math.PI;
        a = r * Math.sin(t) + gauss() * opts.noise * 5 * 0.3;
        b = r * Math.cos(t) + gauss() * opts.noise * 5 * 0.3;
        break;
      }
      case "xor": {
        a = rand() * 10 - 5;
        b = rand() * 10 - 5;
        a += a > 0 ? 0.3 : -0.3;
        b += b > 0 ? 0.3 : -0.3;
        const label = a * b >= 0 ? 0 : 1;
        a += gauss() * opts.noise * 2;
        b += gauss() * opts.noise * 2;
        y[i] = label;
        x[2 * i] = a / 5;
        x[2 * i + 1] = b / 5;
        continue;
      }
      case "circles": {
        const r = c === 0 ? rand() * 2.5 : 3.5 + rand() * 1.5;
        const t = rand() * 2 * Math.PI;
        a = r * Math.sin(t) + gauss() * opts.noise * 2;
        b = r * Math.cos(t) + gauss() * opts.noise * 2;
        break;
      }
      case "blobs": {
        const cx = c === 0 ? 2 : -2;
        a = cx + gauss() * (0.5 + opts.noise * 3);
        b = cx + gauss() * (0.5 + opts.noise * 3);
        break;
      }
    }
    y[i] = c;
    x[2 * i] = a / SCALE;
    x[2 * i + 1] = b / SCALE;
  }
  return { x, y, n, dim: 2, classes: 2 };
}
