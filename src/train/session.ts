/**
 * A training session: everything the training worker does, as one object with explicit state, driven by the
 * page's messages (`handle`) and answering through an injected `post`. The worker file is a thin adapter
 * around it; unit tests drive it in Node with a fake `post` and the CPU backend.
 *
 * What it owns:
 * - the race (a Trainer) and the loop that steps it — paced (steps/s) or as fast as it goes, yielding so
 *   pause and parameter messages get in;
 * - batching: per-run columns of the steps since the last flush, posted ~5 times a second, stamped with the
 *   build generation so the page drops batches of an older build;
 * - the task views (decision boundary, fit curve, digits, sampled text), a few times a second;
 * - backend recovery: a backend that fails mid-run is dropped, the race is replayed on the next one up to
 *   the failed step (the experiment as built + every live scheduler change at its step), or restarted from 0
 *   when the replay would take too long.
 */
import { parseRangeTest } from "../engine/rangeTest";
import type { SchedulerConfig } from "../engine/types";
import type { Experiment } from "../experiment/config";
import type { AutoPlan } from "./auto";
import { AutoMeasure, type AutoOutcome, type MeasureDeps } from "./autoMeasure";
import { CORPUS_TITLE } from "./corpus";
import { heldOutAccuracy, predict, sample } from "./inference";
import { type Digits, loadMnist, mnistTest } from "./mnist";
import type { BackendInfo, BackendName, FromWorker, RunBatch, ToWorker } from "./protocol";
import { raceData } from "./raceData";
import { runRangeTestOn } from "./rangeTest";
import { type LiveChange, replayTrainer, Trainer } from "./trainer";

export interface SessionDeps {
  post(m: FromWorker): void;
  /** Pick and verify a backend (never one of `exclude`). */
  selectBackend(requested: Experiment["backend"], exclude?: BackendName[]): Promise<BackendInfo>;
  /** "auto": where to start (the cached choice, or WASM at once), and how to measure while training (auto.ts). */
  auto?: { start(exp: Experiment): Promise<AutoPlan>; measure: MeasureDeps };
  /** WebGPU: call `onLost` when the device is lost (the next step then fails and recovery begins). */
  watchDevice?(onLost: (message: string) => void): void;
  now?(): number;
}

const FLUSH_MS = 200;
/** Task views refresh at most this often… */
const VIEW_MS = 500;
/**
 * …and take at most 10% of the worker's time: after a view that took v ms, the next waits for
 * v·(1 − share)/share ms of training. The share aimed at is 8% (11.5·v), not 10%: a view can cost more than
 * the one before it (measured: 10.7% with 9·v at 8 CNN runs). Text sampling, the dearest view, waits at
 * least 2 s.
 */
export const VIEW_SHARE = 0.08;
/** Longest replay worth waiting for after a device loss; beyond it the race restarts from step 0. */
export const REPLAY_BUDGET_MS = 15_000;
/** Longest replay worth a pause to move the race to a faster backend; beyond it the next visit starts there. */
export const SWITCH_BUDGET_MS = 3_000;
/** Digits shown in the task view (the first held-out ones); accuracy is over all held-out digits. */
const DIGITS_SHOWN = 24;
const PROMPT = "Then can I ";

interface ViewGrid {
  pts: Float32Array;
  n: number;
  grid: number;
  lo: number;
  hi: number;
}

/** Grid of inputs for the task view: G×G over the data's box (2-D) or G points along x (1-D). */
function viewGrid(t: Trainer): ViewGrid | null {
  const d = t.data;
  if (d.type === "analytic" || d.dim > 2) return null;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of d.x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  if (d.dim === 1) {
    const G = 120;
    const pts = new Float32Array(G);
    for (let i = 0; i < G; i++) pts[i] = lo + ((hi - lo) * i) / (G - 1);
    return { pts, n: G, grid: G, lo, hi };
  }
  const G = 40;
  const pts = new Float32Array(G * G * 2);
  for (let j = 0; j < G; j++)
    for (let i = 0; i < G; i++) {
      pts[2 * (j * G + i)] = lo + ((hi - lo) * (i + 0.5)) / G;
      pts[2 * (j * G + i) + 1] = hi - ((hi - lo) * (j + 0.5)) / G;
    }
  return { pts, n: G * G, grid: G, lo, hi };
}

/**
 * One turn of the event loop, to let queued messages (pause, sliders, a cancel) in. Not `setTimeout(0)`:
 * browsers clamp nested timeouts to 4 ms, in workers too, and the loop yields after every 16 ms of training,
 * so it idled 4 ms at each yield (the app's worker, profiled by bench:worker-profile: 3.9 of 26.6 ms per step
 * for 8 CNN runs, 0.84 of 4.7 ms for one). A MessageChannel message is not clamped; Node has setImmediate.
 */
export const yieldToEvents = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof setImmediate === "function") return void setImmediate(resolve);
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });

export class TrainingSession {
  private readonly deps: SessionDeps;
  private readonly now: () => number;
  // The race.
  trainer: Trainer | null = null;
  /** The experiment now (with live scheduler changes) and as built (for a replay), with those changes. */
  experiment: Experiment | null = null;
  private built: Experiment | null = null;
  private changes: LiveChange[] = [];
  info: BackendInfo | null = null;
  private failedBackends: BackendName[] = [];
  /** Set when the device is lost (or a loss is simulated): the next step throws and recovery begins. */
  private deviceLost: string | null = null;
  // The loop.
  running = false;
  private pendingSteps = 0;
  private looping = false;
  private stepsPerSecond: number | null = null;
  private rate = 0;
  // Batching.
  private buffers: RunBatch[] = [];
  private onsets: number[] = [];
  /** The page's build generation, stamped on every batch. */
  gen = 0;
  private lastFlush = 0;
  // Task views.
  private nextView = 0;
  /** The training milliseconds (this.trainMs) to reach before the next view: the views' budget. */
  private viewAfterTrainMs = 0;
  /** The task "auto" was measured on (null for an explicit backend). */
  private autoTask: string | null = null;
  /** "auto": the measurement that runs while the race trains, then watches its step times (autoMeasure.ts). */
  private autoM: AutoMeasure | null = null;
  /** init and reset build one at a time, and only the latest of those queued (its generation). */
  private building: Promise<void> = Promise.resolve();
  private latestGen = 0;
  private grid: ViewGrid | null = null;
  private heldOut: Digits | null = null;
  private nextText = 0;
  /** Milliseconds spent training steps and drawing task views since the build (posted with the status). */
  private trainMs = 0;
  private viewMs = 0;

  constructor(deps: SessionDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => performance.now());
  }

  /** One message from the page. Errors become an "error" message; the session stays usable. */
  async handle(m: ToWorker): Promise<void> {
    try {
      switch (m.type) {
        case "init":
        case "reset": {
          // A build waits for the loop to stop and for the build before it: two builds at once would share
          // tfjs's one current backend (opening the replay view mid-measurement once corrupted "auto").
          this.running = false;
          this.pendingSteps = 0;
          this.latestGen = m.gen;
          await this.serially(async () => {
            while (this.looping) await yieldToEvents();
            if (m.gen !== this.latestGen) return; // a newer init or reset follows
            if (m.type === "init") this.info = null;
            this.gen = m.gen;
            await this.build(m.type === "init" ? m.experiment : (m.experiment ?? this.experiment!));
          });
          break;
        }
        case "play":
          this.running = true;
          void this.loop();
          break;
        case "pause":
          this.running = false;
          this.pendingSteps = 0;
          break;
        case "step":
          this.pendingSteps += m.count;
          void this.loop();
          break;
        case "scheduler":
          this.setScheduler(m.run, m.config);
          break;
        case "speed":
          this.stepsPerSecond = m.stepsPerSecond;
          break;
        case "simulate-failure":
          this.deviceLost = "simulated device loss";
          break;
        case "range":
          void this.rangeTest(m.experiment, m.id);
          break;
        case "range-cancel":
          if (this.rangeJob?.id === m.id) this.rangeJob.cancelled = true;
          break;
        case "race-data":
          await this.raceData(m.id);
          break;
      }
    } catch (e) {
      this.deps.post({ type: "error", message: (e as Error).message });
    }
  }

  /**
   * The LR range test of `exp.view.range`, on a throwaway copy of the experiment (train/rangeTest.ts): the race
   * keeps its trainer and goes on; the test yields every few iterations so a cancel, a pause or a slider gets in.
   * A newer request cancels an older one.
   */
  private rangeJob: { id: number; cancelled: boolean } | null = null;
  private async rangeTest(exp: Experiment, id: number): Promise<void> {
    const post = this.deps.post;
    if (this.rangeJob) this.rangeJob.cancelled = true;
    const job = { id, cancelled: false };
    this.rangeJob = job;
    try {
      if (!this.info) throw new Error("training is not ready yet — try again in a moment");
      const { flavor, params } = exp.view.range;
      if (flavor === "") throw new Error("no range test is configured");
      const cfg = parseRangeTest({ flavor, params });
      if (exp.task.kind === "mnist") await loadMnist();
      let last = 0;
      const result = await runRangeTestOn(exp, cfg, {
        onProgress: (done, total) => {
          const now = this.now();
          if (now - last > FLUSH_MS || done === total) {
            last = now;
            post({ type: "range-progress", id, done, total });
          }
        },
        cancelled: () => job.cancelled,
        yieldNow: yieldToEvents,
      });
      if (!job.cancelled || result.reason === "cancelled") post({ type: "range-result", id, result });
    } catch (e) {
      post({ type: "range-error", id, message: (e as Error).message });
    } finally {
      if (this.rangeJob === job) this.rangeJob = null;
    }
  }

  /** The race as built (step 0) and its data and initial weights, for the PyTorch export (train/raceData.ts). */
  private async raceData(id: number): Promise<void> {
    const post = this.deps.post;
    try {
      const exp = this.built;
      if (!exp || !this.info) throw new Error("training is not ready yet — try again in a moment");
      if (exp.task.kind === "mnist") await loadMnist();
      post({ type: "race-data", id, experiment: exp, data: raceData(exp), changes: this.changes.length });
    } catch (e) {
      post({ type: "race-data-error", id, message: (e as Error).message });
    }
  }

  /** Runs `work` after every build or "auto" move queued before it, one at a time; its failure reaches the caller. */
  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.building.then(work);
    this.building = run.catch(() => undefined);
    return run;
  }

  /** Resolves once the loop has stopped (tests; a reset waits for it too). */
  async idle(): Promise<void> {
    while (this.looping) await yieldToEvents();
  }

  private setScheduler(run: number, config: SchedulerConfig) {
    const { trainer, experiment } = this;
    if (!trainer || !experiment) return;
    const ev = trainer.setScheduler(run, config);
    this.changes.push({ step: trainer.step, run, config });
    this.experiment = {
      ...experiment,
      runs: experiment.runs.map((r, i) => (i === run ? { ...r, scheduler: config } : r)),
    };
    if (ev) this.buffers[run]?.events.push(ev);
    if (!this.running) this.flush();
  }

  private async build(exp: Experiment) {
    this.trainer?.dispose();
    this.trainer = null;
    this.experiment = exp;
    // "auto" is chosen per task (measured on it); an explicit backend once per request.
    const task = exp.backend === "auto" ? exp.task.kind : null;
    // A measurement in progress measured the old race: it starts again on this one.
    this.autoM?.cancel();
    if (!this.info || this.info.requested !== exp.backend || task !== this.autoTask) {
      this.failedBackends = [];
      this.autoTask = task;
      this.autoM = null;
      if (exp.backend === "auto" && this.deps.auto) {
        const plan = await this.deps.auto.start(exp);
        const a = new AutoMeasure(plan.job, plan.info, plan.measure, this.deps.auto.measure);
        // Medians that arrive while the race is not training (paused, or ended) are applied at once.
        a.onResult = () => {
          if (this.looping || this.autoM !== a) return;
          void this.serially(async () => {
            if (this.autoM === a && !this.looping) await this.applyAuto(a.poll());
          });
        };
        this.autoM = a;
        this.info = plan.info;
      } else this.info = await this.deps.selectBackend(exp.backend);
      this.deps.post({ type: "ready", info: this.info });
    }
    await this.start(exp);
    this.flush();
    // Play or Step may have arrived while the trainer was being built (e.g. loading the digits): go on now.
    if (this.running || this.pendingSteps > 0) void this.loop();
  }

  /** Make `exp`'s trainer current (a new one, or `replayed` after a device loss) and post its data. */
  private async start(exp: Experiment, replayed?: Trainer) {
    if (exp.task.kind === "mnist") await loadMnist();
    const t = replayed ?? new Trainer(exp);
    this.trainer = t;
    if (!replayed) {
      this.built = exp;
      this.changes = [];
    }
    this.buffers = this.freshBuffers();
    this.onsets = [];
    this.grid = viewGrid(t);
    this.heldOut = exp.task.kind === "mnist" ? mnistTest() : null;
    this.nextText = 0;
    this.nextView = 0;
    this.viewAfterTrainMs = 0;
    this.trainMs = 0;
    this.viewMs = 0;
    this.postData(t);
    await this.postView();
    if (this.info?.backend === "webgpu")
      this.deps.watchDevice?.((msg) => {
        this.deviceLost = msg;
      });
  }

  /** The task's data, once per build. */
  private postData(t: Trainer) {
    const d = t.data;
    const post = this.deps.post;
    if (this.heldOut)
      post({
        type: "data",
        kind: "digits",
        dim: d.dim,
        x: this.heldOut.x.slice(0, DIGITS_SHOWN * d.dim),
        y: Float32Array.from(this.heldOut.y.slice(0, DIGITS_SHOWN)),
      });
    else if (d.type === "sequence")
      post({
        type: "data",
        kind: "text",
        dim: d.dim,
        x: new Float32Array(0),
        y: new Float32Array(0),
        title: CORPUS_TITLE,
      });
    else if (d.type !== "analytic" && d.dim <= 2)
      post({
        type: "data",
        kind: d.type,
        dim: d.dim,
        x: d.x,
        y: d.type === "regression" ? d.target : Float32Array.from(d.y),
      });
  }

  /**
   * What the models have learned, for the task view, within the views' budget (VIEW_SHARE of the worker's
   * time): each view's cost sets how long until the next one.
   */
  private async postView() {
    const t = this.trainer;
    if (!t) return;
    const t0 = this.now();
    const drew = await this.drawView(t, t0);
    if (!drew) return;
    const cost = this.now() - t0;
    this.viewMs += cost;
    // The next view waits for both: VIEW_MS of wall time, and enough *training* time that this view stays
    // within its share (wall time alone would count the worker's other work and idle time as training).
    this.nextView = this.now() + VIEW_MS;
    this.viewAfterTrainMs = this.trainMs + (cost * (1 - VIEW_SHARE)) / VIEW_SHARE;
  }

  /** One task view: held-out digits, sampled text, or the boundary / fit grid. False if nothing was drawn. */
  private async drawView(t: Trainer, t0: number): Promise<boolean> {
    const post = this.deps.post;
    const held = this.heldOut;
    if (held) {
      const step = t.step;
      const { preds, accuracy } = await heldOutAccuracy(t, held);
      post({
        type: "digits",
        preds: preds.map((p) => p.slice(0, DIGITS_SHOWN)),
        accuracy,
        heldOut: held.n,
        step,
      });
      return true;
    }
    if (t.data.type === "sequence") {
      if (t0 < this.nextText) return false;
      const step = t.step;
      const samples = await sample(t, PROMPT, 80);
      // The views' budget (postView) already spaces samples by their cost; text also waits at least 2 s.
      this.nextText = this.now() + 2000;
      post({ type: "text", prompt: PROMPT, samples, step });
      return true;
    }
    const g = this.grid;
    if (!g) return false;
    const values = await predict(t, g.pts, g.n);
    if (values) post({ type: "view", grid: g.grid, lo: g.lo, hi: g.hi, values });
    return values !== null;
  }

  private freshBuffers(): RunBatch[] {
    return (this.experiment?.runs ?? []).map((_, r) => ({
      steps: [],
      loss: [],
      lr: [],
      events: [],
      divergedAt: this.trainer?.divergedAt[r] ?? null,
    }));
  }

  /** Post the steps trained since the last flush (one batch) and the status. */
  flush() {
    const t = this.trainer;
    if (!t) return;
    this.buffers.forEach((b, r) => {
      b.divergedAt = t.divergedAt[r];
      const s = t.scheds[r];
      b.internals = s.spec.inspect?.(s.params, s.state);
      if (s.spec.timeBased) b.sched = { state: s.state, step: t.step };
    });
    this.deps.post({ type: "batch", step: t.step, runs: this.buffers, onsets: this.onsets, gen: this.gen });
    this.buffers = this.freshBuffers();
    this.onsets = [];
    this.lastFlush = this.now();
    this.deps.post({
      type: "status",
      running: this.running,
      step: t.step,
      done: t.step >= (this.experiment?.steps ?? 0),
      stepsPerSecond: this.rate,
      trainMs: this.trainMs,
      viewMs: this.viewMs,
    });
  }

  private record(rep: Awaited<ReturnType<Trainer["trainStep"]>>) {
    rep.runs.forEach((r, k) => {
      if (!r) return;
      const b = this.buffers[k];
      b.steps.push(rep.step);
      b.loss.push(r.loss);
      b.cost = { grads: (b.cost?.grads ?? 0) + r.cost.grads, fwds: (b.cost?.fwds ?? 0) + r.cost.fwds };
      if (r.lossY !== undefined) {
        b.lossY = b.lossY ?? [];
        b.lossY.push(r.lossY);
      }
      if (this.trainer?.hasBound(k)) {
        b.bound = b.bound ?? [];
        b.bound.push(r.bound ?? Number.NaN);
      }
      b.lr.push(r.lr);
      if (r.lrBand) {
        b.lrLo = b.lrLo ?? [];
        b.lrHi = b.lrHi ?? [];
        b.lrLo.push(r.lrBand[0]);
        b.lrHi.push(r.lrBand[1]);
      }
      if (r.events.length) b.events.push(...r.events);
      if (r.pos) {
        b.x1 = b.x1 ?? [];
        b.x2 = b.x2 ?? [];
        b.x1.push(r.pos[0]);
        b.x2.push(r.pos[1]);
      }
    });
    if (rep.onset) this.onsets.push(rep.step);
  }

  private wants(): boolean {
    const { trainer, experiment } = this;
    return (
      !!trainer && !!experiment && (this.running || this.pendingSteps > 0) && trainer.step < experiment.steps
    );
  }

  private async loop() {
    if (this.looping) return;
    this.looping = true;
    try {
      let sliceStart = this.now();
      let stepsInWindow = 0;
      let windowStart = this.now();
      while (this.wants()) {
        let rep: Awaited<ReturnType<Trainer["trainStep"]>>;
        let dt = 0;
        try {
          if (this.deviceLost) throw new Error(this.deviceLost);
          const s0 = this.now();
          rep = await this.trainer!.trainStep();
          dt = this.now() - s0;
          this.trainMs += dt;
        } catch (e) {
          if (await this.recover(e as Error)) continue;
          throw e;
        }
        if (this.pendingSteps > 0) this.pendingSteps--;
        this.record(rep);
        if (this.autoM) await this.autoTick(dt);
        stepsInWindow++;
        const now = this.now();
        if (now - windowStart > 500) {
          this.rate = (stepsInWindow * 1000) / (now - windowStart);
          stepsInWindow = 0;
          windowStart = now;
        }
        if (now - this.lastFlush > FLUSH_MS) this.flush();
        if (now >= this.nextView && this.trainMs >= this.viewAfterTrainMs) await this.postView();
        const sps = this.stepsPerSecond;
        if (sps) await new Promise((r) => setTimeout(r, 1000 / sps));
        else if (now - sliceStart > 16) {
          await yieldToEvents(); // let pause / parameter messages in
          sliceStart = this.now();
        }
      }
      if (this.trainer && this.experiment && this.trainer.step >= this.experiment.steps) this.running = false;
    } catch (e) {
      this.running = false;
      this.deps.post({ type: "error", message: `training stopped: ${(e as Error).message}` });
    } finally {
      this.looping = false;
      this.flush();
      await this.postView();
    }
  }

  /**
   * "auto" after a step of `dt` ms (autoMeasure.ts): it starts the measurement away from the race, and once its
   * medians are in, when they find a backend clearly faster, the race moves there exactly as after a device loss — replayed up to this step —
   * unless that replay would take longer than SWITCH_BUDGET_MS; then it stays and the next visit starts there.
   */
  private async autoTick(dt: number): Promise<void> {
    await this.applyAuto(this.autoM!.afterStep(this.built!, this.trainer!.step, dt));
  }

  /** Posts "auto"'s new info, first moving the race when it found a backend clearly faster. */
  private async applyAuto(out: AutoOutcome | null): Promise<void> {
    const a = this.autoM;
    if (!out || !a || !this.trainer) return;
    const from = this.info!.backend;
    if (out.switchTo && out.switchTo !== from) {
      const to = out.switchTo;
      const step = this.trainer!.step;
      this.flush();
      const old = this.trainer!;
      const use = this.deps.auto!.measure.use;
      if ((await use(to)) === null && (await this.replay(step, SWITCH_BUDGET_MS))) old.dispose();
      else {
        await use(from);
        out.info = a.stayed(
          from,
          `replaying ${step} steps on ${to} would take over ${SWITCH_BUDGET_MS / 1000} s, so this race stays on ${from} and the next visit starts on ${to}`,
        );
      }
    }
    this.info = out.info;
    this.deps.post({ type: "ready", info: this.info });
  }

  /**
   * Rebuild the lost state on the new backend by replaying steps 0…step−1 from the experiment as built, with
   * the live scheduler changes at their steps: training is seeded, so the replay reaches the state the runs
   * had. False (and no trainer) when the replay would take longer than REPLAY_BUDGET_MS, judged after 50 steps.
   */
  private async replay(step: number, budgetMs = REPLAY_BUDGET_MS): Promise<boolean> {
    if (!this.built) return false;
    const t0 = this.now();
    const t = await replayTrainer(
      this.built,
      this.changes,
      step,
      (k) => k === 49 && ((this.now() - t0) / 50) * step > budgetMs,
    );
    if (!t) return false;
    await this.start(this.built, t);
    return true;
  }

  /**
   * A backend failed mid-run: pick the next working backend (never a failed one), replay the race there up
   * to the failed step and go on; if that would take too long, restart from step 0 (all runs must still share
   * their start) — the page keeps the curves so far as references.
   */
  private async recover(err: Error): Promise<boolean> {
    const lost = this.info?.backend;
    const exp = this.experiment;
    if (!exp || !lost || lost === "cpu" || this.failedBackends.length >= 3) return false;
    const step = this.trainer?.step ?? 0;
    this.flush(); // the steps trained since the last batch are not lost with the device
    this.failedBackends = [...this.failedBackends, lost];
    this.deviceLost = null;
    try {
      this.trainer?.dispose();
    } catch {
      // the device is gone: its tensors cannot be freed, nor need to be
    }
    this.trainer = null;
    const next = await this.deps.selectBackend(
      exp.backend === lost ? "auto" : exp.backend,
      this.failedBackends,
    );
    // Keep the user's choice as "requested" so a Reset does not go back to the failed backend.
    this.info = {
      ...next,
      requested: exp.backend,
      reason: `${lost} failed at step ${step} (${err.message}); recovered on ${next.backend}`,
    };
    this.deps.post({ type: "ready", info: this.info });
    const t0 = this.now();
    const base = { type: "recovered" as const, from: lost, to: next.backend, step, message: err.message };
    if (await this.replay(step)) {
      this.deps.post({ ...base, gen: this.gen, resumedAfterMs: this.now() - t0 });
      return true;
    }
    this.gen += 1;
    this.deps.post({ ...base, gen: this.gen });
    await this.start(exp);
    return true;
  }
}
