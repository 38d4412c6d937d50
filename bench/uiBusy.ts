/**
 * `npm run bench:ui-busy` — the page's main-thread busy share (CDP Performance metrics: TaskDuration over wall
 * time) while 8 MLP runs train at full speed on WASM, and the worker's steps/s: medians of BENCH_ROUNDS (default
 * 3) rounds of 6 s after a 2 s warm-up. With BENCH_BASE=<another build's dist/>, both builds side by side, the
 * rounds interleaved. BENCH_HIDE="<css selector>|<selector>…" also measures this build with each part of the page
 * taken out of the layout (display: none), to say where the time goes. BENCH_TALL=1 adds this build in a
 * 1440×3400 window, where every view is in sight (at 1440×900 the views below the fold redraw every 2 s), and
 * measures the BENCH_HIDE cases in that window too.
 */
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/global-setup";
// @ts-expect-error -- a plain ES module without types
import { serve } from "../scripts/serve.mjs";
import { encodeExperiment } from "../src/experiment/url";
import { EIGHT_RUNS } from "./eightRuns";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const cases: { name: string; dir: string; hide: string; height?: number }[] = [
  { name: "this build", dir: "dist", hide: "" },
];
if (process.env.BENCH_BASE) cases.push({ name: "base", dir: process.env.BENCH_BASE, hide: "" });
if (process.env.BENCH_TALL === "1") {
  cases.push({ name: "this build, whole page in sight (1440×3400)", dir: "dist", hide: "", height: 3400 });
  if (process.env.BENCH_BASE)
    cases.push({ name: "base, whole page in sight", dir: process.env.BENCH_BASE, hide: "", height: 3400 });
}
for (const h of (process.env.BENCH_HIDE ?? "").split("|").filter(Boolean))
  cases.push({
    name: `this build without ${h}${process.env.BENCH_TALL === "1" ? " (1440×3400)" : ""}`,
    dir: "dist",
    hide: h,
    ...(process.env.BENCH_TALL === "1" ? { height: 3400 } : {}),
  });
const dirs = [...new Set(cases.map((c) => c.dir))];
const servers = new Map(await Promise.all(dirs.map(async (d) => [d, await serve({ dir: d })] as const)));
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const query = encodeExperiment({ ...EIGHT_RUNS, backend: "wasm" });
const got = cases.map(() => ({ busy: [] as number[], sps: [] as number[] }));
for (let round = 0; round < ROUNDS; round++)
  for (const [k, c] of cases.entries()) {
    const page = await browser.newPage({ viewport: { width: 1440, height: c.height ?? 900 } });
    await page.goto(`http://127.0.0.1:${servers.get(c.dir).port}/?${query}`);
    type Lab = { lrlab: { getState(): { backend: unknown; step: number; play(): void } } };
    await page.waitForFunction(() => (window as unknown as Lab).lrlab.getState().backend !== null);
    if (c.hide) await page.addStyleTag({ content: `${c.hide} { display: none !important; }` });
    await page.evaluate(() => (window as unknown as Lab).lrlab.getState().play());
    await page.mouse.move(0, 0);
    await page.waitForTimeout(2000);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const busy = async () => {
      const r = (await cdp.send("Performance.getMetrics")) as { metrics: { name: string; value: number }[] };
      return r.metrics.find((m) => m.name === "TaskDuration")?.value ?? 0;
    };
    const step = () => page.evaluate(() => (window as unknown as Lab).lrlab.getState().step);
    const [s0, b0, w0] = [await step(), await busy(), Date.now()];
    await page.waitForTimeout(6000);
    const [s1, b1, w1] = [await step(), await busy(), Date.now()];
    got[k].busy.push((100 * (b1 - b0)) / ((w1 - w0) / 1000));
    got[k].sps.push((s1 - s0) / ((w1 - w0) / 1000));
    await page.close();
  }
await browser.close();
for (const s of servers.values()) s.server.close();
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.table(
  cases.map((c, k) => ({
    build: c.name,
    "main thread busy (median)": `${med(got[k].busy).toFixed(1)}%`,
    rounds: got[k].busy.map((x) => `${x.toFixed(0)}%`).join(" "),
    "steps/s (median)": Math.round(med(got[k].sps)),
  })),
);
