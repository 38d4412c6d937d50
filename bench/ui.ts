/**
 * `npm run bench:ui` — the page's smoothness while 8 runs train (headless Debian Chromium): a
 * requestAnimationFrame counter (frames per second, as tldraw's fps tracker) and the main thread's long tasks
 * (PerformanceObserver "longtask"). Target: no main-thread task > 50 ms. BENCH_SECONDS (default 10).
 */
import { chromium } from "playwright-core";
import { preview } from "vite";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/global-setup";
import { encodeExperiment } from "../src/experiment/url";
import { EIGHT_RUNS } from "./eightRuns";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const exp = EIGHT_RUNS;

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
await page.waitForTimeout(SECONDS * 1000);
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
  },
]);
