/**
 * The training loop shared by the Web Worker, Node tests and command-line sweeps. All runs of an experiment
 * train together: same initial weights, same mini-batch at every step — the scheduler is the only difference.
 *
 * One step: (noise into weights/data) → loss and gradients of every run in one pass → gradient facts the
 * schedulers asked for → ONE read-back → LRs ("before" schedulers decide now) → update → "after" schedulers see
 * the step's loss (plus η when the noise targets the scheduler signal).
 */
import * as tf from "@tensorflow/tfjs";
import { scheduleFreeWeight } from "../engine/optimizerSide";
import { createScheduler, type Scheduler } from "../engine/runtime";
import type { Need, Observation, SchedulerConfig, SchedulerEvent } from "../engine/types";
import type { Experiment } from "../experiment/config";
import { createModel } from "./model";
import { isOnset, type NoiseDraw, noiseStream, noiseValue } from "./noise";
import {
  applyUpdate,
  createOptimizer,
  disposeOptimizer,
  type OptimizerKind,
  resetRunSlots,
  type StackedOptimizer,
  type StepHyper,
} from "./optimizers";
import { mulberry32, permutation, subSeed } from "./rng";
import type { StackedModel } from "./stack";
import { type Dataset, makeDataset } from "./tasks";

export interface RunStep {
  /** Clean training loss of the step. */
  loss: number;
  lr: number;
  events: SchedulerEvent[];
  /** η of the noise at this step (0 when clean). */
  eta?: number;
  gradNorm?: number;
  /** Analytic tasks: the point (x₁, x₂) at which this step's loss was taken. */
  pos?: [number, number];
  /** Set on the step a run's loss first became NaN/∞: the run stops, the others go on. */
  diverged?: boolean;
}

export interface StepReport {
  step: number;
  runs: (RunStep | null)[];
  /** A perturbation starts at this step (periodic / random spikes). */
  onset: boolean;
}

const num = (p: Record<string, unknown>, k: string, d: number) =>
  typeof p[k] === "number" ? (p[k] as number) : d;

export class Trainer {
  readonly exp: Experiment;
  readonly data: Dataset;
  readonly runs: number;
  step = 0;
  /** Step at which each run diverged (null while it trains). */
  readonly divergedAt: (number | null)[];
  /** Steps at which a perturbation started. */
  readonly onsets: number[] = [];
  scheds: Scheduler[];
  private model: StackedModel;
  private opt: StackedOptimizer;
  private kinds: OptimizerKind[];
  private xAll: tf.Tensor2D | null = null;
  private yAll: tf.Tensor | null = null;
  private order: Int32Array;
  private batchRand: () => number;
  private cursor = 0;
  private needs = new Set<Need>();
  private prevX: tf.Tensor[] | null = null;
  private prevG: tf.Tensor[] | null = null;
  private noise: (t: number) => NoiseDraw;
  private prevDraw: NoiseDraw | null = null;
  private history: number[][];
  private sf: { lrMax: number; weightSum: number }[];
  /** The initial weights (all runs), for runs that restart from them. */
  private init: tf.Tensor[];

  constructor(exp: Experiment) {
    this.exp = exp;
    this.runs = exp.runs.length;
    this.data = makeDataset(exp.task, exp.seed);
    this.model = createModel(exp.task.kind, this.data, exp.hidden, this.runs, exp.seed);
    this.scheds = exp.runs.map((r) => createScheduler(r.scheduler, exp.baseLr));
    this.kinds = this.scheds.map((s) =>
      s.spec.optimizer ? (s.params.optimizer as OptimizerKind) : exp.optimizer,
    );
    this.opt = createOptimizer(this.kinds, this.model.vars, exp.baseLr);
    this.init = this.model.vars.map((v) => tf.clone(v));
    if (this.data.n > 0) {
      const d = this.data;
      this.xAll = tf.tensor2d(d.x, [d.n, d.dim]);
      this.yAll =
        d.type === "regression"
          ? tf.tensor1d(d.target)
          : d.type === "sequence"
            ? tf.tensor2d(d.y, [d.n, d.dim], "int32")
            : tf.tidy(() => tf.oneHot(tf.tensor1d(d.y, "int32"), d.outputs).toFloat());
    }
    this.batchRand = mulberry32(subSeed(exp.seed, 3));
    this.order = permutation(this.data.n, this.batchRand);
    this.divergedAt = exp.runs.map(() => null);
    this.noise = noiseStream(exp.seed);
    this.history = exp.runs.map(() => []);
    this.sf = exp.runs.map(() => ({ lrMax: 0, weightSum: 0 }));
    this.refreshNeeds();
  }

  private refreshNeeds() {
    this.needs = new Set(this.scheds.flatMap((s) => s.spec.needs));
  }

  /** The next mini-batch indices: a seeded reshuffle each epoch, shared by every run. */
  private nextBatch(): Int32Array {
    const B = Math.min(this.exp.batchSize, this.data.n);
    if (B === 0) return new Int32Array(0);
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

  /**
   * Live update of a run's scheduler: the same scheduler gets its new params from the next step with its
   * counters and best value kept; a different scheduler starts from the run's current LR.
   */
  setScheduler(run: number, config: SchedulerConfig): SchedulerEvent | null {
    const cur = this.scheds[run];
    if (cur.spec.id === config.scheduler) {
      cur.setParams(config.params ?? {});
      return { step: this.step, kind: "param", message: `parameters changed at step ${this.step}` };
    }
    const next = createScheduler(config, cur.lr);
    const kind = next.spec.optimizer ? (next.params.optimizer as OptimizerKind) : this.exp.optimizer;
    if (kind !== this.kinds[run])
      throw new Error(
        `${config.scheduler} needs the ${kind} optimizer: press Reset to switch (it changes the training itself)`,
      );
    this.scheds[run] = next;
    this.refreshNeeds();
    return {
      step: this.step,
      kind: "param",
      message: `scheduler switched to ${config.scheduler} at step ${this.step}`,
    };
  }

  /** η of each run at step t, and whether a perturbation starts. */
  private noiseAt(t: number): { eta: Float32Array; onset: boolean } {
    const cfg = this.exp.noise;
    const eta = new Float32Array(this.runs);
    if (cfg.type === "clean") return { eta, onset: false };
    const draw = this.noise(t);
    for (let r = 0; r < this.runs; r++) eta[r] = noiseValue(cfg, t, draw, this.history[r]);
    const onset = isOnset(cfg, t, draw, this.prevDraw);
    this.prevDraw = draw;
    return { eta, onset };
  }

  private base(r: number): number {
    const h = this.history[r];
    const b = h.length ? h[h.length - 1] : 1;
    return Number.isFinite(b) && b > 0 ? b : 1;
  }

  async trainStep(): Promise<StepReport> {
    const t = this.step;
    const R = this.runs;
    const cfg = this.exp.noise;
    const vars = this.model.vars;
    const idx = this.nextBatch();
    const { eta, onset } = this.noiseAt(t);
    if (onset) this.onsets.push(t);
    const fired = eta.some((e) => e !== 0);
    // Relative size of the perturbation per run (η / previous clean loss).
    const rel = new Float32Array(R);
    for (let r = 0; r < R; r++) rel[r] = this.divergedAt[r] === null ? eta[r] / this.base(r) : 0;

    if (fired && cfg.target === "weights") {
      tf.tidy(() => {
        const sigma = tf.tensor3d(
          rel.map((x) => 0.5 * Math.abs(x)),
          [R, 1, 1],
        );
        vars.forEach((v, i) => {
          const one = [1, ...v.shape.slice(1)];
          v.assign(
            tf.add(
              v,
              tf.mul(sigma, tf.randomNormal(one, 0, 1, "float32", subSeed(this.exp.seed, 1000 + t) + i)),
            ),
          );
        });
      });
    }

    const needs = this.needs;
    const secantProbe = this.scheds.map((s) =>
      s.spec.needs.includes("secant") ? num(s.params, "probe", 1) : 0,
    );
    // Line searches' trial steps, listed only when some run needs them (the others pay nothing).
    const lineCands = needs.has("lineSearch")
      ? this.scheds.map((s, r) =>
          s.spec.candidates && this.divergedAt[r] === null ? s.spec.candidates(s.params, s.state) : [],
        )
      : [];
    const lineK = Math.max(0, ...lineCands.map((c) => c.length));
    const kept = tf.tidy(() => {
      let xb: tf.Tensor2D | null = null;
      let yb: tf.Tensor | null = null;
      if (this.xAll && this.yAll) {
        const idxT = tf.tensor1d(idx, "int32");
        xb = tf.gather(this.xAll, idxT) as tf.Tensor2D;
        yb = tf.gather(this.yAll, idxT);
        // Sequences: one-hot next tokens of every position, [B·T, V].
        if (this.data.type === "sequence") yb = tf.oneHot(tf.reshape(yb, [-1]), this.data.outputs).toFloat();
      }
      if (fired && cfg.target === "data" && yb) {
        // Label-noise burst. Classification: each run's labels move towards the wrong classes by
        // min(1, strength); regression: targets move towards their negation by the same amount.
        const m = tf.tensor3d(
          rel.map((x) => (x !== 0 ? Math.min(1, cfg.strength) : 0)),
          [R, 1, 1],
        );
        if (this.data.type === "regression")
          yb = tf.mul(tf.reshape(yb, [1, -1]), tf.sub(1, tf.mul(2, tf.reshape(m, [R, 1]))));
        else {
          const flip = tf.div(tf.sub(1, yb), this.data.outputs - 1);
          yb = tf.add(yb, tf.mul(m, tf.sub(flip, yb)));
        }
      }
      let per: tf.Tensor1D | null = null;
      const { grads } = tf.variableGrads(() => {
        per = tf.keep(this.model.loss(vars, xb, yb));
        return tf.sum(per) as tf.Scalar;
      }, vars);
      let gl = vars.map((v) => grads[v.name]);
      if (fired && cfg.target === "gradients") {
        const f = tf.tensor3d(
          rel.map((x) => 1 + x),
          [R, 1, 1],
        );
        gl = gl.map((g) => tf.mul(g, f));
      }
      const sumSq = (ts: tf.Tensor[]) => tf.addN(ts.map((x) => tf.sum(tf.square(x), [1, 2]))) as tf.Tensor1D;
      const zeros = tf.zeros([R]);
      const gradSq = needs.has("gradSq") ? sumSq(gl) : zeros;
      let dx: tf.Tensor = zeros;
      let dg: tf.Tensor = zeros;
      if (needs.has("dx") || needs.has("dg")) {
        if (this.prevX && this.prevG) {
          dx = tf.sqrt(sumSq(vars.map((v, i) => tf.sub(v, this.prevX![i]))));
          dg = tf.sqrt(sumSq(gl.map((g, i) => tf.sub(g, this.prevG![i]))));
        }
      }
      let sy: tf.Tensor = zeros;
      let ss: tf.Tensor = zeros;
      if (needs.has("secant")) {
        // s = probe·g; y = ∇F(x + s) − ∇F(x) on the same batch (the A-SGD lookahead).
        const probe = tf.tensor3d(Float32Array.from(secantProbe), [R, 1, 1]);
        const s = gl.map((g) => tf.mul(probe, g));
        const shifted = vars.map((v, i) => tf.add(v, s[i]));
        const g2 = tf.grads((...ps: tf.Tensor[]) => tf.sum(this.model.loss(ps, xb, yb)))(shifted);
        sy = tf.addN(s.map((si, i) => tf.sum(tf.mul(si, tf.sub(g2[i], gl[i])), [1, 2])));
        ss = sumSq(s);
      }
      const rows = [per!, gradSq, dx, dg, sy, ss];
      if (this.data.type === "analytic") rows.push(...tf.unstack(tf.reshape(vars[0], [R, 2]), 1));
      // Line searches: the loss at x − η_k·g for every candidate η_k, all runs in one pass per k.
      for (let k = 0; k < lineK; k++) {
        const eta = tf.tensor3d(
          lineCands.map((c) => c[k] ?? 0),
          [R, 1, 1],
        );
        rows.push(
          this.model.loss(
            vars.map((v, i) => tf.sub(v, tf.mul(eta, gl[i]))),
            xb,
            yb,
          ),
        );
      }
      const facts = tf.stack(rows);
      (per as tf.Tensor | null)?.dispose(); // kept out of variableGrads' scope; stacked now
      return [facts, ...gl];
    });
    const [factsT, ...grads] = kept;
    if (needs.has("dx") || needs.has("dg")) {
      tf.dispose([...(this.prevX ?? []), ...(this.prevG ?? [])]);
      this.prevX = vars.map((v) => tf.clone(v));
      this.prevG = grads.map((g) => tf.clone(g));
    }
    // One read-back per step.
    const f = await factsT.data();
    const lossArr = f.subarray(0, R);
    const h: StepHyper = {
      lr: new Float32Array(R),
      beta1: new Float32Array(R),
      weightDecay: new Float32Array(R),
      sfC: new Float32Array(R),
      dbdKappa: new Float32Array(R),
      dbdPhi: new Float32Array(R),
      dbdTheta: new Float32Array(R),
    };
    const out: (RunStep | null)[] = new Array(R).fill(null);
    const obs: Observation[] = [];
    for (let r = 0; r < R; r++) {
      const s = this.scheds[r];
      const clean = lossArr[r];
      const o: Observation = { step: t, loss: cfg.target === "signal" ? clean + eta[r] : clean };
      if (needs.has("gradSq")) o.gradSq = f[R + r];
      if (needs.has("dx")) o.dxNorm = f[2 * R + r];
      if (needs.has("dg")) o.dgNorm = f[3 * R + r];
      if (needs.has("secant")) {
        o.secantSY = f[4 * R + r];
        o.secantSS = f[5 * R + r];
      }
      if (lineK && lineCands[r].length) {
        const base = (this.data.type === "analytic" ? 8 : 6) * R;
        o.lineLoss = lineCands[r].map((_, k) => f[base + k * R + r]);
      }
      obs.push(o);
      let events: SchedulerEvent[] = [];
      let lr = s.lr;
      if (s.spec.timing === "before" && this.divergedAt[r] === null) {
        const res = s.step(o);
        lr = res.lr;
        events = res.events;
      }
      this.hyper(r, lr, h);
      if (this.divergedAt[r] !== null) {
        h.lr[r] = 0;
        continue;
      }
      const diverged = !Number.isFinite(clean);
      if (diverged) {
        this.divergedAt[r] = t;
        h.lr[r] = 0;
      }
      this.history[r].push(clean);
      if (this.history[r].length > 8) this.history[r].shift();
      out[r] = { loss: clean, lr, events, ...(diverged ? { diverged: true } : {}) };
      if (eta[r] !== 0) out[r]!.eta = eta[r];
      if (needs.has("gradSq")) out[r]!.gradNorm = Math.sqrt(f[R + r]);
      if (this.data.type === "analytic") out[r]!.pos = [f[6 * R + r], f[7 * R + r]];
    }
    applyUpdate(this.opt, vars, grads, h, this.exp.baseLr);
    tf.dispose(kept);
    for (let r = 0; r < R; r++) {
      const s = this.scheds[r];
      if (s.spec.timing === "after" && this.divergedAt[r] === null) {
        const res = s.step(obs[r]);
        if (out[r] && res.events.length) out[r]!.events = out[r]!.events.concat(res.events);
        // The refined schedule's phase 2 retrains from the initial weights.
        if (s.spec.id === "Refined" && res.events.some((e) => e.kind === "phase")) this.restartRun(r);
      }
    }
    this.step = t + 1;
    return { step: t, runs: out, onset };
  }

  /** Put run r back at the shared initial weights with a fresh optimizer state; the other runs go on. */
  restartRun(r: number): void {
    const R = this.runs;
    tf.tidy(() => {
      const mask = tf.tensor3d(
        Array.from({ length: R }, (_, i) => (i === r ? 1 : 0)),
        [R, 1, 1],
        "bool",
      );
      this.model.vars.forEach((v, i) => {
        v.assign(tf.where(tf.broadcastTo(mask, v.shape), this.init[i], v));
      });
    });
    resetRunSlots(this.opt, r, this.init, this.exp.baseLr);
  }

  /** Per-run optimizer hyper-parameters of this step. */
  private hyper(r: number, lr: number, h: StepHyper) {
    const s = this.scheds[r];
    const p = s.params as Record<string, unknown>;
    const kind = this.kinds[r];
    h.lr[r] = lr;
    h.weightDecay[r] = kind === "adamw" ? this.exp.weightDecay : num(p, "weight_decay", 0);
    const cycled = s.momentum;
    h.beta1[r] = kind.startsWith("schedulefree")
      ? num(p, "beta", 0.9)
      : cycled !== undefined && Number.isFinite(cycled)
        ? cycled
        : kind === "momentum"
          ? this.exp.momentum
          : 0.9;
    if (kind.startsWith("schedulefree")) {
      const st = this.sf[r];
      st.lrMax = Math.max(st.lrMax, lr);
      const w = scheduleFreeWeight(
        this.opt.t,
        st.lrMax,
        num(p, "r", 0),
        num(p, "weight_lr_power", 2),
        st.weightSum,
      );
      st.weightSum = w.weightSum;
      h.sfC[r] = w.c;
    } else if (kind === "delta-bar-delta") {
      h.dbdKappa[r] = num(p, "kappa", 1e-4);
      h.dbdPhi[r] = num(p, "phi", 0.1);
      h.dbdTheta[r] = num(p, "theta", 0.7);
    } else if (kind === "adadelta") {
      h.dbdTheta[r] = num(p, "rho", 0.9);
      h.dbdKappa[r] = num(p, "eps", 1e-6);
    }
  }

  /**
   * Model outputs of every run at the given inputs (row-major [n, dim]) — one batched forward pass:
   * classification → probability of class 1; regression → the prediction. Null for analytic tasks.
   */
  async predict(points: Float32Array, n: number): Promise<Float32Array[] | null> {
    const fwd = this.model.forward;
    if (this.data.type === "analytic" || this.data.type === "sequence" || !fwd) return null;
    const R = this.runs;
    const out = tf.tidy(() => {
      const x = tf.tensor2d(points, [n, this.data.dim]);
      const y = fwd(this.model.vars, x);
      return this.data.type === "regression"
        ? tf.reshape(y, [R, n])
        : tf.reshape(tf.slice(tf.softmax(y), [0, 0, 1], [R, n, 1]), [R, n]);
    });
    const flat = (await out.data()) as Float32Array;
    out.dispose();
    return Array.from({ length: R }, (_, r) => flat.slice(r * n, (r + 1) * n));
  }

  /** Classification: each run's predicted class for the given rows ([n, dim]) — one batched forward pass. */
  async classify(points: Float32Array, n: number): Promise<Int32Array[]> {
    const fwd = this.model.forward;
    if (this.data.type !== "classification" || !fwd) return [];
    const R = this.runs;
    const out = tf.tidy(() => tf.argMax(fwd(this.model.vars, tf.tensor2d(points, [n, this.data.dim])), 2));
    const flat = (await out.data()) as Int32Array;
    out.dispose();
    return Array.from({ length: R }, (_, r) => flat.slice(r * n, (r + 1) * n));
  }

  /**
   * Sequences: `length` characters sampled from every run after `prompt` (temperature `temp`, a seeded
   * stream: the same draws for every run, so differences are the models'). One forward pass of all runs
   * per character.
   */
  async sample(prompt: string, length: number, temp = 0.7, seed = 7): Promise<string[]> {
    const fwd = this.model.forward;
    const vocab = this.data.vocab;
    if (this.data.type !== "sequence" || !fwd || !vocab) return [];
    const R = this.runs;
    const T = this.data.dim;
    const V = this.data.outputs;
    const rand = mulberry32(seed);
    const seqs = Array.from({ length: R }, () => [...prompt].map((c) => Math.max(0, vocab.indexOf(c))));
    const outs = Array.from({ length: R }, () => "");
    for (let k = 0; k < length; k++) {
      const t = Math.min(T, seqs[0].length);
      const ids = new Float32Array(R * t);
      seqs.forEach((q, r) => {
        ids.set(q.slice(q.length - t), r * t);
      });
      const probs = tf.tidy(() => {
        const logits = fwd(this.model.vars, tf.tensor3d(ids, [R, 1, t]));
        const last = tf.reshape(tf.slice(logits, [0, t - 1, 0], [R, 1, V]), [R, V]);
        return tf.softmax(tf.div(last, temp));
      });
      const p = (await probs.data()) as Float32Array;
      probs.dispose();
      const u = rand();
      for (let r = 0; r < R; r++) {
        let acc = 0;
        let c = V - 1;
        for (let j = 0; j < V; j++) {
          acc += p[r * V + j];
          if (u < acc) {
            c = j;
            break;
          }
        }
        seqs[r].push(c);
        outs[r] += vocab[c];
      }
    }
    return outs;
  }

  dispose(): void {
    tf.dispose([
      ...(this.model.consts ?? []),
      ...this.init,
      ...(this.xAll ? [this.xAll] : []),
      ...(this.yAll ? [this.yAll] : []),
      ...this.model.vars,
      ...(this.prevX ?? []),
      ...(this.prevG ?? []),
    ]);
    disposeOptimizer(this.opt);
  }
}

/** A live scheduler change made while training: replayed at the same step when a run is rebuilt. */
export interface LiveChange {
  step: number;
  run: number;
  config: SchedulerConfig;
}

/**
 * Rebuild the state of a race at `step` by replaying it: the experiment as built, with the live scheduler
 * changes applied at the steps they were made. Training is seeded (weights, batches, noise), so on the same
 * backend this reproduces the state exactly; on another backend, up to its rounding. `abort(k)` is asked
 * after each step k; when it says yes the replay stops and returns null.
 */
export async function replayTrainer(
  exp: Experiment,
  changes: readonly LiveChange[],
  step: number,
  abort?: (k: number) => boolean,
): Promise<Trainer | null> {
  const t = new Trainer(exp);
  const apply = (k: number) => {
    for (const c of changes) if (c.step === k) t.setScheduler(c.run, c.config);
  };
  for (let k = 0; k < step; k++) {
    apply(k);
    await t.trainStep();
    if (abort?.(k)) {
      t.dispose();
      return null;
    }
  }
  apply(step);
  return t;
}
