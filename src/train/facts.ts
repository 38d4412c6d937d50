/**
 * The gradient facts of one step, read back in ONE transfer: a typed layout defined once. The trainer hands
 * `packFacts` the [R] tensors it computed (only those some run needs), gets one [rows, R] tensor to read back,
 * and reads each run's values by name through the same layout — no offset arithmetic anywhere else.
 */
import * as tf from "@tensorflow/tfjs";
import type { Observation } from "../engine/types";

/** One [R] row per fact; `lineLoss` is one row per line-search trial. */
export interface FactRows {
  /** Clean training loss of each run. */
  loss: tf.Tensor1D;
  gradSq?: tf.Tensor1D;
  gradL1?: tf.Tensor1D;
  /** ⟨g_t, g_{t−1}⟩ (RDBD). */
  gradDot?: tf.Tensor1D;
  dxNorm?: tf.Tensor1D;
  dgNorm?: tf.Tensor1D;
  secantSY?: tf.Tensor1D;
  secantSS?: tf.Tensor1D;
  /** Schedule-free runs: the batch loss at the average x (what they promise), and ⟨g, z − y⟩ (Polyak step). */
  lossX?: tf.Tensor1D;
  sfDot?: tf.Tensor1D;
  /** Schedule-free Adam's Polyak step: Σ g²/D. */
  gradSqD?: tf.Tensor1D;
  /** The power method's λ_max estimate ‖ψ‖. */
  lambdaMax?: tf.Tensor1D;
  /** Analytic tasks: the point (x₁, x₂) of each run. */
  x1?: tf.Tensor1D;
  x2?: tf.Tensor1D;
  lineLoss?: tf.Tensor1D[];
  /** Per-weight methods: the 10/50/90% points of η_i, and vSGD's statistics of a few weights. */
  etaQuantiles?: tf.Tensor1D[];
  weightStats?: tf.Tensor1D[];
}

type Scalar = Exclude<keyof FactRows, "lineLoss" | "etaQuantiles" | "weightStats">;
const SCALARS: readonly Scalar[] = [
  "loss",
  "gradSq",
  "gradL1",
  "gradDot",
  "dxNorm",
  "dgNorm",
  "secantSY",
  "secantSS",
  "lossX",
  "sfDot",
  "gradSqD",
  "lambdaMax",
  "x1",
  "x2",
];

/** Where each fact sits in the packed tensor. */
export interface FactLayout {
  runs: number;
  row: Partial<Record<Scalar, number>>;
  /** First row of the line-search trials, and how many. */
  lineFrom: number;
  lineCount: number;
  /** First row and count of the per-weight quantiles and statistics. */
  etaFrom: number;
  etaCount: number;
  statsFrom: number;
  statsCount: number;
}

/** Stack the given rows into one [rows, R] tensor (call inside tf.tidy) and say where each one went. */
export function packFacts(rows: FactRows, runs: number): { tensor: tf.Tensor2D; layout: FactLayout } {
  const list: tf.Tensor1D[] = [];
  const row: FactLayout["row"] = {};
  for (const k of SCALARS) {
    const t = rows[k];
    if (!t) continue;
    row[k] = list.length;
    list.push(t);
  }
  const lineFrom = list.length;
  list.push(...(rows.lineLoss ?? []));
  const etaFrom = list.length;
  list.push(...(rows.etaQuantiles ?? []));
  const statsFrom = list.length;
  list.push(...(rows.weightStats ?? []));
  return {
    tensor: tf.stack(list) as tf.Tensor2D,
    layout: {
      runs,
      row,
      lineFrom,
      lineCount: rows.lineLoss?.length ?? 0,
      etaFrom,
      etaCount: rows.etaQuantiles?.length ?? 0,
      statsFrom,
      statsCount: rows.weightStats?.length ?? 0,
    },
  };
}

/** The facts as read back: each run's values by name. */
export class Facts {
  constructor(
    readonly layout: FactLayout,
    readonly data: Float32Array,
  ) {}

  /** Fact `k` of run r, or undefined when it was not computed this step. */
  get(k: Scalar, r: number): number | undefined {
    const i = this.layout.row[k];
    return i === undefined ? undefined : this.data[i * this.layout.runs + r];
  }

  /** `count` rows of run r from row `from`. */
  private rows(r: number, from: number, count: number): number[] {
    return Array.from({ length: count }, (_, k) => this.data[(from + k) * this.layout.runs + r]);
  }

  /** The losses at the first `n` line-search trials of run r. */
  lineLoss(r: number, n: number): number[] {
    return this.rows(r, this.layout.lineFrom, Math.min(n, this.layout.lineCount));
  }

  /** What run r's scheduler observes of this step (the gradient facts; the loss is set by the caller). */
  observation(step: number, r: number, lineTrials: number): Observation {
    const o: Observation = { step };
    const put = (k: keyof Observation, v: number | undefined) => {
      if (v !== undefined) (o as unknown as Record<string, number>)[k] = v;
    };
    put("gradSq", this.get("gradSq", r));
    put("gradL1", this.get("gradL1", r));
    put("gradDot", this.get("gradDot", r));
    put("dxNorm", this.get("dxNorm", r));
    put("dgNorm", this.get("dgNorm", r));
    put("secantSY", this.get("secantSY", r));
    put("secantSS", this.get("secantSS", r));
    put("sfDot", this.get("sfDot", r));
    put("gradSqD", this.get("gradSqD", r));
    put("lambdaMax", this.get("lambdaMax", r));
    if (lineTrials > 0) o.lineLoss = this.lineLoss(r, lineTrials);
    const { etaFrom, etaCount, statsFrom, statsCount } = this.layout;
    if (etaCount) o.etaQuantiles = this.rows(r, etaFrom, etaCount);
    if (statsCount) o.weightStats = this.rows(r, statsFrom, statsCount);
    return o;
  }
}

/** Read the packed tensor back (the step's one transfer) and dispose it. */
export async function readFacts(tensor: tf.Tensor2D, layout: FactLayout): Promise<Facts> {
  const data = (await tensor.data()) as Float32Array;
  tensor.dispose();
  return new Facts(layout, data);
}
