import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import rangeGolden from "../engine/__fixtures__/lr_range_test.json";
import sfGolden from "../engine/__fixtures__/schedule_free_any.json";
import vsgdGolden from "../engine/__fixtures__/vsgd.json";

/** The golden file as a runner is given it: every case without its expected fields. */
function strip(cases: Record<string, unknown>[], expected: string[]) {
  return {
    cases: cases.map((c) => Object.fromEntries(Object.entries(c).filter(([k]) => !expected.includes(k)))),
  };
}

const files = {
  range: [rangeGolden.cases, ["lr", "smoothed", "stop", "suggestions"]],
  sf: [sfGolden.cases, ["gamma", "c", "loss", "y", "z", "x"]],
  vsgd: [vsgdGolden.cases, ["lr", "theta", "tau"]],
} as const;

const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-9 * Math.abs(b), 1e-12);
function same(got: unknown, want: unknown): boolean {
  if (Array.isArray(want))
    return Array.isArray(got) && got.length === want.length && want.every((w, i) => same(got[i], w));
  if (typeof want === "number") return typeof got === "number" && close(got, want);
  if (want && typeof want === "object")
    return (
      !!got &&
      typeof got === "object" &&
      Object.entries(want).every(([k, w]) => same((got as Record<string, unknown>)[k], w))
    );
  return got === want;
}

describe("npm run schedule on the new golden files (without their expected fields)", () => {
  const dir = mkdtempSync(join(tmpdir(), "lrlab-schedule-"));
  for (const [name, [cases, expected]] of Object.entries(files)) {
    it(`${name}: prints {"results": [...]} equal to the golden`, () => {
      const file = join(dir, `${name}.json`);
      writeFileSync(
        file,
        JSON.stringify(strip(cases as unknown as Record<string, unknown>[], [...expected])),
      );
      const out = execFileSync(process.execPath, ["--import", "tsx", "src/cli/schedule.ts", file], {
        encoding: "utf8",
      });
      const { results } = JSON.parse(out) as { results: Record<string, unknown>[] };
      expect(results.map((r) => r.id)).toEqual(cases.map((c) => c.id));
      results.forEach((r, i) => {
        const c = cases[i] as Record<string, unknown>;
        for (const k of expected)
          expect({ id: c.id, k, ok: same(r[k], c[k]) }).toEqual({ id: c.id, k, ok: true });
      });
    });
  }
  it("a bad case: a message naming the field, exit 1", () => {
    const file = join(dir, "bad.json");
    const c = { ...rangeGolden.cases[0], params: { ...rangeGolden.cases[0].params, num_it: 1 } };
    writeFileSync(file, JSON.stringify({ cases: [c] }));
    let err = "";
    try {
      execFileSync(process.execPath, ["--import", "tsx", "src/cli/schedule.ts", file], {
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
      expect((e as { status: number }).status).toBe(1);
    }
    expect(err).toMatch(/case 0 "fastai-spiral-sgd": .*num_it/);
  });
});
