import { describe, expect, it } from "vitest";
import { sweepFigures, sweptParam } from "./figures";
import { F_SWEEP, NOISE_SWEEP } from "./replication";
import type { SweepRow } from "./sweep";

/** Every tag closes, in order, and every attribute is quoted: enough to know a browser and a file viewer parse it. */
function wellFormed(svg: string): string | null {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , self] = m;
    if (self) continue;
    if (!close) stack.push(name);
    else if (stack.pop() !== name) return `</${name}> closes the wrong tag`;
  }
  if (stack.length) return `unclosed <${stack.join(">, <")}>`;
  const tags = svg.match(/<[^>]*>/g) ?? [];
  const bad = tags.find((t) => !/^<\/?[a-zA-Z]+((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<]*")*)\s*\/?>$/.test(t));
  return bad ? `malformed tag ${bad.slice(0, 60)}` : null;
}

const count = (s: string, needle: string) => s.split(needle).length - 1;

function row(variant: string, run: string, finals: (number | null)[], curve?: (number | null)[]): SweepRow {
  const ok = finals.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return {
    variant,
    run,
    seeds: finals.length,
    finalLoss: ok.length ? ok[ok.length >> 1] : null,
    bestLoss: null,
    auc: null,
    medianRecovery: null,
    recoveryRatio: null,
    stepsToTarget: null,
    diverged: finals.length - ok.length,
    perSeed: finals.map((f, i) => ({ seed: i + 1, finalLoss: f, divergedAt: f === null ? 50 : null })),
    recovery: curve ? { from: -5, ratio: curve } : null,
  };
}

describe("sweep figures", () => {
  it("finds the parameter a sweep varies (the F sweep's factor) and nothing in a sweep of schedulers", () => {
    expect(sweptParam(F_SWEEP)).toEqual({
      key: "factor",
      label: "F (factor)",
      values: [0.25, 0.5, 0.75, 0.99],
    });
    expect(sweptParam(NOISE_SWEEP)).toBeNull();
  });

  it("draws final loss against F: a marker per seed, a cross per diverged seed, medians in words", () => {
    const rows = F_SWEEP.runs.map((r, k) =>
      row(
        "as configured",
        r.name,
        k === 0 ? [null, null, 0.5, 0.4, null] : [0.01 * (k + 1), 0.02, 0.015, 0.012, 0.03],
      ),
    );
    const figs = sweepFigures(F_SWEEP, rows);
    expect(figs.map((f) => f.id)).toEqual(["final-vs-param"]);
    const svg = figs[0].svg;
    expect(wellFormed(svg)).toBeNull();
    expect(count(svg, 'class="seed"')).toBe(17);
    expect(count(svg, 'class="diverged"')).toBe(3);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    for (const v of ["0.25", "0.5", "0.75", "0.99"]) expect(svg).toContain(`>${v}</text>`);
    expect(figs[0].description).toContain("F = 0.25: median 0.5, 3 of 5 seeds diverged");
    expect(figs[0].description).toContain("5 seeds");
  });

  it("draws a strip per scheduler in a panel per noise type, and the median recovery curve where spikes fired", () => {
    const variants = NOISE_SWEEP.variants?.map((v) => v.name) ?? [];
    const rows = variants.flatMap((v, vi) =>
      NOISE_SWEEP.runs.map((r, k) =>
        row(
          v,
          r.name,
          [0.1 + k * 0.01, 0.12, 0.09],
          vi === 0 ? undefined : Array.from({ length: 46 }, (_, j) => (j < 5 ? 1 : 1 + (k + 1) / (j - 3))),
        ),
      ),
    );
    const figs = sweepFigures(NOISE_SWEEP, rows, "#ffffff");
    expect(figs.map((f) => f.id)).toEqual(["final-by-noise", "recovery"]);
    for (const f of figs) {
      expect(wellFormed(f.svg), f.id).toBeNull();
      expect(f.svg).not.toMatch(/NaN|Infinity|undefined/);
      expect(f.svg).toContain('fill="#ffffff"');
    }
    const [strip, rec] = figs;
    expect(count(strip.svg, 'class="seed"')).toBe(variants.length * NOISE_SWEEP.runs.length * 3);
    for (const v of variants) expect(strip.svg).toContain(`>${v}</text>`);
    // Recovery: a panel per variant that had perturbations (not "clean"), a line per run in each.
    expect(rec.svg).not.toContain(">clean</text>");
    expect(count(rec.svg, "<polyline")).toBe((variants.length - 1) * NOISE_SWEEP.runs.length);
    expect(rec.description).toMatch(/gaussian: GreedyLR peaks at 1.5×, ends at 1.02×; cosine peaks at 2×/);
  });

  it("escapes names, and draws nothing wrong for an empty or all-diverged sweep", () => {
    const sweep = {
      ...F_SWEEP,
      name: 'a <b> & "c"',
      runs: F_SWEEP.runs.map((r) => ({ ...r, name: `${r.name} <&>` })),
    };
    const rows = sweep.runs.map((r) => row("as configured", r.name, [null, null]));
    const [fig] = sweepFigures(sweep, rows);
    expect(wellFormed(fig.svg)).toBeNull();
    expect(fig.svg).not.toContain("<b>");
    expect(fig.svg).toContain("&#60;&#38;&#62;");
    expect(fig.svg).not.toMatch(/NaN|Infinity|undefined/);
    expect(count(fig.svg, 'class="diverged"')).toBe(8);
    expect(sweepFigures(sweep, [])).toEqual([]);
  });
});
