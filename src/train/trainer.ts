/**
 * The training loop shared by the Web Worker, Node tests and command-line sweeps. All runs of an experiment
 * train together: same initial weights, same mini-batch at every step — the scheduler is the only difference.
 *
 * One step: (noise into weights/data) → loss and gradients of every run in one pass → gradient facts the
 * schedulers asked for → ONE read-back → LRs ("before" schedulers decide now) → update → "after" schedulers see
 * the step's loss (plus η when the noise targets the scheduler signal).
 */
import * as tf from "@tensorflow/tfjs";
import { describeChange } from "../engine/params";
import { createScheduler, type Scheduler } from "../engine/runtime";
import { initAveraging, type SfAveraging, type SfMode, sfAverage, sfBound } from "../engine/scheduleFreeAny";
import type { Need, Observation, SchedulerConfig, SchedulerEvent } from "../engine/types";
import type { Experiment } from "../experiment/config";
import { type Optimum, taskOptimum } from "../experiment/optimum";
import { ANALYTIC_START, isAnalytic } from "../experiment/tasks";
import { type FactLayout, type FactRows, type Facts, packFacts, readFacts } from "./facts";
import { createModel, initialWeights } from "./model";
import { isOnset, type NoiseDraw, noiseStream, noiseValue } from "./noise";
import {
  applyUpdate,
  col,
  createOptimizer,
  disposeOptimizer,
  isScheduleFree,
  type OptimizerKind,
  PER_WEIGHT_KINDS,
  type PerWeightHyper,
  perWeightEta,
  perWeightSummary,
  resetRunSlots,
  type StackedOptimizer,
  type StepHyper,
  sfAdamNormSq,
  sfPoint,
  vsgdDirection,
} from "./optimizers";
import { mulberry32, permutation, subSeed } from "./rng";
import type { StackedModel } from "./stack";
import { type Dataset, makeDataset } from "./tasks";

export interface RunStep {
  /**
   * Clean training loss of the step, at the point the run is evaluated at: its weights, or for a schedule-free
   * run its average x (one extra forward pass on the same batch).
   */
  loss: number;
  /** Schedule-free runs: the batch loss at the gradient point y (what the optimizer and the scheduler see). */
  lossY?: number;
  lr: number;
  /** Per-weight methods (vSGD, SDLM): the 10% and 90% points of η_i; `lr` is their median. */
  lrBand?: [number, number];
  /** Schedule-free SGD with schedulet averaging, on a task with a known optimum: f* + the convex bound. */
  bound?: number;
  /**
   * What the run's method cost this step, on the step's batch: gradients (the step's own, plus one for a
   * curvature fact: the secant and Rayleigh steps, 1/λ_max, vSGD, SDLM) and extra forward passes (the loss at
   * a schedule-free run's average x; a line search's trials).
   */
  cost: { grads: number; fwds: number };
  events: SchedulerEvent[];
  /** η of the noise at this step (0 when clean). */
  eta?: number;
  gradNorm?: number;
  /** Analytic tasks: the point (x₁, x₂) at which this step's loss was taken. */
  pos?: [number, number];
  /** Set on the step a run's loss first became NaN/∞: the run stops, the others go on. */
  diverged?: boolean;
}

/** The noise of one step (see perturb). */
interface Perturbation {
  eta: Float32Array;
  onset: boolean;
  /** Some run is perturbed at this step. */
  fired: boolean;
  /** η relative to each run's previous clean loss (0 for a diverged run). */
  rel: Float32Array;
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
  readonly model: StackedModel;
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
  /** Schedule-free runs' averaging state (engine/scheduleFreeAny.ts). */
  private sfAvg: SfAveraging[];
  /** The initial weights (all runs), for runs that restart from them. */
  private init: tf.Tensor[];
  /** The power method's vector ψ per run (stacked like the variables); null until a run needs it. */
  private psi: tf.Variable[] | null = null;
  /** Steps taken by each run's per-weight statistics (vSGD, SDLM): 0 = the next step initialises them. */
  private pwSteps: number[];
  /**
   * The convex bound of schedule-free SGD runs with schedulet averaging, on a task whose optimum is known:
   * the optimum, and per run Σγᵢ and Σγᵢ²‖gᵢ‖² over the steps taken (null: no run gets a bound).
   */
  private bound: { at: Optimum; runs: boolean[]; sumG: number[]; sumG2: number[] } | null = null;

  constructor(exp: Experiment) {
    this.exp = exp;
    this.runs = exp.runs.length;
    this.data = makeDataset(exp.task, exp.seed);
    this.model = createModel(exp.task.kind, this.data, exp.hidden, this.runs, exp.seed);
    this.scheds = exp.runs.map((r) => createScheduler(r.scheduler, exp.baseLr));
    this.kinds = this.scheds.map((s, r) => this.kindOf(r, s));
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
    this.sfAvg = exp.runs.map(initAveraging);
    this.pwSteps = exp.runs.map(() => 0);
    this.bound = this.boundSetup();
    this.refreshNeeds();
  }

  /** Whether run r reports the convex bound (a step may still have none: the first, or after it diverged). */
  hasBound(r: number): boolean {
    return this.bound?.runs[r] ?? false;
  }

  /** The task's optimum behind the convex bound, when some run has one. */
  get optimum(): Optimum | null {
    return this.bound?.at ?? null;
  }

  /** Which runs get the convex bound, and the task's optimum from the shared initial weights (plain numbers). */
  private boundSetup(): Trainer["bound"] {
    const runs = this.exp.runs.map(
      (r, i) => this.kinds[i] === "schedulefree-sgd" && r.sf?.averaging === "schedulet",
    );
    const kind = this.exp.task.kind;
    if (!runs.some(Boolean) || !(isAnalytic(kind) || kind === "logistic")) return null;
    const init = isAnalytic(kind)
      ? [ANALYTIC_START[kind]]
      : initialWeights([this.data.dim, this.data.outputs], this.exp.seed);
    const at = taskOptimum(kind, this.data, init);
    return at ? { at, runs, sumG: runs.map(() => 0), sumG2: runs.map(() => 0) } : null;
  }

  /** Run r's optimizer: schedule-free when the run says so, the spec's own (optimizer-side methods), else the experiment's. */
  private kindOf(r: number, s: Scheduler): OptimizerKind {
    const sf = this.exp.runs[r]?.sf;
    if (sf) return sf.variant === "adamw" ? "schedulefree-adamw" : "schedulefree-sgd";
    return s.spec.optimizer ? (s.params.optimizer as OptimizerKind) : (this.exp.optimizer as OptimizerKind);
  }

  private refreshNeeds() {
    this.needs = new Set(this.scheds.flatMap((s) => s.spec.needs));
    if (this.bound) this.needs.add("gradSq");
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
      const before = cur.params;
      cur.setParams(config.params ?? {});
      const what = describeChange(cur.spec.params, before, cur.params) || "parameters re-applied";
      return {
        step: this.step,
        kind: "param",
        message: `${cur.spec.id}: ${what} (live, at step ${this.step})`,
        from: cur.lr,
        to: cur.lr,
      };
    }
    const next = createScheduler(config, cur.lr);
    const kind = this.kindOf(run, next);
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

  /**
   * One training step of every run, read as its verbs (the shape of TensorFlow Playground's oneStep):
   * perturb (noise into the weights) → facts (loss, gradients and the gradient facts the schedulers asked
   * for, read back in one transfer) → decideLrs ("before" schedulers decide now; divergence stops a run) →
   * update (the optimizers) → afterStep ("after" schedulers see the step's loss; capabilities such as
   * restartsRun act). `lrs`, when given, sets each run's LR of this step instead of its scheduler (the LR range
   * test drives its throwaway copy this way); the schedulers still see the step.
   */
  async trainStep(lrs?: readonly number[]): Promise<StepReport> {
    const t = this.step;
    const noise = this.perturb(t);
    const { facts, grads, lineTrials } = await this.facts(this.nextBatch(), noise);
    const { obs, out, hyper } = this.decideLrs(t, facts, lineTrials, noise.eta, lrs);
    this.update(grads, hyper);
    this.afterStep(obs, out);
    this.step = t + 1;
    return { step: t, runs: out, onset: noise.onset };
  }

  /** The noise of step t: η per run, the perturbation's relative size, and the weight shock (applied here). */
  private perturb(t: number): Perturbation {
    const R = this.runs;
    const { eta, onset } = this.noiseAt(t);
    if (onset) this.onsets.push(t);
    const fired = eta.some((e) => e !== 0);
    // Relative size of the perturbation per run (η / previous clean loss).
    const rel = new Float32Array(R);
    for (let r = 0; r < R; r++) rel[r] = this.divergedAt[r] === null ? eta[r] / this.base(r) : 0;
    if (fired && this.exp.noise.target === "weights") {
      tf.tidy(() => {
        const sigma = tf.tensor3d(
          rel.map((x) => 0.5 * Math.abs(x)),
          [R, 1, 1],
        );
        this.model.vars.forEach((v, i) => {
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
    return { eta, onset, fired, rel };
  }

  /**
   * Loss and gradients of every run in one pass, then the facts some run's scheduler needs (others pay
   * nothing), packed by the typed layout of facts.ts and read back in ONE transfer. Returns the gradients
   * (kept for the update) and the read facts.
   */
  private async facts(
    idx: Int32Array,
    noise: Perturbation,
  ): Promise<{ facts: Facts; grads: tf.Tensor[]; lineTrials: number[] }> {
    const R = this.runs;
    const cfg = this.exp.noise;
    const vars = this.model.vars;
    const needs = this.needs;
    const secantProbe = this.scheds.map((s) =>
      s.spec.needs.includes("secant") ? num(s.params, "probe", 1) : 0,
    );
    // Line searches' trial steps, listed only when some run needs them.
    const lineCands = needs.has("lineSearch")
      ? this.scheds.map((s, r) =>
          s.spec.candidates && this.divergedAt[r] === null ? s.spec.candidates(s.params, s.state) : [],
        )
      : [];
    const lineK = Math.max(0, ...lineCands.map((c) => c.length));
    let layout: FactLayout | null = null;
    const kept = tf.tidy(() => {
      let { x: xb, y: yb } = this.batchTensors(idx);
      if (noise.fired && cfg.target === "data" && yb) yb = this.corruptLabels(yb, noise.rel);
      let per: tf.Tensor1D | null = null;
      const { grads } = tf.variableGrads(() => {
        per = tf.keep(this.model.loss(vars, xb, yb));
        return tf.sum(per) as tf.Scalar;
      }, vars);
      const raw = vars.map((v) => grads[v.name]);
      let gl = raw;
      if (noise.fired && cfg.target === "gradients") {
        const f = tf.tensor3d(
          noise.rel.map((x) => 1 + x),
          [R, 1, 1],
        );
        gl = gl.map((g) => tf.mul(g, f));
      }
      // Every run's gradient at other weights on this step's batch: the curvature facts' one extra gradient.
      const gradAt = (ps: tf.Tensor[]) =>
        tf.grads((...q: tf.Tensor[]) => tf.sum(this.model.loss(q, xb, yb)))(ps);
      const sumSq = (ts: tf.Tensor[]) => tf.addN(ts.map((x) => tf.sum(tf.square(x), [1, 2]))) as tf.Tensor1D;
      const rows: FactRows = { loss: per! };
      if (needs.has("gradSq")) rows.gradSq = sumSq(gl);
      if (needs.has("gradL1")) rows.gradL1 = tf.addN(gl.map((g) => tf.sum(tf.abs(g), [1, 2]))) as tf.Tensor1D;
      if (needs.has("gradDot") && this.prevG)
        rows.gradDot = tf.addN(gl.map((g, i) => tf.sum(tf.mul(g, this.prevG![i]), [1, 2]))) as tf.Tensor1D;
      if ((needs.has("dx") || needs.has("dg")) && this.prevX && this.prevG) {
        rows.dxNorm = tf.sqrt(sumSq(vars.map((v, i) => tf.sub(v, this.prevX![i])))) as tf.Tensor1D;
        rows.dgNorm = tf.sqrt(sumSq(gl.map((g, i) => tf.sub(g, this.prevG![i])))) as tf.Tensor1D;
      }
      if (needs.has("secant")) {
        // s = probe·g; y = ∇F(x + s) − ∇F(x) on the same batch (the A-SGD lookahead).
        const probe = tf.tensor3d(Float32Array.from(secantProbe), [R, 1, 1]);
        const s = gl.map((g) => tf.mul(probe, g));
        const shifted = vars.map((v, i) => tf.add(v, s[i]));
        const g2 = gradAt(shifted);
        rows.secantSY = tf.addN(
          s.map((si, i) => tf.sum(tf.mul(si, tf.sub(g2[i], gl[i])), [1, 2])),
        ) as tf.Tensor1D;
        rows.secantSS = sumSq(s);
      }
      if (needs.has("power")) rows.lambdaMax = this.powerMethod(vars, raw, gradAt);
      if (this.kinds.some((k) => PER_WEIGHT_KINDS.includes(k))) {
        const { eta, stats } = this.perWeight(vars, raw, gl, gradAt);
        rows.etaQuantiles = eta;
        rows.weightStats = stats;
      }
      // Schedule-free runs are evaluated at their average x: one more forward pass on the same batch.
      const x = sfPoint(this.opt, vars, "x");
      if (x) rows.lossX = this.model.loss(x, xb, yb);
      if (needs.has("gradSqD")) {
        const n = sfAdamNormSq(this.opt, gl);
        if (n) rows.gradSqD = n;
      }
      if (needs.has("sfDot")) {
        const z = sfPoint(this.opt, vars, "z");
        if (z)
          rows.sfDot = tf.addN(
            gl.map((g, i) => tf.sum(tf.mul(g, tf.sub(z[i], vars[i])), [1, 2])),
          ) as tf.Tensor1D;
      }
      if (this.data.type === "analytic")
        [rows.x1, rows.x2] = tf.unstack(tf.reshape(vars[0], [R, 2]), 1) as tf.Tensor1D[];
      // Line searches: the loss at x − η_k·g for every candidate η_k, all runs in one pass per k.
      rows.lineLoss = Array.from({ length: lineK }, (_, k) => {
        const eta = tf.tensor3d(
          lineCands.map((c) => c[k] ?? 0),
          [R, 1, 1],
        );
        return this.model.loss(
          vars.map((v, i) => tf.sub(v, tf.mul(eta, gl[i]))),
          xb,
          yb,
        );
      });
      const packed = packFacts(rows, R);
      layout = packed.layout;
      (per as tf.Tensor | null)?.dispose(); // kept out of variableGrads' scope; stacked now
      return [packed.tensor, ...gl];
    });
    const [factsT, ...grads] = kept;
    if (needs.has("dx") || needs.has("dg") || needs.has("gradDot")) {
      tf.dispose([...(this.prevX ?? []), ...(this.prevG ?? [])]);
      this.prevX = vars.map((v) => tf.clone(v));
      this.prevG = grads.map((g) => tf.clone(g));
    }
    const facts = await readFacts(factsT as tf.Tensor2D, layout!);
    return { facts, grads, lineTrials: lineCands.map((c) => c.length) };
  }

  /**
   * One step of the on-line power method (LeCun, Simard & Pearlmutter 1993; inside facts' tf.tidy), returning
   * ‖ψ‖ per run, the λ_max estimate: ψ ← (1 − γ)ψ + γ·(∇f(w + αψ/‖ψ‖) − ∇f(w))/α on the step's batch, one more
   * gradient. ψ starts as the same seeded random vector in every run, and the first time it is used it takes 10
   * plain power iterations (γ = 1) on that batch, so the first LR already comes from an estimate near λ_max
   * rather than from a random vector's Rayleigh quotient.
   */
  private powerMethod(
    vars: tf.Variable[],
    raw: tf.Tensor[],
    gradAt: (ps: tf.Tensor[]) => tf.Tensor[],
  ): tf.Tensor1D {
    const R = this.runs;
    const param = (k: string, d: number) => col(this.scheds.map((s) => num(s.params, k, d)));
    const alpha = param("alpha", 1e-2);
    const gamma = param("gamma", 0.1);
    const norm = (ts: readonly tf.Tensor[]) =>
      tf.sqrt(tf.addN(ts.map((x) => tf.sum(tf.square(x), [1, 2])))) as tf.Tensor1D;
    const fresh = !this.psi;
    if (!this.psi) {
      const seed = subSeed(this.exp.seed, 8000);
      this.psi = vars.map((v, i) =>
        tf.variable(
          tf.broadcastTo(tf.randomNormal([1, ...v.shape.slice(1)], 0, 1, "float32", seed + i), v.shape),
          false,
        ),
      );
    }
    const psi = this.psi;
    for (let k = 0; k < (fresh ? 10 : 1); k++) {
      const n = tf.reshape(norm(psi), [R, 1, 1]);
      const moved = gradAt(vars.map((v, i) => tf.add(v, tf.mul(tf.div(alpha, n), psi[i]))));
      const g = fresh ? tf.onesLike(gamma) : gamma;
      psi.forEach((p, i) => {
        p.assign(tf.add(tf.mul(tf.sub(1, g), p), tf.mul(g, tf.div(tf.sub(moved[i], raw[i]), alpha))));
      });
    }
    return norm(psi);
  }

  /**
   * The per-weight methods' step (inside facts' tf.tidy): a curvature estimate per weight from ONE more gradient
   * on the same batch, at θ + d — vSGDfd: d = v = ḡ + ε and h = |(∇f(θ + v) − ∇f(θ))/v| (the authors' finite
   * difference); vSGD, vSGD_original and SDLM: Hutchinson's d = δz with Rademacher z and h = |z ⊙ Hz|, Hz taken
   * as (∇f(θ + δz) − ∇f(θ))/δ, the same z for every run (bbprop's Gauss–Newton diagonal is not available in tfjs; its estimates are ≥ 0,
   * hence the absolute value). The raw gradient is differenced, before any gradient noise. Then the statistics
   * and η (optimizers.ts), and what the page shows of them.
   */
  private perWeight(
    vars: tf.Variable[],
    raw: tf.Tensor[],
    gl: tf.Tensor[],
    gradAt: (ps: tf.Tensor[]) => tf.Tensor[],
  ): { eta: tf.Tensor1D[]; stats: tf.Tensor1D[] } {
    const R = this.runs;
    const h: PerWeightHyper = {
      eps: new Float32Array(R),
      slow: new Float32Array(R),
      level: new Float32Array(R),
      outlier: new Float32Array(R),
      fd: new Float32Array(R),
      lr: new Float32Array(R),
      mu: new Float32Array(R),
      gamma: new Float32Array(R),
    };
    const probe = new Float32Array(R).fill(1);
    this.scheds.forEach((s, r) => {
      const p = s.params as Record<string, unknown>;
      if (this.kinds[r] === "vsgd") {
        h.eps[r] = num(p, "epsilon", 1e-9);
        h.slow[r] = num(p, "slow_constant", 2);
        h.level[r] = num(p, "outlier_level", 0);
        h.outlier[r] = p.variant === "vSGD_original" || p.outlier_level === null ? 0 : 1;
        h.fd[r] = p.variant === "vSGDfd" ? 1 : 0;
      }
      if (this.kinds[r] === "sdlm") {
        h.lr[r] = this.exp.baseLr;
        h.mu[r] = num(p, "mu", 0.1);
        h.gamma[r] = num(p, "gamma", 0.05);
      }
      probe[r] = num(p, "probe", 1e-3);
    });
    const first = Float32Array.from(this.pwSteps, (k) => (k === 0 ? 1 : 0));
    const fdMask = tf.cast(col(h.fd), "bool");
    const delta = col(probe);
    const v = vsgdDirection(this.opt, raw, first, h.eps);
    const seed = subSeed(this.exp.seed, 7000 + this.step);
    const z = vars.map((x, i) =>
      tf.where(tf.less(tf.randomUniform([1, ...x.shape.slice(1)], 0, 1, "float32", seed + i), 0.5), -1, 1),
    );
    const fd = (i: number) => tf.broadcastTo(fdMask, vars[i].shape);
    const d = vars.map((_, i) => tf.where(fd(i), v[i], tf.mul(delta, z[i])));
    const w = vars.map((_, i) => tf.where(fd(i), tf.div(1, v[i]), tf.div(z[i], delta)));
    const moved = gradAt(vars.map((x, i) => tf.add(x, d[i])));
    const curv = moved.map((m, i) => tf.abs(tf.mul(tf.sub(m, raw[i]), w[i])));
    const eta = perWeightEta(this.opt, gl, curv, h, first);
    for (let r = 0; r < R; r++) if (PER_WEIGHT_KINDS.includes(this.kinds[r])) this.pwSteps[r]++;
    const { quantiles, stats } = perWeightSummary(this.opt, eta);
    return { eta: quantiles, stats };
  }

  /** The step's mini-batch as tensors (sequences: one-hot next tokens of every position, [B·T, V]). */
  private batchTensors(idx: Int32Array): { x: tf.Tensor2D | null; y: tf.Tensor | null } {
    if (!this.xAll || !this.yAll) return { x: null, y: null };
    const idxT = tf.tensor1d(idx, "int32");
    const x = tf.gather(this.xAll, idxT) as tf.Tensor2D;
    let y = tf.gather(this.yAll, idxT);
    if (this.data.type === "sequence") y = tf.oneHot(tf.reshape(y, [-1]), this.data.outputs).toFloat();
    return { x, y };
  }

  /**
   * Label-noise burst. Classification: each run's labels move towards the wrong classes by min(1, strength);
   * regression: targets move towards their negation by the same amount.
   */
  private corruptLabels(yb: tf.Tensor, rel: Float32Array): tf.Tensor {
    const R = this.runs;
    const m = tf.tensor3d(
      rel.map((x) => (x !== 0 ? Math.min(1, this.exp.noise.strength) : 0)),
      [R, 1, 1],
    );
    if (this.data.type === "regression")
      return tf.mul(tf.reshape(yb, [1, -1]), tf.sub(1, tf.mul(2, tf.reshape(m, [R, 1]))));
    const flip = tf.div(tf.sub(1, yb), this.data.outputs - 1);
    return tf.add(yb, tf.mul(m, tf.sub(flip, yb)));
  }

  /**
   * Each run's observation of the step and its LR: "before" schedulers decide from this step's facts now,
   * the others use the LR they set after the last step. A run whose loss is no longer finite is marked
   * diverged at this step and gets LR 0 from now on, while the others go on.
   */
  private decideLrs(
    t: number,
    facts: Facts,
    lineTrials: number[],
    eta: Float32Array,
    lrs?: readonly number[],
  ): { obs: Observation[]; out: (RunStep | null)[]; hyper: StepHyper } {
    const R = this.runs;
    const signal = this.exp.noise.target === "signal";
    const hyper: StepHyper = {
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
      const clean = facts.get("loss", r)!;
      const o = facts.observation(t, r, lineTrials[r] ?? 0);
      o.loss = signal ? clean + eta[r] : clean;
      obs.push(o);
      let events: SchedulerEvent[] = [];
      let lr = s.lr;
      if (s.spec.timing === "before" && this.divergedAt[r] === null) {
        const res = s.step(o);
        lr = res.lr;
        events = res.events;
      }
      if (lrs) lr = lrs[r];
      this.hyper(r, lr, hyper);
      if (this.divergedAt[r] !== null) {
        hyper.lr[r] = 0;
        continue;
      }
      const sf = isScheduleFree(this.kinds[r]);
      const atX = sf ? facts.get("lossX", r) : undefined;
      const diverged = !Number.isFinite(clean) || (atX !== undefined && !Number.isFinite(atX));
      if (diverged) {
        this.divergedAt[r] = t;
        hyper.lr[r] = 0;
      }
      this.history[r].push(clean);
      if (this.history[r].length > 8) this.history[r].shift();
      const needs = s.spec.needs;
      const run: RunStep = {
        loss: atX ?? clean,
        lr,
        events,
        cost: {
          grads:
            1 +
            (needs.includes("secant") || needs.includes("power") || PER_WEIGHT_KINDS.includes(this.kinds[r])
              ? 1
              : 0),
          fwds:
            (atX !== undefined ? 1 : 0) +
            (lineTrials[r] ? (s.spec.trials?.(s.params, s.state) ?? lineTrials[r]) : 0),
        },
        ...(atX !== undefined ? { lossY: clean } : {}),
        ...(diverged ? { diverged: true } : {}),
      };
      if (eta[r] !== 0) run.eta = eta[r];
      const q = obs[r].etaQuantiles;
      if (q && this.divergedAt[r] === null && PER_WEIGHT_KINDS.includes(this.kinds[r]))
        run.lrBand = [q[0], q[2]];
      const g2 = facts.get("gradSq", r);
      if (g2 !== undefined) run.gradNorm = Math.sqrt(g2);
      const b = this.bound;
      if (b?.runs[r] && g2 !== undefined && !diverged) {
        // The bound on f(x) − f* for the x this step evaluated: the steps taken before this one.
        if (b.sumG[r] > 0) run.bound = b.at.fStar + sfBound(b.at.cStar, b.sumG[r], b.sumG2[r]);
        b.sumG[r] += lr;
        b.sumG2[r] += lr * lr * g2;
      }
      const x1 = facts.get("x1", r);
      const x2 = facts.get("x2", r);
      if (x1 !== undefined && x2 !== undefined) run.pos = [x1, x2];
      out[r] = run;
    }
    return { obs, out, hyper };
  }

  /** Every run's optimizer update with this step's per-run hyper-parameters; the gradients are freed. */
  private update(grads: tf.Tensor[], hyper: StepHyper): void {
    applyUpdate(this.opt, this.model.vars, grads, hyper, this.exp.baseLr);
    tf.dispose(grads);
  }

  /** "After" schedulers see the step and set the next LR; a spec that restarts its run does so here. */
  private afterStep(obs: Observation[], out: (RunStep | null)[]): void {
    for (let r = 0; r < this.runs; r++) {
      const s = this.scheds[r];
      if (s.spec.timing !== "after" || this.divergedAt[r] !== null) continue;
      const res = s.step(obs[r]);
      if (out[r] && res.events.length) out[r]!.events = out[r]!.events.concat(res.events);
      if (s.spec.restartsRun && res.events.some((e) => e.kind === "phase")) this.restartRun(r);
    }
  }

  /** The weights each run is evaluated at: a schedule-free run's average x, every other run's own (in tf.tidy). */
  evalVars(): tf.Tensor[] {
    return sfPoint(this.opt, this.model.vars, "x") ?? this.model.vars;
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
    this.sfAvg[r] = initAveraging();
    if (this.bound) {
      this.bound.sumG[r] = 0;
      this.bound.sumG2[r] = 0;
    }
  }

  /** Per-run optimizer hyper-parameters of this step. */
  private hyper(r: number, lr: number, h: StepHyper) {
    const s = this.scheds[r];
    const p = s.params as Record<string, unknown>;
    const kind = this.kinds[r];
    h.lr[r] = lr;
    h.weightDecay[r] = kind === "adamw" ? this.exp.weightDecay : num(p, "weight_decay", 0);
    const cycled = s.momentum;
    const sf = this.exp.runs[r]?.sf;
    h.beta1[r] = isScheduleFree(kind)
      ? (sf?.beta ?? num(p, "beta", 0.9))
      : cycled !== undefined && Number.isFinite(cycled)
        ? cycled
        : kind === "momentum"
          ? this.exp.momentum
          : 0.9;
    if (isScheduleFree(kind)) {
      // The averaging weight follows the run's own LR (engine/scheduleFreeAny.ts): the run's settings, else the
      // spec's (Schedule-Free's reference weights, the Polyak step's uniform ones).
      const mode = (sf?.averaging ?? (typeof p.averaging === "string" ? p.averaging : "reference")) as SfMode;
      const { c, next } = sfAverage(mode, this.sfAvg[r], lr, num(p, "r", 0), num(p, "weight_lr_power", 2));
      this.sfAvg[r] = next;
      h.sfC[r] = c;
    } else if (kind === "delta-bar-delta") {
      h.dbdKappa[r] = num(p, "kappa", 1e-4);
      h.dbdPhi[r] = num(p, "phi", 0.1);
      h.dbdTheta[r] = num(p, "theta", 0.7);
    } else if (kind === "adadelta") {
      h.dbdTheta[r] = num(p, "rho", 0.9);
      h.dbdKappa[r] = num(p, "eps", 1e-6);
    }
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
      ...(this.psi ?? []),
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
