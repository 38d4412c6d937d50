import fc from "fast-check";
import LZString from "lz-string";
import { describe, expect, it } from "vitest";
import { exampleConfig, getSpec, SCHEDULERS } from "../engine/registry";
import { createScheduler } from "../engine/runtime";
import {
  BACKENDS,
  defaultExperiment,
  type Experiment,
  experimentSchema,
  HIDEABLE,
  OPTIMIZERS,
} from "./config";
import { NOISE_TARGETS, NOISE_TYPES } from "./noise";
import { TASKS } from "./tasks";
import { decodeExperiment, encodeExperiment, FIELDS, linkFor } from "./url";
import { validateExperiment } from "./validate";

/** Every run's params with defaults filled, so configs that differ only in spelled-out defaults compare equal. */
function normalize(e: Experiment) {
  return {
    ...e,
    runs: e.runs.map((r) => ({
      ...r,
      scheduler: {
        ...r.scheduler,
        params: getSpec(r.scheduler.scheduler).parse(r.scheduler.params ?? {}, r.scheduler.children),
      },
    })),
  };
}

const num = (min: number, max: number) =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));

/** A random valid scheduler config: a registry example with one numeric parameter moved within its range. */
const schedulerArb = fc
  .tuple(
    fc.constantFrom(...SCHEDULERS.map((s) => s.id)),
    fc.integer({ min: 0, max: 20 }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([id, k, u]) => {
    const cfg = exampleConfig(id, 500, 0.05);
    const spec = getSpec(id);
    const nums = spec.params.filter((m) => (m.type === "number" || m.type === "int") && m.key !== "scale_fn");
    if (nums.length) {
      const m = nums[k % nums.length];
      const lo = m.uiMin ?? m.min ?? 0;
      const hi = m.uiMax ?? m.max ?? lo + 10;
      let v = lo + u * (hi - lo);
      if (m.type === "int") v = Math.round(v);
      const next = { ...cfg, params: { ...cfg.params, [m.key]: v } };
      try {
        createScheduler(next, 0.05);
        return next;
      } catch {
        return cfg;
      }
    }
    return cfg;
  });

const runArb = fc.record({
  name: fc.string({ minLength: 1, maxLength: 40 }),
  color: fc.integer({ min: 0, max: 0xffffff }).map((c) => `#${c.toString(16).padStart(6, "0")}`),
  scheduler: schedulerArb,
});

const experimentArb: fc.Arbitrary<Experiment> = fc
  .record({
    task: fc.record({
      kind: fc.constantFrom(...TASKS),
      samples: fc.integer({ min: 20, max: 5000 }),
      noise: num(0, 1),
    }),
    hidden: fc.array(fc.integer({ min: 1, max: 256 }), { maxLength: 4 }),
    optimizer: fc.constantFrom(...OPTIMIZERS),
    momentum: num(0, 0.999),
    weightDecay: num(0, 1),
    baseLr: num(1e-6, 10),
    batchSize: fc.integer({ min: 1, max: 1024 }),
    steps: fc.integer({ min: 1, max: 100_000 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    backend: fc.constantFrom(...BACKENDS),
    noise: fc.record({
      type: fc.constantFrom(...NOISE_TYPES),
      strength: num(0, 5),
      target: fc.constantFrom(...NOISE_TARGETS),
    }),
    runs: fc.array(runArb, { minLength: 1, maxLength: 8 }),
    view: fc.record({
      logLoss: fc.boolean(),
      logLr: fc.boolean(),
      smoothing: num(0, 0.99),
      hide: fc.subarray([...HIDEABLE]),
      present: fc.boolean(),
      autoplay: fc.boolean(),
      lesson: fc.stringMatching(/^[a-z0-9-]{0,40}$/),
      explain: fc.boolean(),
      embed: fc.boolean(),
    }),
  })
  .map((e) => experimentSchema.parse({ v: 1, ...e }));

describe("URL codec", () => {
  it("the default experiment encodes to a short readable link and back", () => {
    const q = encodeExperiment(defaultExperiment());
    expect(q).toMatch(/^v=1&/);
    expect(q).toContain("r1=GreedyLR");
    const d = decodeExperiment(q);
    expect(d.ignored).toEqual([]);
    expect(normalize(d.experiment)).toEqual(normalize(defaultExperiment()));
  });

  it("encode ∘ decode is the identity on valid experiments", () => {
    fc.assert(
      fc.property(experimentArb, (e) => {
        const d = decodeExperiment(encodeExperiment(e));
        expect(d.ignored).toEqual([]);
        expect(normalize(d.experiment)).toEqual(normalize(e));
      }),
      { numRuns: 400 },
    );
  });

  it("stays under ~2 000 characters for an 8-run experiment", () => {
    fc.assert(
      fc.property(experimentArb, (e) => {
        const eight = { ...e, runs: Array.from({ length: 8 }, (_, i) => e.runs[i % e.runs.length]) };
        expect(encodeExperiment(eight).length).toBeLessThan(2000);
      }),
      { numRuns: 100 },
    );
  });

  it("never throws and always yields a valid experiment, for random and mutated links", () => {
    const keys = [
      "v",
      "z",
      ...FIELDS.map((f) => f.key),
      "r0",
      "r0.factor",
      "r1",
      "r1.name",
      "r0.color",
      "r9",
      "junk",
    ];
    const pairs = fc.array(fc.tuple(fc.constantFrom(...keys), fc.string({ maxLength: 30 })), {
      maxLength: 12,
    });
    const mutated = fc
      .tuple(
        experimentArb,
        fc.integer({ min: 0, max: 3000 }),
        fc.string({ maxLength: 5 }),
        fc.integer({ min: 0, max: 3 }),
      )
      .map(([e, at, junk, how]) => {
        const q = encodeExperiment(e);
        const i = at % (q.length + 1);
        return how === 0
          ? q.slice(0, i)
          : how === 1
            ? q.slice(0, i) + junk + q.slice(i + 1)
            : how === 2
              ? q.replace(/=([^&]*)/, `=${junk}`)
              : `${q}&${junk}=${junk}`;
      });
    // What browsers and chat apps do to links: malformed and truncated percent escapes, overlong and
    // surrogate UTF-8 sequences, raw lone surrogates, '+' and '%2B', and repeated keys.
    const mangle = fc.constantFrom(
      "%E0%A4%A",
      "%",
      "%Z",
      "%%",
      "%ED%A0%80",
      "%C0%AF",
      "%F4%90%80%80",
      "\uD800",
      "\uDC00x",
      "+",
      "%2B",
      "&r0=Constant&r0=GreedyLR",
      "&lr=0.1&lr=0.2",
      "=",
      "&&",
    );
    const mangled = fc
      .tuple(
        fc.oneof(
          mutated,
          pairs.map((ps) => ps.map(([k, v]) => `${k}=${v}`).join("&")),
        ),
        fc.array(fc.tuple(fc.nat(), mangle), { minLength: 1, maxLength: 4 }),
      )
      .map(([q, cuts]) => {
        let out = q;
        for (const [at, m] of cuts) {
          const i = at % (out.length + 1);
          out = out.slice(0, i) + m + out.slice(i);
        }
        return out;
      });
    const link = fc.oneof(
      fc.string({ maxLength: 200 }),
      pairs.map((ps) => ps.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")),
      mutated,
      mangled,
    );
    fc.assert(
      fc.property(link, (q) => {
        const d = decodeExperiment(q);
        expect(experimentSchema.safeParse(d.experiment).success).toBe(true);
        for (const r of d.experiment.runs)
          expect(() => createScheduler(r.scheduler, d.experiment.baseLr)).not.toThrow();
        // The page writes the decoded experiment straight back into the address bar.
        expect(() => decodeExperiment(encodeExperiment(d.experiment))).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps the valid parts of a bad link and lists exactly what was ignored", () => {
    const d = decodeExperiment(
      "?v=1&task=spirall&lr=0.05&steps=-4&bogus=1&r0=GreedyLR&r0.factor=7&r0.patience=3&r1=NoSuchLR",
    );
    expect(d.experiment.baseLr).toBe(0.05);
    expect(d.experiment.task.kind).toBe("spiral");
    expect(d.experiment.steps).toBe(1000);
    expect(d.experiment.runs).toHaveLength(1);
    expect(d.experiment.runs[0].scheduler.params).toEqual({ patience: 3 });
    expect(d.ignored).toEqual([
      expect.stringMatching(/^task=spirall: /),
      expect.stringMatching(/^steps=-4: /),
      'unknown key "bogus"',
      expect.stringMatching(/run 1 .*"factor" must be < 1/),
      'run 2: unknown scheduler "NoSuchLR" — run dropped',
    ]);
  });

  it("loads the valid parts of mangled links and names what it could not read", () => {
    const mangledValue = decodeExperiment("?z=%E0%A4%A");
    expect(mangledValue.experiment).toEqual(defaultExperiment());
    expect(mangledValue.ignored).toEqual([expect.stringMatching(/corrupt/)]);
    const lesson = decodeExperiment("?lesson=%E0%A4%A&lr=0.1");
    expect(lesson.experiment.baseLr).toBe(0.1);
    expect(lesson.experiment.view.lesson).toBe("");
    expect(lesson.ignored).toEqual([expect.stringMatching(/^lesson=.*default used$/)]);
    const key = decodeExperiment("?l%E0%A4%Ar=0.1&steps=300");
    expect(key.experiment.steps).toBe(300);
    expect(key.ignored).toEqual([expect.stringMatching(/^unknown key "l\uFFFD/)]);
    const runKey = decodeExperiment("?r0=GreedyLR&r0.fac%E0tor=0.5&r0.patience=4");
    expect(runKey.experiment.runs[0].scheduler.params).toEqual({ patience: 4 });
    expect(runKey.ignored).toEqual([expect.stringMatching(/GreedyLR has no parameter "fac\uFFFDtor"/)]);
    // '+' is a space in a query string; '%2B' is a plus sign: both are just values here.
    expect(decodeExperiment("?lr=1e%2B0").experiment.baseLr).toBe(1);
    expect(decodeExperiment("?lr=1e+0").ignored).toEqual([expect.stringMatching(/^lr=1e 0: /)]);
    expect(decodeExperiment("?r0=Constant&r0.name=a+b%2Bc").experiment.runs[0].name).toBe("a b+c");
    // Repeated keys: the first value is used, and the notice says so.
    const twice = decodeExperiment("?lr=0.1&lr=0.2");
    expect(twice.experiment.baseLr).toBe(0.1);
    expect(twice.ignored).toEqual(['"lr" is given 2 times — the first value is used']);
    // Overlong and surrogate sequences decode to U+FFFD, never to a character that slips through.
    expect(decodeExperiment("?r0=Constant&r0.name=%C0%AF%ED%A0%80").experiment.runs[0].name).toMatch(
      /^\uFFFD+$/,
    );
  });

  it("a bad parameter gets the same treatment in a readable link, a compressed link and a file", () => {
    const raw = {
      ...defaultExperiment(),
      baseLr: -1,
      runs: [
        {
          name: "G",
          color: "#123456",
          scheduler: { scheduler: "GreedyLR", params: { factor: 7, patience: 3 } },
        },
      ],
    };
    const readableLink = "?lr=-1&r0=GreedyLR&r0.name=G&r0.color=123456&r0.factor=7&r0.patience=3";
    const compressed = `?v=1&z=${LZString.compressToEncodedURIComponent(JSON.stringify(raw))}`;
    const a = decodeExperiment(readableLink);
    const b = decodeExperiment(compressed);
    const c = validateExperiment(raw);
    for (const d of [a, b, c]) {
      expect(d.experiment.baseLr).toBe(defaultExperiment().baseLr);
      expect(d.experiment.runs).toEqual([
        { name: "G", color: "#123456", scheduler: { scheduler: "GreedyLR", params: { patience: 3 } } },
      ]);
      expect(d.ignored).toEqual([
        expect.stringMatching(/^lr=-1: .* — default used$/),
        expect.stringMatching(/^run 1 \(G\): .*"factor" must be < 1 .* — default used$/),
      ]);
    }
  });

  it("reports corrupt compressed data and huge links, and keeps script text as plain text", () => {
    expect(decodeExperiment("v=1&z=N4Igxg9").ignored[0]).toMatch(/corrupt|not valid JSON|invalid/);
    expect(decodeExperiment(`v=1&lr=${"9".repeat(30_000)}`).ignored[0]).toMatch(/too long/);
    const d = decodeExperiment("v=1&r0=Constant&r0.name=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    expect(d.experiment.runs[0].name).toBe("<script>alert(1)</script>");
  });

  it("uses the compressed form when the readable one is long, and decodes it identically", () => {
    const e = experimentSchema.parse({
      ...defaultExperiment(),
      runs: Array.from({ length: 8 }, (_, i) => ({
        name: `a fairly long run name number ${i}`,
        color: "#123456",
        scheduler: {
          scheduler: "SequentialLR",
          params: { milestones: [100] },
          children: [
            { scheduler: "LinearLR", params: { start_factor: 0.1, total_iters: 100 } },
            { scheduler: "CosineAnnealingLR", params: { T_max: 900 } },
          ],
        },
      })),
    });
    const q = encodeExperiment(e);
    expect(q).toMatch(/^v=1&z=/);
    expect(decodeExperiment(q)).toEqual({ experiment: e, ignored: [] });
  });
});

describe("links for an audience", () => {
  it("a students' link never carries presenter mode, autoplay or embedding; a presenting link opens presenting", () => {
    const e = experimentSchema.parse({
      ...defaultExperiment(),
      view: { ...defaultExperiment().view, present: true, autoplay: true, embed: true, lesson: "refined" },
    });
    const students = decodeExperiment(linkFor(e, "students")).experiment.view;
    expect(students).toMatchObject({ present: false, autoplay: false, embed: false, lesson: "refined" });
    const presenting = decodeExperiment(linkFor(e, "presenting")).experiment.view;
    expect(presenting).toMatchObject({ present: true, autoplay: true, embed: false, lesson: "refined" });
  });

  it("carries the LR range test: flavour and non-default parameters round-trip; bad ones are named", () => {
    const e = defaultExperiment();
    e.view.range = {
      flavor: "torch-lr-finder",
      params: { start_lr: 1e-5, end_lr: 1, num_iter: 60, step_mode: "linear" },
      open: false,
    };
    const q = encodeExperiment(e);
    expect(q).toMatch(/rt=torch-lr-finder/);
    expect(q).toMatch(/rt\.step_mode=linear/);
    expect(q).toMatch(/rt\.open=0/);
    const d = decodeExperiment(q);
    expect(d.ignored).toEqual([]);
    expect(d.experiment.view.range.flavor).toBe("torch-lr-finder");
    expect(d.experiment.view.range.open).toBe(false);
    expect(d.experiment.view.range.params).toMatchObject({
      start_lr: 1e-5,
      end_lr: 1,
      num_iter: 60,
      step_mode: "linear",
    });
    const bad = decodeExperiment("rt=fastai&rt.num_it=1&rt.end_lr=Infinity&rt.zzz=1");
    expect(bad.experiment.view.range.params).toMatchObject({ num_it: 100, end_lr: 10 });
    expect(bad.ignored.join("\n")).toMatch(/num_it/);
    expect(bad.ignored.join("\n")).toMatch(/end_lr/);
    expect(bad.ignored.join("\n")).toMatch(/zzz/);
    const swapped = decodeExperiment("rt=fastai&rt.start_lr=1&rt.end_lr=0.5");
    expect(swapped.experiment.view.range.params).toMatchObject({ start_lr: 1e-7, end_lr: 10 });
    expect(swapped.ignored.join("\n")).toMatch(/start_lr.*below.*end_lr/);
    expect(decodeExperiment("rt=keras").experiment.view.range.flavor).toBe("");
  });

  it("carries a run's schedule-free settings; bad ones are named and dropped", () => {
    const e = defaultExperiment();
    e.runs[1] = {
      ...e.runs[1],
      scheduler: { scheduler: "WSD", params: {} },
      sf: { variant: "adamw", averaging: "theory", beta: 0.95 },
    };
    const q = encodeExperiment(e);
    expect(q).toMatch(/r1\.sf=adamw/);
    const d = decodeExperiment(q);
    expect(d.ignored).toEqual([]);
    expect(d.experiment.runs[1].sf).toEqual({ variant: "adamw", averaging: "theory", beta: 0.95 });
    expect(d.experiment.runs[0].sf).toBeUndefined();
    const bad = decodeExperiment("r0=Constant&r0.sf=sgd&r0.sf.avg=median");
    expect(bad.experiment.runs[0].sf).toBeUndefined();
    expect(bad.ignored.join("\n")).toMatch(/schedule-free/);
    const orphan = decodeExperiment("r0=Constant&r0.sf.avg=theory");
    expect(orphan.experiment.runs[0].sf).toBeUndefined();
    expect(orphan.ignored.join("\n")).toMatch(/r0\.sf=sgd\|adamw/);
    const own = decodeExperiment("r0=DeltaBarDelta&r0.sf=sgd");
    expect(own.experiment.runs[0].sf).toBeUndefined();
    expect(own.ignored.join("\n")).toMatch(/chooses its own optimizer/);
  });
});
