import { describe, expect, it } from "vitest";
import { getSpec } from "../engine";
import {
  COURSE,
  DEFINED_LESSONS,
  isCore,
  jointClaims,
  LESSONS,
  lessonById,
  lessonQuery,
  lessonRaces,
  lessonState,
  openLesson,
  QUICK_FIELDS,
} from "./lessons";
import { decodeExperiment } from "./url";
import { FIELDS, validateExperiment } from "./validate";

describe("lessons", () => {
  it("at least 10, with unique ids and every text field filled", () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(10);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const l of LESSONS) {
      for (const k of ["title", "summary", "watch", "question", "next"] as const)
        expect(l[k].length, `${l.id}.${k}`).toBeGreaterThan(10);
      expect(lessonById(l.id)).toBe(l);
    }
  });

  it("each link opens exactly its experiment, with its lesson id, and every scheduler is valid", () => {
    for (const l of LESSONS)
      for (const e of [l.experiment, ...(l.alt ? [l.alt.experiment] : [])]) {
        expect(validateExperiment(e).ignored, l.id).toEqual([]);
        const d = decodeExperiment(lessonQuery(e));
        expect(d.ignored, l.id).toEqual([]);
        // Same experiment (params equal to their defaults are left out of links).
        expect(lessonQuery(d.experiment), l.id).toBe(lessonQuery(e));
        expect(d.experiment.view.lesson).toBe(l.id);
      }
  });

  it("covers the topics the course needs", () => {
    const used = (id: string) =>
      LESSONS.some((l) => l.experiment.runs.some((r) => r.scheduler.scheduler === id));
    for (const id of [
      "StepLR",
      "ExponentialLR",
      "CosineAnnealingLR",
      "OneCycleLR",
      "CosineAnnealingWarmRestarts",
      "ReduceLROnPlateau",
      "GreedyLR",
      "Refined",
      "ScheduleFree",
      "ArmijoLineSearch",
      "ExactLineSearch",
      "RobbinsMonro",
      "LinearWithWarmup",
    ])
      expect(used(id), id).toBe(true);
    expect(LESSONS.some((l) => l.experiment.task.kind === "charlm")).toBe(true);
    expect(LESSONS.some((l) => l.experiment.task.kind === "survey")).toBe(true);
    const noise = lessonById("noise-recovery")!;
    expect(noise.experiment.noise.target).toBe("signal");
    expect(noise.alt?.experiment.noise.target).toBe("gradients");
  });
});

describe("lesson texts", () => {
  it("are plain text: no stray Markdown emphasis (backticks mark code and are rendered)", () => {
    for (const l of LESSONS)
      for (const t of [l.title, l.summary, l.watch, l.question, l.next])
        expect(t, l.id).not.toMatch(/(^|[\s(])[*_]{1,2}[^*_\s][^*_]*[*_]{1,2}(?=[\s.,:;)]|$)/);
  });
});

describe("lesson links", () => {
  it("a bare ?lesson=<id> opens the lesson's own experiment, keeping classroom flags", () => {
    for (const l of LESSONS) {
      const q = `?lesson=${l.id}&present=1`;
      const e = openLesson(q, decodeExperiment(q).experiment);
      expect(lessonState(l, e), l.id).toBe("lesson");
      expect(e.view.present).toBe(true);
      expect(e.runs).toEqual(l.experiment.runs);
    }
  });

  it("a link that carries its own experiment keeps it, and the panel knows it changed", () => {
    const l = LESSONS.find((x) => x.id === "noise-recovery")!;
    const q = `?lesson=${l.id}&lr=0.5`;
    const e = openLesson(q, decodeExperiment(q).experiment);
    expect(e.baseLr).toBe(0.5);
    expect(lessonState(l, e)).toBe("changed");
    expect(lessonState(l, l.alt!.experiment)).toBe("alt");
    expect(lessonState(l, { ...l.experiment, view: { ...l.experiment.view, logLoss: false } })).toBe(
      "lesson",
    );
  });
});

describe("lesson state", () => {
  it("the backend in a link does not make a lesson 'changed' (it changes rounding, not the lesson)", () => {
    const l = lessonById("warm-restarts")!;
    expect(lessonState(l, { ...l.experiment, backend: "cpu" })).toBe("lesson");
  });
});

describe("lesson instructions", () => {
  it("every control a lesson asks the class to change is reachable in that lesson", () => {
    for (const l of LESSONS)
      for (const e of [l.experiment, ...(l.alt ? [l.alt.experiment] : [])])
        for (const c of l.controls) {
          if ((QUICK_FIELDS as readonly string[]).includes(c)) continue; // offered in the lesson panel
          const owners = e.runs.filter((r) => getSpec(r.scheduler.scheduler).params.some((m) => m.key === c));
          expect(owners.length, `${l.id}: "${c}" is no parameter of any run`).toBeGreaterThan(0);
          expect(e.view.hide, `${l.id}: "${c}" is in a hidden panel`).not.toContain("runs");
          expect(e.view.hide, `${l.id}: "${c}" is in a hidden panel`).not.toContain("params");
        }
  });

  it("quick fields are keys of the URL table, and lessons that hide the experiment panel name what they ask for", () => {
    for (const k of QUICK_FIELDS)
      expect(
        FIELDS.some((f) => f.key === k),
        k,
      ).toBe(true);
    const words: Record<string, RegExp> = {
      task: /task/i,
      steps: /steps/i,
      noise: /noise/i,
      opt: /optimizer/i,
      lr: /base LR|LR/,
    };
    for (const l of LESSONS)
      for (const c of l.controls.filter((x) => (QUICK_FIELDS as readonly string[]).includes(x)))
        expect(`${l.question} ${l.next}`, `${l.id}: ${c}`).toMatch(words[c]);
  });
});

describe("the course", () => {
  it("holds every lesson exactly once, in teaching order, with a core path a 90-minute class can do", () => {
    expect(COURSE.map((c) => c.id).sort()).toEqual(DEFINED_LESSONS.map((l) => l.id).sort());
    expect(new Set(COURSE.map((c) => c.id)).size).toBe(COURSE.length);
    const core = LESSONS.filter((l) => isCore(l.id)).map((l) => l.id);
    expect(core.length).toBeGreaterThanOrEqual(8);
    expect(core.length).toBeLessThanOrEqual(11);
    // The core path comes first, stability before everything, GreedyLR after the decays it is compared with.
    expect(LESSONS.slice(0, core.length).map((l) => l.id)).toEqual(core);
    const at = (id: string) => core.indexOf(id);
    expect(at("lr-too-small-large")).toBe(0);
    for (const later of ["step-exp-cosine", "onecycle", "meet-greedylr", "plateau-vs-greedy", "f-sweep"])
      expect(at("robbins-monro")).toBeLessThan(at(later));
    expect(at("step-exp-cosine")).toBeLessThan(at("meet-greedylr"));
    expect(at("find-the-lr")).toBeLessThan(at("meet-greedylr"));
    expect(at("meet-greedylr")).toBeLessThan(at("f-sweep"));
  });
});

/**
 * Numbers a lesson's text may say that are neither a setting of its races nor in one of its claims, each
 * reviewed: an instruction to the class, a fact of the function or of a rule, or a figure derived from settings.
 * A new number in a lesson's text fails the test below until it is claimed, or reviewed here.
 */
const REVIEWED: Record<string, Record<number, string>> = {
  "lr-too-small-large": { 10: "the bowl ½(x₁² + 10x₂²)", 11: "2/(λ_min + λ_max) = 2/11, a fact of the bowl" },
  "line-search": { 0.8: "an instruction (β to 0.8)" },
  "robbins-monro": { 0.75: "an instruction (try p = 0.75)" },
  "step-exp-cosine": {
    1000: "StepLR's second cliff: 2 × step_size 500",
    600: "the question asks about step 600",
    300: "an instruction (step size 300)",
  },
  "warmup-charlm": { 340: "400 steps − the 60 of warmup", 10: "an instruction (warmup of 10 steps)" },
  "decay-shape": {
    15: "120 of 800 steps",
    85: "680 of 800 steps",
    40: "an instruction (a cooldown of 40 steps)",
    300: "an instruction (a cooldown of 300 steps)",
  },
  onecycle: { 30: "OneCycleLR's pct_start, 0.3 by default" },
  "find-the-lr": {
    40: "0.33 / 0.0087 ≈ 38, from the settings",
    0.009: "“near 0.009”: the valley claim, 0.0075–0.0115 (one test iteration either side)",
    0.3: "“near 0.3”: the minimum claim, 0.28–0.4",
  },
  "meet-greedylr": { 0.3: "an instruction (max_lr to 0.3)" },
  "f-sweep": {
    4: "1/F for F = 0.25",
    10: "patience, 10 by default",
    22: "2 × (patience + 1): GreedyLR raises after more than patience improving steps",
    5: "an instruction (the paper's sweep over 5 seeds)",
  },
  "warm-restarts": {
    300: "T₀·T_mult = 150·2",
    600: "150·2²",
    140: "step 290 of the claim is 140 after the restart at 150",
  },
  "noise-recovery": { 150: "the spike period 50 + ⌊50·s⌋ at s = 2", 5: "an instruction (a window of 5)" },
  "replay-noisy": { 100: "an instruction (patience from 10 to 100)" },
  "held-out": {
    64: "epochs, from the settings: 600 steps × batch 32 / 300 digits",
    500: "the held-out digits MNIST keeps aside (MNIST_TEST), a fact of the task",
    10: "epochs at 2000 digits, from the settings: 600 × 32 / 2000 ≈ 9.6",
    1000: "an instruction (the digits field)",
  },
  "convex-bound": {
    2: "the bound's formula (2c*, 2Σγᵢ)",
    0.08: "the rising schedule's first LR: start_factor 0.01 × the base LR 8, from the settings",
  },
  "curvature-step": {
    1.9: "an instruction (factor 1.9)",
    2.5: "an instruction (factor 2.5)",
  },
  "batch-size": {
    2017: "the linear scaling rule's paper (Goyal et al. 2017)",
    8: "256/32 and 0.4/0.05, from the settings",
    25600: "256 × 100 = 32 × 800 examples, from the settings",
    5: "“more than 5 times higher”: the claim's ratio 0.2",
    0.2: "an instruction (base LR 0.2)",
  },
  "no-more-pesky": {
    5: "“more than 5% below”: the claims' ratio 0.95",
    10: "the internals' 10% point of η_i",
    90: "the internals' 90% point of η_i",
  },
};

describe("numbers in lesson texts", () => {
  const NUM = /(?<![\w.])(\d+(?:\.\d+)?(?:e-?\d+)?)(?![\w])/g;
  const numbers = (o: unknown, out = new Set<number>()): Set<number> => {
    if (typeof o === "number") out.add(o);
    else if (typeof o === "string")
      for (const m of o.replace(/(\d) (\d{3})\b/g, "$1$2").matchAll(NUM)) out.add(Number(m[1]));
    else if (Array.isArray(o)) for (const x of o) numbers(x, out);
    else if (o && typeof o === "object") for (const x of Object.values(o)) numbers(x, out);
    return out;
  };
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  for (const l of LESSONS)
    it(`${l.id}: every number its text says is a setting, a claim, or reviewed`, () => {
      const text = [l.summary, l.watch, l.question, l.next, l.alt?.watch ?? ""].join(" ");
      const known = new Set<number>();
      for (const r of lessonRaces(l)) {
        numbers(r.experiment, known);
        for (const c of r.claims) numbers(c.says, known);
      }
      for (const c of jointClaims(l)) numbers(c.says, known);
      const reviewed = REVIEWED[l.id] ?? {};
      const unchecked = [...numbers(text)].filter(
        (x) => ![...known].some((k) => near(x, k)) && !(x in reviewed),
      );
      expect(unchecked, "numbers in the text that nothing checks").toEqual([]);
      // The list does not rot: each reviewed number is still in the text.
      for (const k of Object.keys(reviewed))
        expect(numbers(text).has(Number(k)), `${k} is no longer said`).toBe(true);
    });
});
