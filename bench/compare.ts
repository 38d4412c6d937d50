/**
 * `BENCH_BASE=/path/to/other/dist npm run bench:compare` — this build against another build (e.g. the
 * previous release: `git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci && npx vite build)`),
 * side by side in one run, in interleaved rounds (this, base, this, base, …), medians reported:
 * - training: the bench page of each build (bench/bench.html) — LR Lab steps/s on the MLP (1 and 4 runs) and
 *   ms/step of the CNN and the char-LM, per backend (BENCH_BACKENDS, default wasm,cpu);
 * - page smoothness: 8 runs training on each build's app for BENCH_SECONDS (default 6) — frames/s and main-
 *   thread tasks over 50 ms (BENCH_UI=0 skips it). BENCH_MODEL_STEPS (default 20) steps per model measurement.
 * Both builds are served by the same plain static server (scripts/serve.mjs) and driven by one Chromium.
 */
import { chromium, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/global-setup";
// @ts-expect-error -- a plain ES module without types
import { serve } from "../scripts/serve.mjs";
import { encodeExperiment } from "../src/experiment/url";
import { EIGHT_RUNS } from "./eightRuns";

const BASE = process.env.BENCH_BASE;
if (!BASE) {
  console.error("bench:compare: set BENCH_BASE to the other build's dist/ folder");
  process.exit(2);
}
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const backends = (process.env.BENCH_BACKENDS ?? "wasm,cpu").split(",");
const MODEL_STEPS = Number(process.env.BENCH_MODEL_STEPS ?? 20);
const builds = { this: "dist", base: BASE } as const;
type Build = keyof typeof builds;

const servers = await Promise.all(
  (Object.keys(builds) as Build[]).map(async (b) => [b, await serve({ dir: builds[b] })] as const),
);
const url = (b: Build, path: string) => `http://127.0.0.1:${servers.find(([k]) => k === b)![1].port}/${path}`;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function benchPage(b: Build): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url(b, "bench/bench.html"));
  await page.waitForFunction(() => document.title === "bench ready");
  return page;
}

const samples: Record<string, Record<Build, number[]>> = {};
const add = (k: string, b: Build, v: unknown) => {
  if (typeof v !== "number") return;
  samples[k] ??= { this: [], base: [] };
  samples[k][b].push(v);
};

const eight = EIGHT_RUNS;

async function smoothness(b: Build) {
  // Service workers blocked: the first visit's precaching would run in the middle of the measurement.
  const ctx = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    serviceWorkers: "block",
    bypassCSP: true,
  });
  const page = await ctx.newPage();
  await page.goto(url(b, `?${encodeExperiment(eight)}`));
  await page.waitForFunction("window.lrlab.getState().backend !== null", null, { timeout: 60_000 });
  await page.evaluate(`
    window.__long = []; window.__frames = 0;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: "longtask" });
    const tick = () => { window.__frames++; requestAnimationFrame(tick); }; requestAnimationFrame(tick);
  `);
  await page.evaluate("window.lrlab.getState().play()");
  await page.waitForTimeout(1000);
  await page.evaluate("window.__long = []; window.__frames = 0;");
  await page.waitForTimeout(SECONDS * 1000);
  const r = (await page.evaluate(
    "({ frames: window.__frames, long: window.__long, step: window.lrlab.getState().step })",
  )) as { frames: number; long: number[] };
  add("ui: frames/s (8 runs)", b, r.frames / SECONDS);
  add("ui: tasks > 50 ms", b, r.long.filter((d) => d > 50).length);
  add("ui: longest task ms", b, r.long.length ? Math.max(...r.long) : 0);
  await ctx.close();
}

for (let round = 0; round < ROUNDS; round++)
  for (const b of (round % 2 ? ["base", "this"] : ["this", "base"]) as Build[]) {
    for (const backend of backends) {
      const page = await benchPage(b);
      const r = (await page.evaluate(`window.runBench(${JSON.stringify(backend)}, 150)`)) as Record<
        string,
        number
      >;
      add(`${backend}: MLP LR Lab steps/s`, b, r.labStepsPerSec);
      add(`${backend}: MLP 4 runs steps/s`, b, r.lab4StepsPerSec);
      const m = (await page.evaluate(
        `window.runModels(${JSON.stringify(backend)}, ${MODEL_STEPS})`,
      )) as Record<string, number>;
      for (const [k, v] of Object.entries(m)) if (k !== "backend") add(`${backend}: ${k}`, b, v);
      await page.close();
    }
    if (process.env.BENCH_UI !== "0") await smoothness(b);
    process.stderr.write(`round ${round + 1}/${ROUNDS}: ${b} done\n`);
  }
await browser.close();
for (const [, s] of servers) s.server.close();

const rows = Object.entries(samples).map(([k, v]) => {
  const t = median(v.this);
  const b = median(v.base);
  return {
    measure: k,
    "this build": Number(t.toPrecision(3)),
    base: Number(b.toPrecision(3)),
    "this ÷ base": b ? Number((t / b).toPrecision(3)) : "—",
  };
});
console.log(`medians of ${ROUNDS} interleaved rounds; base = ${BASE}`);
console.table(rows);
