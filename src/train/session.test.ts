/**
 * The training session, driven as the page drives the worker: messages in, a fake `post` collecting what it
 * says. CPU backend; the backend names reported are labels, so a "device loss" can move the race from one
 * named backend to another while the arithmetic stays on the CPU (exact replays).
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { defaultExperiment, type Experiment, experimentSchema, RUN_COLORS } from "../experiment/config";
import type { BackendInfo, BackendName, FromWorker } from "./protocol";
import { TrainingSession, yieldToEvents } from "./session";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const exp = (steps = 60, patch: Partial<Experiment> = {}): Experiment =>
  experimentSchema.parse({
    ...defaultExperiment(),
    steps,
    batchSize: 32,
    runs: [
      { name: "constant", color: RUN_COLORS[0], scheduler: { scheduler: "Constant" } },
      { name: "greedy", color: RUN_COLORS[1], scheduler: { scheduler: "GreedyLR", params: { patience: 2 } } },
    ],
    ...patch,
  });

function harness(names: BackendName[] = ["webgl", "wasm"]) {
  const got: FromWorker[] = [];
  let picks = 0;
  const session = new TrainingSession({
    post: (m) => got.push(m),
    selectBackend: async (requested, exclude = []): Promise<BackendInfo> => {
      const backend = names.find((n) => !exclude.includes(n)) ?? "cpu";
      picks++;
      return { backend, requested, webgpu: "unavailable", reason: `test pick ${picks}` };
    },
  });
  const batches = (gen?: number) =>
    got.filter(
      (m): m is Extract<FromWorker, { type: "batch" }> =>
        m.type === "batch" && (gen === undefined || m.gen === gen),
    );
  /** Every run's (step, loss) as the page would assemble it from the batches of one generation. */
  const series = (gen: number, run: number) => {
    const steps: number[] = [];
    const loss: number[] = [];
    for (const b of batches(gen)) {
      steps.push(...b.runs[run].steps);
      loss.push(...b.runs[run].loss);
    }
    return { steps, loss };
  };
  return { session, got, batches, series };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Yield to the event loop until `done()` holds (no clock: the loop posts as it goes), failing after 10 000 turns. */
async function until(done: () => boolean): Promise<void> {
  for (let k = 0; k < 10_000; k++) {
    if (done()) return;
    await new Promise((r) => setTimeout(r, 0));
  }
  throw new Error("the condition never held");
}

describe("TrainingSession", () => {
  it("init → ready and data; play trains to the end in batches; status says done", async () => {
    const h = harness();
    await h.session.handle({ type: "init", experiment: exp(), gen: 0 });
    expect(h.got[0]).toMatchObject({ type: "ready", info: { backend: "webgl" } });
    expect(h.got.some((m) => m.type === "data" && m.kind === "classification")).toBe(true);
    await h.session.handle({ type: "play" });
    await h.session.idle();
    expect(h.series(0, 0).steps).toEqual(range(60));
    expect(h.series(0, 1).steps).toEqual(range(60));
    const last = h.got.filter((m) => m.type === "status").at(-1);
    expect(last).toMatchObject({ running: false, step: 60, done: true });
    expect(h.got.some((m) => m.type === "view")).toBe(true);
  });

  it("step advances exactly the steps asked for; pause stops a running loop", async () => {
    const h = harness();
    await h.session.handle({ type: "init", experiment: exp(500), gen: 0 });
    await h.session.handle({ type: "step", count: 3 });
    await h.session.idle();
    expect(h.session.trainer!.step).toBe(3);
    await h.session.handle({ type: "play" });
    await until(() => h.session.trainer!.step >= 10);
    await h.session.handle({ type: "pause" });
    await h.session.idle();
    const at = h.session.trainer!.step;
    expect(at).toBeGreaterThanOrEqual(10);
    expect(h.session.running).toBe(false);
    // Paused: however many turns the event loop takes, no step is trained.
    for (let k = 0; k < 50; k++) await new Promise((r) => setTimeout(r, 0));
    expect(h.session.trainer!.step).toBe(at);
    expect(h.series(0, 0).steps).toEqual(range(at));
  });

  it("a live parameter change takes effect at its step, is logged and is kept for a replay", async () => {
    const h = harness();
    await h.session.handle({ type: "init", experiment: exp(), gen: 0 });
    await h.session.handle({ type: "step", count: 10 });
    await h.session.idle();
    await h.session.handle({
      type: "scheduler",
      run: 1,
      config: { scheduler: "GreedyLR", params: { patience: 2, factor: 0.5 } },
    });
    const ev = h
      .batches(0)
      .flatMap((b) => b.runs[1].events)
      .find((e) => e.kind === "param");
    expect(ev).toMatchObject({ step: 10 });
    // It says what changed, from what to what.
    expect(ev!.message).toBe("GreedyLR: factor F 0.95 → 0.5 (live, at step 10)");
    expect(h.session.trainer!.scheds[1].params.factor).toBe(0.5);
    expect(h.session.experiment!.runs[1].scheduler.params).toEqual({ patience: 2, factor: 0.5 });
  });

  it("a device loss mid-run replays the race on the next backend and goes on, unbroken and exact", async () => {
    // The reference: the same race with the same live change, never interrupted.
    const ref = harness();
    await ref.session.handle({ type: "init", experiment: exp(), gen: 0 });
    await ref.session.handle({ type: "step", count: 20 });
    await ref.session.idle();
    await ref.session.handle({
      type: "scheduler",
      run: 1,
      config: { scheduler: "GreedyLR", params: { factor: 0.5 } },
    });
    await ref.session.handle({ type: "play" });
    await ref.session.idle();

    const h = harness();
    await h.session.handle({ type: "init", experiment: exp(), gen: 0 });
    await h.session.handle({ type: "step", count: 20 });
    await h.session.idle();
    await h.session.handle({
      type: "scheduler",
      run: 1,
      config: { scheduler: "GreedyLR", params: { factor: 0.5 } },
    });
    await h.session.handle({ type: "step", count: 15 });
    await h.session.idle();
    await h.session.handle({ type: "simulate-failure" });
    await h.session.handle({ type: "play" });
    await h.session.idle();
    const rec = h.got.find((m) => m.type === "recovered");
    expect(rec).toMatchObject({ from: "webgl", to: "wasm", step: 35, gen: 0 });
    expect((rec as { resumedAfterMs?: number }).resumedAfterMs).toBeGreaterThanOrEqual(0);
    expect(h.got.filter((m) => m.type === "ready").at(-1)).toMatchObject({ info: { backend: "wasm" } });
    for (const r of [0, 1]) {
      expect(h.series(0, r).steps).toEqual(range(60));
      expect(h.series(0, r).loss).toEqual(ref.series(0, r).loss);
    }
  });

  it("a rebuild while batches are in flight: the old build's batches keep their generation, the new one starts at 0", async () => {
    const h = harness();
    await h.session.handle({ type: "init", experiment: exp(5000), gen: 0 });
    await h.session.handle({ type: "play" });
    // In flight: the old build has posted trained steps (not only the empty batch of its init) and still runs.
    await until(() => h.batches(0).some((b) => b.runs[0].steps.length > 0));
    expect(h.session.running).toBe(true);
    // The page resets while the loop is mid-flight, with another experiment (3 runs).
    const three = exp(40, {
      runs: [
        ...exp().runs,
        {
          name: "cos",
          color: RUN_COLORS[2],
          scheduler: { scheduler: "CosineAnnealingLR", params: { T_max: 40 } },
        },
      ],
    });
    await h.session.handle({ type: "reset", experiment: three, gen: 1 });
    const firstNew = h.got.findIndex((m) => m.type === "batch" && m.gen === 1);
    expect(firstNew).toBeGreaterThan(0);
    // Nothing of the old build is posted after the new build's first batch.
    expect(h.got.slice(firstNew).some((m) => m.type === "batch" && m.gen === 0)).toBe(false);
    expect(h.batches(0).some((b) => b.runs[0].steps.length > 0)).toBe(true);
    await h.session.handle({ type: "play" });
    await h.session.idle();
    for (const r of [0, 1, 2]) expect(h.series(1, r).steps).toEqual(range(40));
  });

  it("an error in a message is reported and the session stays usable", async () => {
    const h = harness();
    await h.session.handle({ type: "init", experiment: exp(), gen: 0 });
    await h.session.handle({ type: "scheduler", run: 0, config: { scheduler: "NoSuchLR" } });
    expect(h.got.at(-1)).toMatchObject({ type: "error", message: expect.stringMatching(/NoSuchLR/) });
    await h.session.handle({ type: "step", count: 2 });
    await h.session.idle();
    expect(h.session.trainer!.step).toBe(2);
  });
});

describe('"auto": training starts at once, the other backends are measured while it trains', () => {
  /**
   * A session whose "auto" starts on "wasm" and measures "webgl". Backends are labels (the arithmetic stays on
   * the CPU); the measurement away from the race answers after a few turns of the event loop with wasm at 50 ms
   * and webgl `webglScale` times faster (slower than any real step here: no contradiction). `cached`: the cache answered with these times instead.
   */
  function autoHarness(opts: { webglScale?: number; cached?: Record<string, number> } = {}) {
    const got: FromWorker[] = [];
    let current: BackendName = "wasm";
    const log = {
      uses: [] as string[],
      measured: [] as string[][],
      saved: [] as unknown[],
      forgot: 0,
      starts: 0,
      inStart: 0,
      maxInStart: 0,
    };
    const session = new TrainingSession({
      post: (m) => got.push(m),
      selectBackend: async (requested): Promise<BackendInfo> => ({
        backend: "wasm",
        requested,
        webgpu: "unavailable",
        reason: "fixed",
      }),
      auto: {
        start: async (e) => {
          log.starts++;
          log.inStart++;
          log.maxInStart = Math.max(log.maxInStart, log.inStart);
          await new Promise((r) => setTimeout(r, 5));
          log.inStart--;
          const job = {
            key: `k:${e.task.kind}`,
            task: e.task.kind,
            usable: ["wasm", "webgl"] as BackendName[],
            soft: "",
          };
          const base = { requested: "auto" as const, webgpu: "software" as const, backend: "wasm" as const };
          return opts.cached
            ? {
                info: {
                  ...base,
                  reason: "cached",
                  measured: { times: opts.cached, cached: true, task: e.task.kind },
                },
                job,
                measure: false,
              }
            : { info: { ...base, reason: "training on WASM at once", measuring: true }, job, measure: true };
        },
        measure: {
          measure: (_e, backends) => {
            log.measured.push([...backends]);
            const result = (async () => {
              await new Promise((r) => setTimeout(r, 0));
              return { times: { wasm: 50, webgl: 50 / (opts.webglScale ?? 1) }, notes: [] };
            })();
            return { result, cancel: () => {} };
          },
          use: async (b) => {
            current = b;
            log.uses.push(b);
            return null;
          },
          save: async (key, b, times) => log.saved.push({ key, b, times }),
          forget: async () => {
            log.forgot++;
          },
        },
      },
    });
    const readies = () => got.filter((m): m is Extract<FromWorker, { type: "ready" }> => m.type === "ready");
    const losses = (run: number) =>
      got.flatMap((m) => (m.type === "batch" && m.gen === 0 ? m.runs[run].loss : []));
    const steps = (run: number) =>
      got.flatMap((m) => (m.type === "batch" && m.gen === 0 ? m.runs[run].steps : []));
    return { session, got, log, readies, losses, steps, current: () => current };
  }

  async function plainLosses(steps: number) {
    const ref = harness(["wasm"]);
    await ref.session.handle({ type: "init", experiment: exp(steps), gen: 0 });
    await ref.session.handle({ type: "play" });
    await ref.session.idle();
    return ref.series(0, 1).loss;
  }

  it("trains at once on WASM, measures webgl in interleaved rounds while training, and leaves the race unchanged", async () => {
    const h = autoHarness();
    await h.session.handle({ type: "init", experiment: exp(60), gen: 0 });
    expect(h.readies()[0].info).toMatchObject({ backend: "wasm", measuring: true });
    await h.session.handle({ type: "play" });
    await h.session.idle();
    // Every usable backend was measured away from the race, its own included; the race stayed on wasm.
    expect(h.log.measured).toEqual([["wasm", "webgl"]]);
    expect(h.log.uses).toEqual([]);
    const done = h.readies().at(-1)!.info;
    expect(done.measuring).toBe(false);
    expect(Object.keys(done.measured!.times).sort()).toEqual(["wasm", "webgl"]);
    expect(h.log.saved).toHaveLength(1);
    // Measuring did not touch the race: every step, and the same losses as a race never measured.
    expect(h.steps(1)).toEqual(range(60));
    expect(h.losses(1)).toEqual(await plainLosses(60));
  });

  it("moves the race to a clearly faster backend exactly: replayed to the same step, the series unbroken", async () => {
    const h = autoHarness({ webglScale: 10 });
    await h.session.handle({ type: "init", experiment: exp(60), gen: 0 });
    await h.session.handle({ type: "play" });
    await h.session.idle();
    const done = h.readies().at(-1)!.info;
    expect(done.backend).toBe("webgl");
    expect(done.reason).toMatch(/moved there at the same step/);
    expect(h.current()).toBe("webgl");
    expect(h.log.saved).toMatchObject([{ b: "webgl" }]);
    expect(h.steps(1)).toEqual(range(60));
    expect(h.losses(1)).toEqual(await plainLosses(60));
  });

  it("a cached choice that training contradicts (over 2× its measured time) is forgotten and measured again", async () => {
    const h = autoHarness({ cached: { wasm: 1e-6, webgl: 1 }, webglScale: 1.2 });
    await h.session.handle({ type: "init", experiment: exp(120), gen: 0 });
    expect(h.readies()[0].info.measured?.cached).toBe(true);
    await h.session.handle({ type: "play" });
    await h.session.idle();
    expect(h.log.forgot).toBe(1);
    expect(h.readies().some((r) => r.info.measuring && /not kept/.test(r.info.reason))).toBe(true);
    const last = h.readies().at(-1)!.info;
    expect(last.measured?.cached).toBe(false);
    expect(h.log.saved).toHaveLength(1);
  });

  it("an init and a reset in quick succession (the replay view opened while starting) build one at a time", async () => {
    const h = autoHarness();
    const a = h.session.handle({ type: "init", experiment: exp(60), gen: 0 });
    const b = h.session.handle({
      type: "reset",
      experiment: exp(80, { task: { kind: "circles", samples: 200, noise: 0.1 } }),
      gen: 1,
    });
    await Promise.all([a, b]);
    expect(h.log.maxInStart).toBe(1);
    expect(h.session.experiment!.steps).toBe(80);
    expect(h.readies().at(-1)!.info.measuring).toBe(true);
  });
});

describe("yieldToEvents", () => {
  it("in a browser (no setImmediate) takes one MessageChannel turn, never a timeout, which browsers clamp to 4 ms", async () => {
    const immediate = globalThis.setImmediate;
    const timeout = vi.spyOn(globalThis, "setTimeout");
    // @ts-expect-error -- a browser's worker has no setImmediate
    delete globalThis.setImmediate;
    try {
      const before = new MessageChannel();
      let delivered = false;
      before.port1.onmessage = () => {
        delivered = true;
        before.port1.close();
      };
      before.port2.postMessage("pause"); // a message queued before the yield, as the page's would be
      for (let i = 0; i < 20; i++) await yieldToEvents(); // nested, past the 5 levels where clamping starts
      expect(delivered).toBe(true);
      expect(timeout).not.toHaveBeenCalled();
    } finally {
      globalThis.setImmediate = immediate;
      timeout.mockRestore();
    }
  });
});
