import { describe, expect, it } from "vitest";
import { defaultExperiment, type Experiment, experimentSchema } from "./config";
import { readExperimentFile, toExportJson } from "./export";
import { type RaceData, raceNotebook, racePython, raceRefusals } from "./raceExport";
import { RACE_RULES, raceCaveats } from "./raceRefusals";
import { encodeExperiment } from "./url";

const data: RaceData = {
  type: "classification",
  x: Float32Array.from([0.5, -0.25, 1, 2]),
  y: Int32Array.from([0, 1]),
  target: new Float32Array(0),
  n: 2,
  dim: 2,
  outputs: 2,
  init: [
    { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
    { shape: [1, 2], data: Float32Array.from([0, 0]) },
  ],
};
const withRuns = (runs: Experiment["runs"], over: Partial<Experiment> = {}) => ({
  ...defaultExperiment(),
  ...over,
  runs,
});
const run = (scheduler: string, params: Record<string, unknown> = {}) => ({
  name: scheduler,
  color: "#000000",
  scheduler: { scheduler, params },
});

describe("the PyTorch race export refuses what PyTorch cannot mirror, and says why", () => {
  it("a replayed log, a scheduler LR Lab computes from the training, Adam's cycled β₁ in CyclicLR", () => {
    expect(raceRefusals(defaultExperiment())).toEqual([]);
    const replay = defaultExperiment();
    replay.view.replay = "run.csv";
    expect(raceRefusals(replay)[0]).toMatch(/"run.csv" is a replayed training log/);
    expect(raceRefusals(withRuns([run("Constant"), run("Refined", { phase_steps: 100 })]))).toEqual([
      expect.stringMatching(/^"Refined" uses Refined.*no PyTorch export/),
    ]);
    // The methods a race does write, though LR Lab computes their steps from the training itself.
    for (const id of RACE_RULES) expect(raceRefusals(withRuns([run(id)])), id).toEqual([]);
    const cyclic = run("CyclicLR", { base_lr: 0.001, max_lr: 0.01 });
    expect(raceRefusals(withRuns([cyclic], { optimizer: "adam" }))[0]).toMatch(/cycle_momentum off/);
    expect(raceRefusals(withRuns([cyclic], { optimizer: "momentum" }))).toEqual([]);
    expect(() => racePython(withRuns([run("Refined", { phase_steps: 100 })]), data)).toThrow(
      /cannot be exported to PyTorch/,
    );
  });

  it("says which exported runs cannot follow LR Lab's step by step (vSGD), and only those", () => {
    expect(raceCaveats(withRuns([run("vSGD"), run("SDLM"), run("Constant")]))).toEqual([
      expect.stringMatching(/^"vSGD" follows vSGD's rule in PyTorch but parts from LR Lab's run/),
    ]);
    expect(raceCaveats(defaultExperiment())).toEqual([]);
  });

  it("plain SGD with OneCycleLR: the export turns momentum cycling off (LR Lab's SGD has none to cycle)", () => {
    const e = withRuns([run("OneCycleLR", { max_lr: 0.1, total_steps: 100 })], { optimizer: "sgd" });
    const py = racePython(e, data);
    expect(py).toContain("cycle_momentum=False");
    expect(py).toContain("scheduler.last_epoch >= scheduler.total_steps - 1");
    expect(racePython({ ...e, optimizer: "momentum" }, data)).not.toContain("cycle_momentum=False");
  });
});

describe("the file holds the race exactly", () => {
  it("embeds the data and initial weights bit for bit (base64 of the float32 bytes)", () => {
    const py = racePython(defaultExperiment(), data);
    const b64 = (a: Float32Array | Int32Array) => Buffer.from(a.buffer).toString("base64");
    expect(py).toContain(b64(data.x));
    expect(py).toContain(b64(data.y));
    expect(py).toContain(b64(data.init[0].data));
    expect(py).toMatch(/^STEPS = 1000$/m);
    expect(py).toMatch(/^SEED = 1$/m);
  });

  it("MNIST's grey levels k/255 travel as their bytes k", () => {
    const e = experimentSchema.parse({
      ...defaultExperiment(),
      task: { kind: "mnist", samples: 100, noise: 0 },
    });
    const grey = { ...data, x: Float32Array.from([0, 1 / 255, 128 / 255, 1]).map(Math.fround) };
    const py = racePython(e, grey);
    expect(py).toContain(Buffer.from([0, 1, 128, 255]).toString("base64"));
    expect(py).toContain("dtype=torch.uint8).double() / 255).float()");
  });

  it("the notebook is nbformat 4.5 with the same code in cells and the lesson in Markdown", () => {
    const e = { ...defaultExperiment(), view: { ...defaultExperiment().view, lesson: "meet-greedylr" } };
    const nb = JSON.parse(raceNotebook(e, data));
    expect([nb.nbformat, nb.nbformat_minor]).toEqual([4, 5]);
    const text = (c: { source: string[] }) => c.source.join("");
    const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code").map(text);
    const md = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "markdown").map(text);
    expect(md.join("\n")).toContain("## The lesson: Meet GreedyLR");
    expect(new Set(nb.cells.map((c: { id: string }) => c.id)).size).toBe(nb.cells.length);
    const script = racePython(e, data);
    for (const c of code.slice(0, -1)) expect(script).toContain(c);
    expect(code.at(-1)).toBe("results = race(STEPS)\nplot(results)");
  });
});

describe("readExperimentFile: the app's export, a config, or a link", () => {
  const e = defaultExperiment();
  it("reads all three to the same experiment", () => {
    const empty = { steps: [], loss: [], lr: [], events: [], divergedAt: null };
    expect(readExperimentFile(toExportJson(e, [empty, empty]))).toEqual(e);
    expect(readExperimentFile(JSON.stringify(e))).toEqual(e);
    // A link leaves out parameters at their defaults: the same experiment, written the same way.
    const link = encodeExperiment(e);
    expect(encodeExperiment(readExperimentFile(`https://lab.example/?${link}`))).toBe(link);
    expect(encodeExperiment(readExperimentFile(`?${link}`))).toBe(link);
  });
  it("names the problem of a bad file", () => {
    expect(() => readExperimentFile("{oops")).toThrow(/not a JSON file/);
    expect(() => readExperimentFile("hello world")).toThrow(/not an experiment/);
    expect(() => readExperimentFile(JSON.stringify({ ...e, baseLr: -1 }))).toThrow(/lr=-1/);
    expect(() => readExperimentFile(JSON.stringify({ baseLr: 0.1 }))).toThrow(/no runs/);
    expect(() => readExperimentFile("?lr=abc&r0=Constant")).toThrow(/lr=abc/);
  });
});
