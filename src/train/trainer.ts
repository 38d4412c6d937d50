/**
 * The training loop shared by the Web Worker, Node tests and command-line sweeps. All runs of an experiment
 * train together: same initial weights, same mini-batch at every step — the scheduler is the only difference.
 */
import * as tf from "@tensorflow/tfjs";
import { createScheduler, type Scheduler } from "../engine/runtime";
import type { Observation, SchedulerConfig, SchedulerEvent } from "../engine/types";
import type { Experiment } from "../experiment/config";
import { createStackedMlp, perRunLoss, type StackedMlp } from "./model";
import { applyUpdate, createOptimizer, disposeOptimizer, type StackedOptimizer } from "./optimizers";
import { mulberry32, permutation, subSeed } from "./rng";
import { type Dataset, makeDataset } from "./tasks";

export interface RunStep {
  loss: number;
  lr: number;
  events: SchedulerEvent[];
  /** Set on the step a run's loss first became NaN/∞: the run stops, the others go on. */
  diverged?: boolean;
}

export interface StepReport {
  step: number;
  runs: (RunStep | null)[];
}

export class Trainer {
  readonly exp: Experiment;
  readonly data: Dataset;
  readonly runs: number;
  step = 0;
  /** Step at which each run diverged (null while it trains). */
  readonly divergedAt: (number | null)[];
  scheds: Scheduler[];
  private model: StackedMlp;
  private opt: StackedOptimizer;
  private xAll: tf.Tensor2D;
  private yAll: tf.Tensor2D;
  private order: Int32Array;
  private batchRand: () => number;
  private cursor = 0;
  private needsGradSq: boolean;

  constructor(exp: Experiment) {
    this.exp = exp;
    this.runs = exp.runs.length;
    this.data = makeDataset(exp.task, exp.seed);
    const sizes = [this.data.dim, ...exp.hidden, this.data.classes];
    this.model = createStackedMlp(this.runs, sizes, exp.seed);
    this.opt = createOptimizer(exp.optimizer, this.model.vars);
    this.xAll = tf.tensor2d(this.data.x, [this.data.n, this.data.dim]);
    this.yAll = tf.tidy(() =>
      tf.oneHot(tf.tensor1d(this.data.y, "int32"), this.data.classes).toFloat(),
    ) as tf.Tensor2D;
    this.batchRand = mulberry32(subSeed(exp.seed, 3));
    this.order = permutation(this.data.n, this.batchRand);
    this.scheds = exp.runs.map((r) => createScheduler(r.scheduler, exp.baseLr));
    this.divergedAt = exp.runs.map(() => null);
    this.needsGradSq = this.scheds.some((s) => s.spec.needs.includes("gradSq"));
  }

  /** The next mini-batch indices: a seeded reshuffle each epoch, shared by every run. */
  private nextBatch(): Int32Array {
    const B = Math.min(this.exp.batchSize, this.data.n);
    const idx = new Int32Array(B);
    for (let i = 0; i < B; i++) {
      if (this.cursor >= this.data.n) {
        this.order = permutation(this.data.n, this.batchRand);
        this.cursor = 0;
      }
      idx[i] = this.order[this.cursor++];
    }
    return idx;
  }

  /** Live update of a run's scheduler: same scheduler → new params from the next step, state kept. */
  setScheduler(run: number, config: SchedulerConfig): SchedulerEvent | null {
    const cur = this.scheds[run];
    if (cur.spec.id === config.scheduler) {
      cur.setParams(config.params ?? {});
      return { step: this.step, kind: "param", message: `parameters changed at step ${this.step}` };
    }
    const lr = cur.lr;
    this.scheds[run] = createScheduler(config, lr);
    this.needsGradSq = this.scheds.some((s) => s.spec.needs.includes("gradSq"));
    return {
      step: this.step,
      kind: "param",
      message: `scheduler switched to ${config.scheduler} at step ${this.step}`,
    };
  }

  async trainStep(): Promise<StepReport> {
    const t = this.step;
    const R = this.runs;
    const idx = this.nextBatch();
    const vars = this.model.vars;
    const kept = tf.tidy(() => {
      const idxT = tf.tensor1d(idx, "int32");
      const xb = tf.gather(this.xAll, idxT) as tf.Tensor2D;
      const yb = tf.gather(this.yAll, idxT) as tf.Tensor2D;
      let per: tf.Tensor1D | null = null;
      const { grads } = tf.variableGrads(() => {
        per = tf.keep(perRunLoss(this.model, xb, yb));
        return tf.sum(per) as tf.Scalar;
      }, vars);
      const gl = vars.map((v) => grads[v.name]);
      const gs = this.needsGradSq ? tf.addN(gl.map((g) => tf.sum(tf.square(g), [1, 2]))) : tf.zeros([R]);
      return [per!, gs, ...gl];
    });
    const [losses, gradSq, ...grads] = kept;
    // One read-back per step: the loss of every run (and ‖g‖² only when a scheduler needs it).
    const lossArr = await losses.data();
    const gsArr = this.needsGradSq ? await gradSq.data() : null;
    const lr = new Float32Array(R);
    const beta = new Float32Array(R);
    const out: (RunStep | null)[] = new Array(R).fill(null);
    const obs: Observation[] = [];
    for (let r = 0; r < R; r++) {
      const o: Observation = { step: t, loss: lossArr[r] };
      if (gsArr) o.gradSq = gsArr[r];
      obs.push(o);
      const s = this.scheds[r];
      let events: SchedulerEvent[] = [];
      let lrr = s.lr;
      if (s.spec.timing === "before") {
        const res = s.step(o);
        lrr = res.lr;
        events = res.events;
      }
      const dead = this.divergedAt[r] !== null;
      lr[r] = dead ? 0 : lrr;
      beta[r] = s.momentum ?? this.exp.momentum;
      if (!dead) {
        const diverged = !Number.isFinite(lossArr[r]);
        if (diverged) {
          this.divergedAt[r] = t;
          lr[r] = 0;
        }
        out[r] = { loss: lossArr[r], lr: lrr, events, ...(diverged ? { diverged: true } : {}) };
      }
    }
    if (this.exp.optimizer === "adam" || this.exp.optimizer === "momentum") {
      for (let r = 0; r < R; r++) if (!Number.isFinite(beta[r])) beta[r] = this.exp.momentum;
    }
    applyUpdate(this.opt, vars, grads, lr, beta);
    tf.dispose(kept);
    for (let r = 0; r < R; r++) {
      const s = this.scheds[r];
      if (s.spec.timing === "after" && this.divergedAt[r] === null) {
        const res = s.step(obs[r]);
        if (out[r] && res.events.length) out[r]!.events = out[r]!.events.concat(res.events);
      }
    }
    this.step = t + 1;
    return { step: t, runs: out };
  }

  dispose(): void {
    tf.dispose([this.xAll, this.yAll, ...this.model.vars]);
    disposeOptimizer(this.opt);
  }
}
