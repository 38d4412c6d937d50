import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCase } from "../engine";
import { failedClaims } from "./claims";
import { LESSONS, lessonClaims } from "./lessons";
import { LogError, logSeries, peakLr, readLog, replayLessonRace } from "./logs";
import { LOSS_DRIVEN, replayRun } from "./replay";

const fixture = (f: string) => readFileSync(new URL(`./__fixtures__/logs/${f}`, import.meta.url), "utf8");
const read = (f: string) => readLog(f, fixture(f));

describe("reading training logs", () => {
  it("a Trainer state: training entries are the rows, eval entries join at their step, the summary is left out", () => {
    const t = read("trainer_state.json");
    expect(t.format).toBe("trainer_state");
    expect(t.guess).toEqual({ step: "step", value: "loss", lr: "learning_rate" });
    const s = logSeries(t, "step", "loss", "learning_rate");
    expect([...s.steps]).toEqual([25, 50, 75, 100]);
    expect([...s.values]).toEqual([2.31, 1.92, 2.05, 1.61]);
    expect([...(s.lr ?? [])]).toEqual([4.5e-5, 4e-5, 3.5e-5, 3e-5]);
    expect(t.notes.join(" ")).toMatch(/4 training entries; 2 eval entries.*summary entry is left out/);
    // The eval loss is a column of its own, on its steps.
    const e = logSeries(t, "step", "eval_loss");
    expect([...e.steps]).toEqual([50, 100]);
    expect(s.notes.join(" ")).toMatch(
      /a point every 25 steps; the replay treats each logged point as one scheduler step/,
    );
  });

  it("a CSV with bad rows: text, NaN, ∞, a missing step, a repeated step and rows out of order — the valid rows kept", () => {
    const t = read("bad_rows.csv");
    expect(t.format).toBe("csv");
    const s = logSeries(t, "step", "loss");
    expect([...s.steps]).toEqual([1, 2, 5, 6, 7, 8]);
    expect([...s.values]).toEqual([2.5, 2.4, 2.2, 2.05, 2.0, 1.9]);
    const notes = s.notes.join("\n");
    expect(notes).toMatch(/1 rows have no usable "step".*rows 7/);
    expect(notes).toMatch(/3 rows have no finite "loss" \(1 hold text\).*rows 3, 4, 5/);
    expect(notes).toMatch(/not in step order; they were sorted/);
  });

  it("a repeated step keeps its last row (a resumed run rewrote it)", () => {
    const s = logSeries(readLog("r.csv", "step,loss\n1,3\n2,2\n2,1.5\n3,1\n"), "step", "loss");
    expect([...s.values]).toEqual([3, 1.5, 1]);
    expect(s.notes.join(" ")).toMatch(/1 steps appear more than once/);
  });

  it("TensorBoard scalars, W&B chart exports and JSON lines are told apart and their columns guessed", () => {
    const tb = read("tensorboard.csv");
    expect(tb.format).toBe("tensorboard");
    expect(tb.guess).toMatchObject({ step: "Step", value: "Value" });
    const wb = read("wandb.csv");
    expect(wb.format).toBe("wandb");
    expect(wb.guess.value).toBe("run-1 - train/loss");
    expect(wb.guess.step).toBe("Step");
    const jl = read("log.jsonl");
    expect(jl.format).toBe("jsonl");
    expect(jl.notes.join(" ")).toMatch(/1 lines are not JSON objects/);
    expect(jl.guess).toEqual({ step: "step", value: "loss", lr: "lr" });
    expect([...logSeries(jl, "step", "loss").values]).toEqual([1, 0.9, 0.95]);
  });

  it("files it cannot read get a clear message", () => {
    expect(() => readLog("e.csv", "")).toThrow(LogError);
    expect(() => readLog("x.json", "{ nope")).toThrow(/not valid JSON/);
    expect(() => readLog("x.json", '{"a": 1}')).toThrow(/no log_history/);
    expect(() => readLog("one.csv", "loss\n1\n2\n")).toThrow(/at least two columns/);
    expect(() => logSeries(readLog("t.csv", "step,loss\n1,a\n2,b\n"), "step", "loss")).toThrow(
      /no row has both/,
    );
  });

  it("a 1-million-row CSV is read whole", () => {
    const rows = ["step,loss"];
    for (let i = 0; i < 1_000_000; i++) rows.push(`${i},${(1 + Math.sin(i)).toFixed(4)}`);
    const s = logSeries(readLog("big.csv", rows.join("\n")), "step", "loss");
    expect(s.values.length).toBe(1_000_000);
  });
});

describe("replay", () => {
  it("equals the schedule CLI's output for the same case (metrics = the log's values), exactly", () => {
    const s = logSeries(
      readLog("n.json", readFileSync("public/logs/noisy-finetune.json", "utf8")),
      "step",
      "loss",
    );
    const metrics = [...s.values];
    for (const scheduler of LOSS_DRIVEN)
      for (const params of [{}, { patience: 3, factor: 0.5 }]) {
        let ref: number[];
        try {
          ref = runCase({ scheduler, params, base_lr: 2e-5, steps: metrics.length, metrics }).lr;
        } catch {
          continue; // parameters this scheduler does not take
        }
        expect([...replayRun({ scheduler, params }, 2e-5, s.values).lr], scheduler).toEqual(ref);
      }
    expect(LOSS_DRIVEN).toEqual(expect.arrayContaining(["GreedyLR", "ReduceLROnPlateau"]));
  });

  it("counts LR changes and reversals (a raise followed by a cut within 2 × (patience + 1) points)", () => {
    // patience 1: two better points in a row raise, two worse in a row cut (worse = not below the best).
    const loss = [10, 9, 8, 7, 8, 9, 10, 9, 8, 7, 6, 5];
    const r = replayRun(
      { scheduler: "GreedyLR", params: { patience: 1, factor: 0.5, max_lr: 1, min_lr: 0 } },
      0.1,
      loss,
    );
    // Raises after 10, 9 and after 8, 7; cuts after 8, 9 — 2 points after the second raise: a reversal —
    // then after 10, 9 and 8, 7 (neither below the best, 7).
    expect(r.changes.map((c) => c.dir)).toEqual([1, 1, -1, -1, -1]);
    expect(r.reversals).toBe(1);
    expect(r.decisionsPer1000).toBeCloseTo((5 * 1000) / loss.length);
    expect(r.finalLr).toBe(r.lr[loss.length - 1]);
  });
});

describe("replay lessons", () => {
  for (const l of LESSONS.filter((x) => x.experiment.view.replay))
    it(`${l.title}: its claims hold on its bundled log`, () => {
      const text = readFileSync(`public/logs/${l.experiment.view.replay}`, "utf8");
      expect(failedClaims(lessonClaims(l), replayLessonRace(l.experiment, text))).toEqual([]);
    });
});

describe("a file that is not text", () => {
  it("is refused as 'not a text log', with no preview of garbage", () => {
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256);
    const decoded = new TextDecoder().decode(bytes); // what Blob.text() gives: U+FFFD for invalid bytes
    expect(() => readLog("model.bin", decoded)).toThrow(/model\.bin is not a text log/);
    expect(() => readLog("a.csv", "step,loss\n1,0.5\u0000\n")).toThrow(/not a text log/);
    // Text with the odd replacement character (a mis-saved name) is still read.
    expect(readLog("ok.csv", "step,loss,name\n1,0.5,caf\uFFFD\n2,0.4,x\n").columns).toEqual([
      "step",
      "loss",
      "name",
    ]);
  });
});

describe("where a replay starts", () => {
  it("is the run's peak logged LR, also after a warmup; none without an LR column", () => {
    const rows = ["step,loss,learning_rate"];
    for (let i = 1; i <= 300; i++)
      rows.push(`${i},${1 / i},${i <= 100 ? (2e-4 * i) / 100 : 2e-4 * (1 - (i - 100) / 250)}`);
    const t = readLog("w.csv", rows.join("\n"));
    expect(peakLr(logSeries(t, "step", "loss", "learning_rate"))).toBe(2e-4);
    expect(peakLr(logSeries(t, "step", "loss"))).toBeNull();
    expect(
      peakLr(logSeries(readLog("z.csv", "step,loss,lr\n1,1,0\n2,0.5,0\n"), "step", "loss", "lr")),
    ).toBeNull();
  });
});
