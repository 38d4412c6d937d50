import { describe, expect, it } from "vitest";
import { exampleConfig, SCHEDULERS } from "../engine/registry";
import { defaultExperiment } from "./config";
import { toCsvText } from "./csv";
import { csvRows, parseExport, type RunData, toExportJson } from "./export";
import { pytorchSnippet } from "./pytorch";

const runs: RunData[] = [
  { steps: [0, 1], loss: [1, Number.NaN], lr: [0.1, 0.1], events: [], divergedAt: 1 },
  {
    steps: [0, 1],
    loss: [1, 0.5],
    lr: [0.1, 0.11],
    events: [{ step: 1, kind: "increase" as const, message: "up" }],
    divergedAt: null,
  },
];

describe("export / import", () => {
  it("round-trips the experiment and every run's data (NaN kept as NaN)", () => {
    const e = defaultExperiment();
    const back = parseExport(toExportJson(e, runs));
    expect(back.experiment).toEqual(e);
    expect(back.runs[0].loss[1]).toBeNaN();
    expect(back.runs[1]).toEqual(runs[1]);
  });
  it("rejects files that are not LR Lab exports with a readable message", () => {
    expect(() => parseExport("{")).toThrow(/not a JSON file/);
    expect(() => parseExport('{"app":"other"}')).toThrow(/not an LR Lab export/);
  });
  it("writes CSV with one row per step per run, quoting names", () => {
    const e = { ...defaultExperiment() };
    e.runs = e.runs.map((r, i) => ({ ...r, name: i ? 'a "quoted", name' : r.name }));
    const { fields, rows } = csvRows(e, runs);
    const csv = toCsvText(fields, rows).trim().split("\n");
    expect(csv).toHaveLength(5);
    expect(csv[3]).toBe('"a ""quoted"", name",GreedyLR,0,1,0.1');
  });
  it("writes a run whose name a spreadsheet would run as a formula as text; numbers stay numbers", () => {
    const e = { ...defaultExperiment() };
    const names = ["=1+1", '=HYPERLINK("http://x","y")', "+x", "-x", "@x", "\tx", "\rx"];
    const csv = toCsvText(
      ["run", "loss"],
      names.map((n) => [n, -0.5]),
    )
      .trim()
      .split("\n");
    expect(csv[1]).toBe(`"'=1+1",-0.5`);
    expect(csv[2]).toBe(`"'=HYPERLINK(""http://x"",""y"")",-0.5`);
    for (const line of csv.slice(1)) expect(line.startsWith(`"'`)).toBe(true);
    expect(toCsvText(["a"], [[Number.NaN], [Number.POSITIVE_INFINITY], [-3]])).toBe("a\n\n\n-3\n");
    expect(e.runs.length).toBe(2);
  });
});

describe("PyTorch snippets", () => {
  it("write the PyTorch class with the same keyword arguments", () => {
    const s = pytorchSnippet({ scheduler: "StepLR", params: { step_size: 30, gamma: 0.5 } }, 0.1);
    expect(s).toContain("    return lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.5)");
    expect(pytorchSnippet({ scheduler: "ReduceLROnPlateau", params: { mode: "max" } }, 0.1)).toContain(
      "mode='max'",
    );
    expect(pytorchSnippet({ scheduler: "ReduceLROnPlateau" }, 0.1)).toContain("scheduler.step(loss.item())");
    expect(
      pytorchSnippet(
        { scheduler: "CyclicLR", params: { base_lr: 0.01, max_lr: 0.1, cycle_momentum: false } },
        0.1,
      ),
    ).toContain("cycle_momentum=False");
  });
  it("export GreedyLR as a self-contained class, with every parameter and the PyTorch versions it runs on", () => {
    const s = pytorchSnippet({ scheduler: "GreedyLR", params: { factor: 0.8, patience: 4 } }, 0.05, "Adam");
    expect(s).toContain("class GreedyLR(_LRSchedulerBase):");
    expect(s).not.toMatch(/from greedylr|import greedylr/);
    expect(s).toMatch(/return GreedyLR\(optimizer, mode='min', factor=0\.8, patience=4, .*reset_start=500\)/);
    expect(s).toContain("Runs on PyTorch 1.13 and 2.x");
    expect(s).toContain("torch.optim.Adam(model.parameters(), lr=0.05)");
    expect(s).toContain("scheduler.step(loss.item())");
  });
  it("export a rule without a PyTorch class as a comment block", () => {
    const s = pytorchSnippet({ scheduler: "Polyak" }, 0.1);
    expect(s.split("\n").every((l) => l.startsWith("#"))).toBe(true);
    expect(s).toContain("SPS_max");
  });
  it("cover every scheduler without throwing", () => {
    for (const s of SCHEDULERS) expect(pytorchSnippet(exampleConfig(s.id), 0.1).length).toBeGreaterThan(20);
  });
});
