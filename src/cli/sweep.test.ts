import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const count = (s: string, needle: string) => s.split(needle).length - 1;

describe("npm run sweep -- FILE --out X.json", () => {
  it("writes the JSON with each seed's result, and the figures as SVG next to it", () => {
    const dir = mkdtempSync(join(tmpdir(), "lrlab-sweep-"));
    const cfg = join(dir, "tiny.json");
    writeFileSync(
      cfg,
      JSON.stringify({
        name: "tiny F sweep",
        base: {
          task: { kind: "sine", samples: 40, noise: 0.1 },
          hidden: [8],
          batchSize: 40,
          baseLr: 0.02,
          steps: 150,
        },
        seeds: [1, 2],
        variants: [
          { name: "clean", noise: { type: "clean" } },
          { name: "spikes", noise: { type: "periodic", strength: 0.5, target: "weights" } },
        ],
        runs: [
          {
            name: "F = 0.5",
            color: "#0072B2",
            scheduler: { scheduler: "GreedyLR", params: { factor: 0.5 } },
          },
          {
            name: "F = 0.9",
            color: "#D55E00",
            scheduler: { scheduler: "GreedyLR", params: { factor: 0.9 } },
          },
        ],
      }),
    );
    const out = join(dir, "result.json");
    execFileSync(process.execPath, ["--import", "tsx", "src/cli/sweep.ts", cfg, "--out", out], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const result = JSON.parse(readFileSync(out, "utf8"));
    expect(result.rows).toHaveLength(4);
    for (const r of result.rows) expect(r.perSeed.map((s: { seed: number }) => s.seed)).toEqual([1, 2]);
    expect(result.rows[0].recovery).toBeNull();
    expect(result.rows[2].recovery.ratio).toHaveLength(46);
    const f = readFileSync(join(dir, "result.final-vs-param.svg"), "utf8");
    expect(f.startsWith("<svg xmlns")).toBe(true);
    expect(f.trim().endsWith("</svg>")).toBe(true);
    const dots = result.rows.flatMap((r: { perSeed: { finalLoss: number | null }[] }) => r.perSeed);
    expect(count(f, 'class="seed"') + count(f, 'class="diverged"')).toBe(dots.length);
    expect(readFileSync(join(dir, "result.recovery.svg"), "utf8")).toContain("steps since the perturbation");
  }, 120_000);
});
