/**
 * "auto" measured while the race trains (auto.ts says why). The session calls `afterStep` after each of the
 * race's steps with that step's training time; this object:
 * 1. after a few steps, asks for a measurement of every usable backend on a copy of the race (measure.ts, in a
 *    second instance of the worker, so the race goes on meanwhile) — the race's own backend included, so every
 *    backend is measured the same way, under the same load;
 * 2. when the medians arrive, tells the session to move the race to a backend SWITCH_RATIO faster than the
 *    current one (the session replays it there up to the same step), and caches the choice;
 * 3. then watches the race's step times: a steady step time over CONTRADICTION_RATIO × the time measured for
 *    the chosen backend forgets the cached choice and measures again.
 */
import type { Experiment } from "../experiment/config";
import { median } from "../experiment/metrics";
import { type AutoJob, CONTRADICTION_RATIO, MEASURE_ROUNDS, SWITCH_RATIO } from "./auto";
import type { Measured } from "./measure";
import type { BackendInfo, BackendName } from "./protocol";

export interface MeasureDeps {
  /** Measure these backends on a copy of `exp` away from the race; `cancel` drops a measurement in flight. */
  measure(exp: Experiment, backends: readonly BackendName[]): { result: Promise<Measured>; cancel(): void };
  /** Make `b` the race's backend for new tensors (the session then replays the race there). */
  use(b: BackendName): Promise<string | null>;
  save(key: string, b: BackendName, times: Partial<Record<BackendName, number>>): Promise<unknown>;
  forget(key: string): Promise<unknown>;
}

/** What the session does after a step: post new info, and first move the race to `switchTo` if given. */
export type AutoOutcome = { info: BackendInfo; switchTo?: BackendName };

/** Steps the race trains before the measurement starts (the class sees training begin first). */
const FIRST_STEP = 3;
/** Steps after a decision before its step times count, and the window they are judged over. */
const WATCH_AFTER = 10;
const WATCH_WINDOW = 30;

const fmt = (ms: number) => (ms >= 10 ? `${Math.round(ms)}` : ms.toPrecision(2));

export class AutoMeasure {
  private phase: "idle" | "measuring" | "watch" | "done";
  private flight: { cancel(): void; got: Measured | null; failed: string | null } | null = null;
  private watchMs = 0;
  private watched: number[] = [];
  private watchSkip = 0;

  /** Called when a measurement's medians arrive (the session applies them at once if the race is not training). */
  onResult: () => void = () => {};

  constructor(
    readonly job: AutoJob,
    public info: BackendInfo,
    measure: boolean,
    private readonly deps: MeasureDeps,
  ) {
    const cachedMs = info.measured?.times[info.backend];
    this.phase = measure ? "idle" : cachedMs ? "watch" : "done";
    this.watchMs = cachedMs ?? 0;
  }

  /** Stops a measurement in flight (a reset, a new experiment): it starts again on the next race. */
  cancel(): void {
    this.flight?.cancel();
    this.flight = null;
    if (this.phase === "measuring") this.phase = "idle";
    this.watched = [];
  }

  /** After the race's step `step` on the current backend, which took `dt` ms of training. */
  afterStep(exp: Experiment, step: number, dt: number): AutoOutcome | null {
    if (this.phase === "done") return null;
    if (this.phase === "watch") return this.watch(dt);
    if (this.phase === "idle") {
      if (step >= FIRST_STEP) this.start(exp);
      return null;
    }
    return this.poll();
  }

  /** The outcome of a measurement whose medians have arrived; null while none has. */
  poll(): AutoOutcome | null {
    if (this.phase !== "measuring") return null;
    const f = this.flight;
    if (!f || (!f.got && !f.failed)) return null;
    this.flight = null;
    if (f.failed || !f.got || Object.keys(f.got.times).length < 2) {
      this.phase = "done";
      const why = f.failed ?? (f.got?.notes.join("; ") || "only one backend could be measured");
      this.info = {
        ...this.info,
        measuring: false,
        reason: `${this.job.soft}${why}; training stays on ${this.info.backend}`,
      };
      return { info: this.info };
    }
    return this.decide(f.got);
  }

  private start(exp: Experiment) {
    this.phase = "measuring";
    const req = this.deps.measure(exp, this.job.usable);
    const flight = { cancel: req.cancel, got: null as Measured | null, failed: null as string | null };
    this.flight = flight;
    req.result.then(
      (m) => {
        flight.got = m;
        if (this.flight === flight) this.onResult();
      },
      (e: Error) => {
        flight.failed = `measuring failed: ${e.message}`;
        if (this.flight === flight) this.onResult();
      },
    );
  }

  private decide(m: Measured): AutoOutcome {
    const cur = this.info.backend;
    const times = m.times;
    const ranked = (Object.entries(times) as [BackendName, number][]).sort((a, b) => a[1] - b[1]);
    const best = ranked[0][0];
    const curMs = times[cur];
    const faster = best !== cur && (curMs === undefined || (times[best] as number) * SWITCH_RATIO < curMs);
    const chosen = faster ? best : cur;
    void this.deps.save(this.job.key, chosen, times);
    const list = ranked.map(([b, ms]) => `${b} ${fmt(ms)} ms`).join(", ");
    const how = `medians of ${MEASURE_ROUNDS} interleaved rounds on a copy of this race while it trained (${list} per step)`;
    const notes = m.notes.length ? `${m.notes.join("; ")}; ` : "";
    this.info = {
      ...this.info,
      backend: chosen,
      measuring: false,
      measured: { times, cached: false, task: this.job.task },
      reason: faster
        ? `${this.job.soft}${notes}${chosen} is over ${SWITCH_RATIO}× faster than ${cur}: ${how}; the race moved there at the same step`
        : `${this.job.soft}${notes}${how}${best !== cur ? `; ${best} is not ${SWITCH_RATIO}× faster, so training stays on ${cur}` : ""}`,
    };
    this.phase = "watch";
    this.watchMs = times[chosen] as number;
    this.watchSkip = WATCH_AFTER;
    return faster ? { info: this.info, switchTo: chosen } : { info: this.info };
  }

  /** The session could not move the race (its replay would take too long): it stays, the choice is cached. */
  stayed(on: BackendName, why: string): BackendInfo {
    this.info = { ...this.info, backend: on, reason: `${this.info.reason}; ${why}` };
    this.watchMs = this.info.measured?.times[on] ?? this.watchMs;
    return this.info;
  }

  private watch(dt: number): AutoOutcome | null {
    if (this.watchSkip > 0) {
      this.watchSkip--;
      return null;
    }
    this.watched.push(dt);
    if (this.watched.length < WATCH_WINDOW) return null;
    const steady = median(this.watched) as number; // WATCH_WINDOW steps: never empty
    this.watched = [];
    if (!(steady > CONTRADICTION_RATIO * this.watchMs)) return null;
    void this.deps.forget(this.job.key);
    this.phase = "idle";
    this.info = {
      ...this.info,
      measuring: true,
      reason: `${this.job.soft}training ran at ${fmt(steady)} ms per step, over ${CONTRADICTION_RATIO}× the ${fmt(this.watchMs)} ms measured on ${this.info.backend}: the choice is not kept, and the backends are measured again while the race trains`,
    };
    return { info: this.info };
  }
}
