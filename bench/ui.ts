/**
 * `npm run bench:ui` — the page's smoothness while 8 runs train (headless Debian Chromium): a
 * requestAnimationFrame counter (frames per second, as tldraw's fps tracker) and the main thread's long tasks
 * (PerformanceObserver "longtask"). Target: no main-thread task > 50 ms. BENCH_SECONDS (default 10).
 * Also the main thread's busy share (CDP Performance metrics: TaskDuration over wall time; target ≤ 15% of a
 * core while 8 runs train at full speed, so the cores are left to training), the worker's training speed, and
 * with BENCH_PROFILE=1 where the main thread's time goes (a CPU profile's self time by function, top 15).
 */
import { chromium } from "playwright-core";
import { preview } from "vite";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/global-setup";
import { encodeExperiment } from "../src/experiment/url";
import { EIGHT_RUNS } from "./eightRuns";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// WASM named in the link: on a first visit "auto" would measure the other backends in a second worker during
// the window measured here, and that worker's load is not the page's.
const exp = { ...EIGHT_RUNS, backend: "wasm" as const };

const server = await preview({ preview: { host: "127.0.0.1", port: 0 }, logLevel: "warn" });
const addr = server.httpServer.address();
const port = typeof addr === "object" && addr ? addr.port : 4173;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(`http://127.0.0.1:${port}/?${encodeExperiment(exp)}`);
await page.waitForFunction(
  () =>
    (window as unknown as { lrlab: { getState(): { backend: unknown } } }).lrlab.getState().backend !== null,
);
// Plain strings: tsx would wrap named functions with a helper that does not exist in the page.
await page.evaluate(`
  window.__long = [];
  window.__frames = 0;
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: "longtask" });
  const tick = () => { window.__frames++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
`);
await page.getByRole("button", { name: /Play/ }).click();
await page.waitForTimeout(1000);
await page.evaluate("window.__long = []; window.__frames = 0;");
const cdp = await page.context().newCDPSession(page);
await cdp.send("Performance.enable");
const busy = async () => {
  const { metrics } = (await cdp.send("Performance.getMetrics")) as {
    metrics: { name: string; value: number }[];
  };
  return metrics.find((m) => m.name === "TaskDuration")?.value ?? 0;
};
const profile = process.env.BENCH_PROFILE === "1";
if (profile) {
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
}
const step0 = (await page.evaluate("window.lrlab.getState().step")) as number;
const [b0, w0] = [await busy(), Date.now()];
await page.waitForTimeout(SECONDS * 1000);
const [b1, w1] = [await busy(), Date.now()];
const step1 = (await page.evaluate("window.lrlab.getState().step")) as number;
const share = (b1 - b0) / ((w1 - w0) / 1000);
let top: { fn: string; ms: number; pct: string }[] = [];
if (profile) {
  type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number } };
  const { profile: p } = (await cdp.send("Profiler.stop")) as {
    profile: { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  };
  const self = new Map<number, number>();
  for (const [i, id] of p.samples.entries())
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  const byFn = new Map<string, number>();
  for (const n of p.nodes) {
    const f = n.callFrame;
    if (f.functionName === "(idle)" || (f.functionName === "(program)" && !self.get(n.id))) continue;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
    byFn.set(key, (byFn.get(key) ?? 0) + (self.get(n.id) ?? 0));
  }
  const total = [...byFn.values()].reduce((a, b) => a + b, 0);
  top = [...byFn.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([fn, ms]) => ({
      fn: fn.slice(0, 90),
      ms: Math.round(ms),
      pct: `${((100 * ms) / total).toFixed(1)}%`,
    }));
}
const r = (await page.evaluate(`(() => {
  const s = window.lrlab.getState();
  return { frames: window.__frames, long: window.__long, step: s.step, rate: s.rate, backend: s.backend.backend };
})()`)) as { frames: number; long: number[]; step: number; rate: number; backend: string };
await browser.close();
server.httpServer.close();
const over = r.long.filter((d) => d > 50);
console.log(
  `8 runs training on ${r.backend}, ${SECONDS} s measured (after 1 s warm-up), step ${r.step}, ${r.rate.toFixed(0)} steps/s`,
);
console.table([
  {
    "frames/s": Number((r.frames / SECONDS).toFixed(1)),
    "long tasks (> 50 ms)": over.length,
    "longest task ms": r.long.length ? Math.round(Math.max(...r.long)) : 0,
    "long tasks total": r.long.length,
    "target (no task > 50 ms)": over.length === 0 ? "met" : "NOT met",
    "main thread busy": `${(100 * share).toFixed(1)}%`,
    "target (≤ 15%)": share <= 0.15 ? "met" : "NOT met",
    "steps/s (worker)": Number(((step1 - step0) / ((w1 - w0) / 1000)).toFixed(1)),
  },
]);
if (top.length) {
  console.log("main thread self time by function (CPU profile, not idle):");
  console.table(top);
}
