/**
 * `npm run bench:train` (its second part) — what a class sees: the built app in headless Debian Chromium,
 * training in its own worker with its task views (held-out digits, decision boundary, text samples), for
 * every model at batch 32 and 64 with 1, 4 and 8 runs. Per configuration: steps per second from the store's
 * step counter over BENCH_SECONDS (default 4; at least 20 steps) after a warm-up, and the share of the worker's time the task
 * views took (the worker's own accounting, posted with its status). BENCH_ROUNDS (default 3) interleaved
 * rounds, medians. BENCH_BACKENDS (default wasm) picks the backends; "webgpu" is measured only where the
 * adapter is hardware; BENCH_DIST measures another build (an older build has no view accounting: 0%).
 * BENCH_BASE=<another build's dist/> measures that build too, side by side: each configuration of each round
 * runs on both builds back to back, in alternating order. BENCH_MODELS (e.g. "MLP,CNN") picks models by name.
 * Costs are medians of the per-round ratios (both run counts measured in the same round).
 * Writes bench/out/train-scaling.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { chromium, type Page } from "playwright-core";
import { preview } from "vite";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/global-setup";
import { median } from "../src/experiment/metrics";
import { encodeExperiment } from "../src/experiment/url";
import { constantRuns } from "./constantRuns";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BACKENDS = (process.env.BENCH_BACKENDS ?? "wasm").split(",") as ("wasm" | "webgl" | "webgpu" | "cpu")[];
const ALL_MODELS = [
  { model: "MLP 2-16-16-2 (spiral)", task: { kind: "spiral", samples: 400, noise: 0.1 } },
  { model: "CNN (MNIST 14×14)", task: { kind: "mnist" } },
  { model: "char-LM (1-block transformer)", task: { kind: "charlm" } },
] as const;
const MODELS = ALL_MODELS.filter((m) =>
  (process.env.BENCH_MODELS ?? "")
    .split(",")
    .some((w) => m.model.toLowerCase().includes(w.trim().toLowerCase())),
);
const BATCHES = [32, 64];
const RUNS = [1, 4, 8];

const experiment = (m: (typeof ALL_MODELS)[number], batchSize: number, runs: number, backend: string) =>
  constantRuns(m.task, batchSize, runs, backend);

interface Snap {
  t: number;
  step: number;
  trainMs: number;
  viewMs: number;
  backend: string;
  adapter: string;
}

// Plain strings: tsx would wrap named functions with a helper that does not exist in the page.
const snap = (page: Page) =>
  page.evaluate(`(() => {
    const s = window.lrlab.getState();
    const w = s.work || { trainMs: 0, viewMs: 0 };
    return { t: performance.now(), step: s.step, trainMs: w.trainMs, viewMs: w.viewMs,
      backend: s.backend ? s.backend.backend : "", adapter: s.backend && s.backend.webgpu ? s.backend.webgpu : "" };
  })()`) as Promise<Snap>;

async function measure(page: Page, url: string) {
  await page.goto(url);
  await page.waitForFunction("window.lrlab && window.lrlab.getState().backend !== null", null, {
    timeout: 60_000,
  });
  await page.getByRole("button", { name: /Play/ }).first().click();
  await page.waitForFunction("window.lrlab.getState().step >= 3", null, { timeout: 120_000 });
  await page.waitForTimeout(1500);
  const a = await snap(page);
  // At least SECONDS and 20 steps (at most 40 s): a window that holds whole view periods even where a
  // step takes half a second, so the views' share is not one sample's luck.
  let b = a;
  do {
    await page.waitForTimeout(500);
    b = await snap(page);
  } while ((b.t - a.t < SECONDS * 1000 || b.step - a.step < 20) && b.t - a.t < 40_000);
  const work = b.trainMs - a.trainMs + (b.viewMs - a.viewMs);
  return {
    sps: ((b.step - a.step) * 1000) / (b.t - a.t),
    viewShare: work > 0 ? (b.viewMs - a.viewMs) / work : 0,
    backend: b.backend,
    adapter: b.adapter,
  };
}

// BENCH_DIST: another build's folder (e.g. an older commit's dist) to measure instead of ./dist; BENCH_BASE: one
// to measure beside it.
async function serve(outDir: string) {
  const server = await preview({
    preview: { host: "127.0.0.1", port: 0 },
    build: { outDir },
    logLevel: "warn",
  });
  const addr = server.httpServer.address();
  return { server, port: typeof addr === "object" && addr ? addr.port : 4173 };
}
const builds = [{ name: "this build", ...(await serve(process.env.BENCH_DIST ?? "dist")) }];
if (process.env.BENCH_BASE) builds.push({ name: "base", ...(await serve(process.env.BENCH_BASE)) });
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const out: Record<string, unknown>[] = [];
for (const backend of BACKENDS) {
  // bypassCSP: the page's CSP forbids the string predicates playwright evaluates.
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, bypassCSP: true });
  const page = await ctx.newPage();
  const samples = new Map<string, { sps: number[]; share: number[] }>();
  let got = "";
  let adapter = "";
  for (let round = 0; round < ROUNDS; round++)
    for (const m of MODELS)
      for (const bs of BATCHES)
        for (const R of RUNS)
          for (const b of round % 2 ? [...builds].reverse() : builds) {
            const key = `${b.name}|${m.model}|${bs}|${R}`;
            const r = await measure(
              page,
              `http://127.0.0.1:${b.port}/?${encodeExperiment(experiment(m, bs, R, backend))}`,
            );
            got = r.backend;
            adapter = r.adapter;
            const s = samples.get(key) ?? { sps: [], share: [] };
            s.sps.push(r.sps);
            s.share.push(r.viewShare);
            samples.set(key, s);
            process.stderr.write(
              `  ${backend} round ${round + 1}: ${key} ${r.sps.toFixed(1)} steps/s, views ${(100 * r.viewShare).toFixed(1)}%\n`,
            );
          }
  await ctx.close();
  if (backend === "webgpu" && adapter === "software") {
    console.log("webgpu: the adapter here is a software fallback (SwiftShader) — not measured for speed.");
    continue;
  }
  const rows = builds.flatMap((b) =>
    MODELS.flatMap((m) =>
      BATCHES.map((bs) => {
        const at = (R: number) => samples.get(`${b.name}|${m.model}|${bs}|${R}`) ?? { sps: [], share: [] };
        const [one, four, eight] = RUNS.map(at);
        const med = (x: number[]) => median(x) ?? 0;
        // The cost within each round (both run counts measured minutes apart), then the median over rounds.
        const cost = (a: number[], c: number[]) => med(a.map((x, i) => x / c[i]));
        const f = (x: number, d = 3) => Number(x.toPrecision(d));
        return {
          ...(builds.length > 1 ? { build: b.name } : {}),
          backend: got,
          model: m.model,
          batch: bs,
          "1 run steps/s": f(med(one.sps)),
          "4 runs steps/s": f(med(four.sps)),
          "8 runs steps/s": f(med(eight.sps)),
          "cost 4 vs 1": f(cost(one.sps, four.sps)),
          "cost 8 vs 1": f(cost(one.sps, eight.sps)),
          "cost 8 vs 4": f(cost(four.sps, eight.sps)),
          "views % (1/4/8 runs)": [one, four, eight].map((x) => (100 * med(x.share)).toFixed(1)).join(" / "),
        };
      }),
    ),
  );
  out.push(...rows);
}
await browser.close();
for (const b of builds) b.server.httpServer.close();
console.log(
  `The app's training worker with its task views, Adam, constant LR; medians of ${ROUNDS} interleaved rounds, ${SECONDS} s each after a warm-up. Cost = time per step relative to fewer runs.`,
);
console.table(out);
mkdirSync("bench/out", { recursive: true });
writeFileSync(process.env.BENCH_OUT ?? "bench/out/train-scaling.json", `${JSON.stringify(out, null, 2)}\n`);
