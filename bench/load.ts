/**
 * `npm run bench:load` — what a visitor's browser downloads and waits for before the first chart appears.
 *
 * 1. The page's initial JavaScript: the entry script and every chunk `index.html` preloads (raw and gzip),
 *    read from the built `dist/`.
 * 2. Time to the first chart paint in headless Debian Chromium: from navigation start to the first frame in
 *    which the loss chart's SVG has a plot area — median of BENCH_ROUNDS (default 7) cold page loads, each in
 *    a fresh browser context (no HTTP cache, no service worker).
 * 3. A first visit's wait for training: in a fresh context (nothing cached, so "auto" has never measured here),
 *    Play is pressed as soon as the page loads, and the time from that click to the first trained step is taken
 *    (median of the same rounds).
 * With BENCH_BASE=<another build's dist/>, both builds are measured side by side, loads interleaved.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/global-setup";
// @ts-expect-error -- a plain ES module without types
import { serve } from "../scripts/serve.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const dirs: [string, string][] = [["this build", "dist"]];
if (process.env.BENCH_BASE) dirs.push(["base", process.env.BENCH_BASE]);
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
for (const [name, dir] of dirs) {
  const html = readFileSync(join(dir, "index.html"), "utf8");
  const initial = [
    ...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="([^"]+\.js)"/g),
  ].map((m) => m[1]);
  let raw = 0;
  let gz = 0;
  for (const f of initial) {
    const b = readFileSync(join(dir, f.replace(/^(\.\/|\/)/, "")));
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
  }
  console.log(
    `${name}: initial JS ${initial.length} files, ${kb(raw)} raw, ${kb(gz)} gzip (${initial.join(", ")})`,
  );
}

const servers = await Promise.all(dirs.map(([, dir]) => serve({ dir })));
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const times: number[][] = dirs.map(() => []);
const firstStep: number[][] = dirs.map(() => []);
for (let i = 0; i < ROUNDS; i++)
  for (let k = 0; k < dirs.length; k++) {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, serviceWorkers: "block" });
    const page = await ctx.newPage();
    // A plain string: tsx would wrap a named function with a helper that does not exist in the page.
    await page.addInitScript(`
      (() => {
        const tick = () => {
          const svg = document.querySelector('[aria-label="Loss chart"] svg');
          if (svg && svg.getBoundingClientRect().height > 0) { window.__firstChart = performance.now(); return; }
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      })();
    `);
    await page.goto(`http://127.0.0.1:${servers[k].port}/`);
    await page.waitForFunction(
      () => (window as unknown as { __firstChart?: number }).__firstChart !== undefined,
      null,
      {
        timeout: 60_000,
      },
    );
    times[k].push(
      (await page.evaluate(() => (window as unknown as { __firstChart: number }).__firstChart)) as number,
    );
    // Play at once, as a student would, and wait for the first trained step.
    const t0 = Date.now();
    await page.getByRole("button", { name: /Play/ }).first().click();
    await page.waitForFunction(
      () => (window as unknown as { lrlab: { getState(): { step: number } } }).lrlab.getState().step >= 1,
      null,
      { timeout: 60_000 },
    );
    firstStep[k].push(Date.now() - t0);
    await ctx.close();
  }
await browser.close();
for (const s of servers) s.server.close();
dirs.forEach(([name], k) => {
  const t = [...times[k]].sort((a, b) => a - b);
  const f = [...firstStep[k]].sort((a, b) => a - b);
  console.log(
    `${name}: first chart paint median ${t[t.length >> 1].toFixed(0)} ms over ${ROUNDS} cold loads (min ${t[0].toFixed(0)}, max ${t[t.length - 1].toFixed(0)}); Play at load to the first trained step median ${f[f.length >> 1].toFixed(0)} ms (min ${f[0].toFixed(0)}, max ${f[f.length - 1].toFixed(0)})`,
  );
});
