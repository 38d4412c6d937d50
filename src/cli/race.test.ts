import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultExperiment } from "../experiment/config";
import { encodeExperiment } from "../experiment/url";

const dir = mkdtempSync(join(tmpdir(), "lrlab-race-"));
const put = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const cli = (script: string, ...args: string[]) =>
  spawnSync("npx", ["tsx", `src/cli/${script}.ts`, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });

describe("npm run race / npm run export on files as people have them", () => {
  it("race: a saved link trains headless and prints one loss and one LR per step; a diverged run's steps are null", () => {
    const e = defaultExperiment();
    // The constant run at LR 50 blows up within a few steps; GreedyLR's starts lower and cannot.
    const link = put(
      "link.txt",
      `https://lab.example/?${encodeExperiment({ ...e, baseLr: 5, optimizer: "sgd" })}\n`,
    );
    const r = cli("race", link, "--steps", "12");
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      runs: { name: string; loss: (number | null)[]; lr: (number | null)[] }[];
    };
    expect(out.runs.map((x) => x.name)).toEqual(["Constant LR", "GreedyLR"]);
    for (const x of out.runs) {
      expect(x.loss).toHaveLength(12);
      expect(x.lr).toHaveLength(12);
    }
    expect(out.runs[1].lr[0]).toBe(5);
  }, 60_000);

  it("race and export: a bad file gets a message naming the problem and exit code 1", () => {
    const bad = put("bad.json", JSON.stringify({ ...defaultExperiment(), baseLr: "fast" }));
    const r = cli("race", bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/race: .*bad\.json: lr=fast: .*expected number/);
    const notJson = cli("race", put("x.json", "{"));
    expect([notJson.status, notJson.stderr]).toEqual([1, expect.stringMatching(/not a JSON file/)]);
    expect(cli("race", bad, "--steps", "0").stderr).toMatch(/--steps needs a whole number/);
    const refined = put(
      "refined.json",
      JSON.stringify({
        ...defaultExperiment(),
        runs: [
          { name: "P", color: "#000000", scheduler: { scheduler: "Refined", params: { phase_steps: 100 } } },
        ],
      }),
    );
    const x = cli("export", refined, "--pytorch");
    expect(x.status).toBe(1);
    expect(x.stderr).toMatch(/cannot be exported to PyTorch:\n {2}- "P" uses Refined/);
    expect(x.stdout).toBe("");
  }, 60_000);
});
